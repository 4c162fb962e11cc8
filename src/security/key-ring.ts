import fs from 'node:fs';
import path from 'node:path';
import { type Env } from '../config/env';
import { type Logger } from '../logger';
import { CredentialsKeyError, KeyRing } from './credentials-cipher';

export const GENERATED_KEYS_FILE = 'credentials.keys';

/**
 * The credentials key ring: CREDENTIALS_KEYS when set. Otherwise, outside production, a key generated
 * once into `<DATA_DIR>/credentials.keys` (mode 0600) so `npm start` works out of the box — with a
 * warning, because losing that file means losing every stored CRM credential.
 */
export function loadKeyRing(env: Env, logger?: Logger): KeyRing {
  if (env.CREDENTIALS_KEYS) return KeyRing.parse(env.CREDENTIALS_KEYS);
  if (env.isProduction) {
    throw new CredentialsKeyError(
      'CREDENTIALS_KEYS is required in production (generate one with `npm run admin -- keys:generate-credentials-key`)',
    );
  }
  const file = path.join(env.dataDir, GENERATED_KEYS_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(env.dataDir, { recursive: true, mode: 0o700 });
    // 'wx': if another process of ours won the race, we read its key instead of overwriting it.
    try {
      fs.writeFileSync(file, KeyRing.generateSpec() + '\n', { mode: 0o600, flag: 'wx' });
      logger?.warn(
        { file },
        'CREDENTIALS_KEYS is not set: generated a credentials key into the data directory. Back it up, ' +
          'or set CREDENTIALS_KEYS; without it stored CRM credentials cannot be decrypted.',
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return KeyRing.parse(fs.readFileSync(file, 'utf8').trim());
}
