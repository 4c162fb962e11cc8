import { type Job } from 'bull';
import { createLogger } from '../../../src/logger';
import { type AppContext } from '../../../src/runtime/context';
import { SyncLock } from '../../../src/sync/poll/sync-lock';
import { ReconcileRequests } from '../../../src/sync/reconcile-requests';
import { processConnectionPurge } from '../../../src/worker/system.processor';
import { createTestContext } from '../../support/context';
import { keysEverywhere } from '../../support/redis-nodes';

/**
 * The purge of a deleted connection leaves nothing of it behind in Redis either: the fence counters of
 * its poll and backfill locks and its reconcile requests go with its documents; another connection's stay.
 */

let ctx: AppContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

it('drops the deleted connection’s fence counters and reconcile requests, and keeps another’s', async () => {
  const { redis, redisPrefix } = ctx;
  const requests = new ReconcileRequests(redis, redisPrefix);
  for (const connectionId of ['conn_gone', 'conn_kept']) {
    for (const kind of ['poll', 'backfill'] as const) {
      const lock = new SyncLock(redis, redisPrefix, kind);
      for (const object of ['contact', 'deal'] as const) {
        await lock.release((await lock.tryAcquire(connectionId, object))!);
        await requests.request(connectionId, object, new Date());
      }
    }
  }
  const keysOf = async (connectionId: string) =>
    (await keysEverywhere(redis, `${redisPrefix}:sync:*`)).filter((k) => k.includes(connectionId));
  expect(await keysOf('conn_gone')).toHaveLength(6);

  const purge = processConnectionPurge(
    ctx.store.conn,
    { client: redis, prefix: redisPrefix },
    createLogger({ level: 'silent' }),
  );
  await purge({ data: { connectionId: 'conn_gone' } } as Job<{ connectionId: string }>);

  expect(await keysOf('conn_gone')).toEqual([]);
  expect(await keysOf('conn_kept')).toHaveLength(6);
  expect(await requests.latest('conn_kept', 'deal')).not.toBeNull();
});
