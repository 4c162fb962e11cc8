import { ADMIN_COMMANDS } from '../../../src/admin/commands';
import { loadEnv } from '../../../src/config/env';
import { CredentialsKeyError } from '../../../src/security/credentials-cipher';
import { loadKeyRing } from '../../../src/security/key-ring';

describe('loadKeyRing in production without CREDENTIALS_KEYS', () => {
  it('refuses, naming an admin command that really generates a key', () => {
    const env = loadEnv({ NODE_ENV: 'production', DATA_DIR: '/nonexistent/never-written' });
    let message = '';
    try {
      loadKeyRing(env);
    } catch (err) {
      expect(err).toBeInstanceOf(CredentialsKeyError);
      message = (err as Error).message;
    }
    const named = /npm run admin -- ([\w:-]+)/.exec(message)?.[1];
    expect(named).toBe('keys:generate-credentials-key');
    const command = ADMIN_COMMANDS[named!];
    expect(command).toBeDefined();
    expect(command!.needsStores).toBe(false); // it works before any store or key exists
  });
});
