import crypto from 'node:crypto';
import { captureLogs } from '../../support/log-capture';
import { REDACTED, scrubSecrets } from '../../../src/logger';

const plant = (): string => `sekrit-${crypto.randomBytes(12).toString('hex')}`;

describe('log redaction', () => {
  it('never writes a planted secret, whatever field name carries it', () => {
    const secret = plant();
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

  it('redacts secret-named keys at any depth, in arrays, errors, causes and child bindings', () => {
    const secret = plant();
    const { logger, lines, text } = captureLogs();
    logger.info({ a: { b: { refreshToken: secret } } }, 'three deep');
    logger.info({ a: { b: { c: { d: { e: { f: { g: { client_secret: secret } } } } } } } }, 'seven deep');
    logger.info({ batch: [{ ok: 1 }, { nested: [{ Access_Token: secret }] }] }, 'arrays');

    const httpError = Object.assign(new Error('token refresh failed: 400'), {
      response: { status: 400, data: { access_token: secret, error: 'invalid_grant' } },
      config: { headers: { Authorization: `Bearer ${secret}`, 'X-Api-Key': secret } },
    });
    logger.error({ err: httpError }, 'vendor error');
    logger.error(httpError); // pino's err-first form
    logger.warn({ error: httpError }, 'an error under another key');
    const wrapped = new Error('outer', { cause: Object.assign(new Error('inner'), { id_token: secret }) });
    logger.error({ err: wrapped }, 'cause chain');

    logger
      .child({ ctx: { connection: { credentials: { password: secret } } } })
      .child({ grandchild: { settings: { apiKey: secret } } })
      .info('child bindings');
    expect(lines.length).toBe(8);
    const childLine = JSON.parse(lines[7] ?? '{}') as Record<string, unknown>;
    expect(childLine).toMatchObject({
      ctx: { connection: { credentials: REDACTED } },
      grandchild: { settings: { apiKey: REDACTED } }, // a grandchild keeps its parent's bindings
    });
    expect(JSON.parse(lines[3] ?? '{}')).toMatchObject({
      err: { type: 'Error', message: 'token refresh failed: 400' },
    });
    expect(text()).not.toContain(secret);
    expect(text()).toContain('invalid_grant'); // what is not secret stays readable
    expect(text()).toContain('token refresh failed: 400');
    expect(text()).toContain('inner');
  });

  it('copies only what it scrubs and never mutates what the caller logged', () => {
    const secret = plant();
    const clean = { a: { b: [1, { c: 'x' }] }, when: 'now' };
    expect(scrubSecrets(clean)).toBe(clean); // nothing to scrub: same object, no allocation

    const sibling = { untouched: true };
    const dirty = { sibling, deep: { deeper: { token: secret, keep: 'k' } } };
    const out = scrubSecrets(dirty) as typeof dirty;
    expect(out).toEqual({ sibling, deep: { deeper: { token: REDACTED, keep: 'k' } } });
    expect(out.sibling).toBe(sibling);
    expect(dirty.deep.deeper.token).toBe(secret);
  });

  it('survives cycles and keeps non-secret values (dates, nulls) as JSON would print them', () => {
    const secret = plant();
    const cyclic: Record<string, unknown> = { when: new Date(0), none: null, inner: { password: secret } };
    cyclic.self = cyclic;
    const { logger, text } = captureLogs();
    logger.info({ cyclic }, 'cycle');
    expect(text()).not.toContain(secret);
    expect(text()).toContain('1970-01-01T00:00:00.000Z');
    expect(text()).toContain('[Circular]');
  });
});
