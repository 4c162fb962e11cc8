import { createWriteOperationEventPublisher } from '../../../src/events/write-operation-events';
import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { type AppContext } from '../../../src/runtime/context';
import { FlushLock } from '../../../src/writes/flush-lock';
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

/** What the reconciler needs, on a test context: a short-TTL flush lock unless one is given. */
export function reconcilerDeps(ctx: AppContext, lock = new FlushLock(ctx.redis, ctx.redisPrefix, 1000)) {
  return {
    store: ctx.store,
    openIndex: ctx.openIndex,
    queue: ctx.queues.get(QUEUES.writes),
    lock,
    events: createWriteOperationEventPublisher({ redis: ctx.redis, redisPrefix: ctx.redisPrefix }),
    logger: createLogger({ level: 'silent' }),
  };
}
