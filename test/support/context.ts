import { type Env, loadEnv } from '../../src/config/env';
import { createLogger, type Logger } from '../../src/logger';
import { createAppContext, type AppContext } from '../../src/runtime/context';
import { KeyRing } from '../../src/security/credentials-cipher';
import { testStoreUrls, uniqueName } from './stores';

/** A full AppContext on the test stores, with its own database and Redis prefix. */
export async function createTestContext(
  options: { logger?: Logger; keyRing?: KeyRing; env?: Env } = {},
): Promise<AppContext> {
  const { mongodbUri, redisUrl } = testStoreUrls();
  return createAppContext({
    env: options.env ?? loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    logger: options.logger ?? createLogger({ level: 'silent' }),
    keyRing: options.keyRing ?? new KeyRing([{ kid: 'test', key: Buffer.alloc(32, 7) }]),
    mongodbUri,
    redisUrl,
    dbName: uniqueName('ctx'),
    redisPrefix: uniqueName('cgwtest'),
  });
}
