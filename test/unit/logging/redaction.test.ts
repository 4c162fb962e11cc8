import crypto from 'node:crypto';
import { captureLogs } from '../../support/log-capture';

describe('log redaction', () => {
  it('never writes a planted secret, whatever field name carries it', () => {
    const secret = `sekrit-${crypto.randomBytes(12).toString('hex')}`;
    const { logger, lines, text } = captureLogs();
    logger.info({ credentials: { refreshToken: secret } }, 'connection created');
    logger.info({ connection: { credentials: secret } }, 'nested');
    logger.warn(
      { tokenResponse: { access_token: secret, refresh_token: secret, instance_url: 'https://x' } },
      'token response',
    );
    logger.error({ req: { headers: { authorization: `Bearer ${secret}` } } }, 'request failed');
    logger.info({ clientSecret: secret, client_secret: secret, apiKey: secret, password: secret }, 'config');
    logger.debug({ connectionParams: { authorization: secret } }, 'ws connect');
    expect(lines.length).toBe(6);
    expect(text()).not.toContain(secret);
    expect(text()).toContain('[redacted]');
    expect(text()).toContain('https://x'); // non-secret fields stay readable
  });
});
