import { type AppContext } from '../../../src/runtime/context';
import { createTestContext } from '../context';

/**
 * The AppContext of a file of write-engine tests on the real stores: made before its tests, its database
 * dropped after them. Call at the top of the file; the getter is valid inside tests.
 */
export function engineTestContext(): () => AppContext {
  let ctx: AppContext | undefined;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx?.store.conn.dropDatabase().catch(() => undefined);
    await ctx?.close();
  });
  return () => {
    if (!ctx) throw new Error('engineTestContext: used outside a test');
    return ctx;
  };
}
