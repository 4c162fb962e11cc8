import { startThrowawayStores } from '../../src/runtime/services';
import { type ReadStack, type ReadStackOptions, startReadStack } from '../../test/support/read-stack';

/**
 * Runs `body` against a read stack (both sandboxes, a gateway, a context) on throwaway stores of its
 * own — or on MONGODB_URI / REDIS_URL when set — and closes both whatever happens.
 */
export async function withBenchStack(
  name: string,
  options: Omit<ReadStackOptions, 'mongodbUri' | 'redisUrl' | 'name'>,
  body: (stack: ReadStack) => Promise<void>,
): Promise<void> {
  const stores = await startThrowawayStores(name, {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  let stack: ReadStack | undefined;
  try {
    stack = await startReadStack({
      ...options,
      mongodbUri: stores.mongodbUri,
      redisUrl: stores.redisUrl,
      name: `${name.replace(/\W/g, '_')}_${process.pid}`,
    });
    await body(stack);
  } finally {
    await stack?.close();
    await stores.stop();
  }
}
