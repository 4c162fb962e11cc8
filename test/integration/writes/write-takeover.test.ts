import { createWriteOperationEventPublisher } from '../../../src/events/write-operation-events';
import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { Heartbeat } from '../../../src/redis/heartbeat';
import { type AppContext } from '../../../src/runtime/context';
import { runWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { FlushLock } from '../../../src/writes/flush-lock';
import { createTestContext } from '../../support/context';
import { groupOf, insertOperations } from '../../support/writes/operations';

/**
 * A worker killed mid-flush leaves its group's lock behind with a 30 s TTL. The lock names the worker,
 * whose heartbeat lapses within 5 s: the reconciler then takes the lock over and recovers the group's
 * writes at once — but never from a worker that is alive, nor from a process that keeps no heartbeat
 * (a gateway cancelling). Real Redis and FerretDB.
 */

let ctx: AppContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.store.conn.dropDatabase().catch(() => undefined);
  await ctx.close();
});

const silent = createLogger({ level: 'silent' });

function reconcile() {
  return runWriteReconciler({
    store: ctx.store,
    queue: ctx.queues.get(QUEUES.writes),
    lock: new FlushLock(ctx.redis, ctx.redisPrefix, 30_000, 'reconciling-worker'),
    events: createWriteOperationEventPublisher({ redis: ctx.redis, redisPrefix: ctx.redisPrefix }),
    logger: silent,
  });
}

/** A group with one write RUNNING under the lock of `holder` (a worker id, or none: a gateway). */
async function runningUnder(connectionId: string, holder: string | undefined) {
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix, 30_000, holder);
  const group = groupOf(connectionId, 'UPDATE');
  const token = await lock.tryAcquire(group);
  expect(token).not.toBeNull();
  const [id] = await insertOperations(ctx.store, { id: connectionId, tenantId: 't-take', crm: 'hubspot' }, [
    {
      kind: 'UPDATE',
      remoteId: '1',
      fields: {},
      status: 'RUNNING',
      runningSince: new Date(),
      claimToken: token!,
    },
  ]);
  return { lock, group, token: token!, id: id! };
}

async function statusOf(id: string) {
  const [op] = await ctx.store.writeBatches.findMany([id]);
  return op?.status;
}

it('takes over the lock of a worker whose heartbeat stopped, and recovers its writes', async () => {
  const dead = await runningUnder('conn-dead-worker', 'worker-killed-9');
  // No heartbeat was ever written for it: as after a kill -9 once the heartbeat's TTL has passed.
  expect(await reconcile()).toMatchObject({ requeued: 1 });
  expect(await statusOf(dead.id)).toBe('QUEUED');
  // The dead worker's token no longer owns the lock: its late outcome would be fenced.
  expect(await dead.lock.renew(dead.group, dead.token)).toBe(false);
});

it('leaves the lock of a live worker alone', async () => {
  const heartbeat = new Heartbeat(ctx.redis, ctx.redisPrefix, 'worker-alive-1', silent);
  await heartbeat.start();
  try {
    const live = await runningUnder('conn-live-worker', 'worker-alive-1');
    expect(await reconcile()).toMatchObject({ requeued: 0 });
    expect(await statusOf(live.id)).toBe('RUNNING');
    expect(await live.lock.renew(live.group, live.token)).toBe(true);
    // Finish it as its flush would, so it is not a stranded write for the next test's reconciler.
    await writeOperationModel(ctx.store.conn).updateOne(
      { _id: live.id as never },
      { $set: { status: 'SUCCEEDED' } },
    );
    await live.lock.release(live.group, live.token);
  } finally {
    await heartbeat.stop();
  }
});

it('never takes over a lock whose holder keeps no heartbeat (a gateway), and frees it once stopped', async () => {
  const gateway = await runningUnder('conn-gateway-lock', undefined);
  expect(await reconcile()).toMatchObject({ requeued: 0 });
  expect(await statusOf(gateway.id)).toBe('RUNNING');
  await gateway.lock.release(gateway.group, gateway.token);
  // Released with its write still RUNNING: stranded, recovered on the next run.
  expect(await reconcile()).toMatchObject({ requeued: 1 });
  expect(await statusOf(gateway.id)).toBe('QUEUED');
});

it('a stopped heartbeat is gone at once, so a worker that shut down is not waited for', async () => {
  const heartbeat = new Heartbeat(ctx.redis, ctx.redisPrefix, 'worker-stopping', silent);
  await heartbeat.start();
  expect(await Heartbeat.isAlive(ctx.redis, ctx.redisPrefix, 'worker-stopping')).toBe(true);
  await heartbeat.stop();
  expect(await Heartbeat.isAlive(ctx.redis, ctx.redisPrefix, 'worker-stopping')).toBe(false);
});

describe('order across the two keys of a record a create made', () => {
  /**
   * An update and a delete both named a pending create by its `wop_` id (`op:<create>`). The create
   * succeeded, and its waiting writes are re-keyed to `rid:<remote id>` one statement at a time: for a
   * moment the update is keyed `rid:` while the delete still says `op:`. The delete must still wait for
   * the update (CI once saw the update FAILED: the delete had removed the record first).
   */
  it('a delete keyed op:<create> waits for an earlier update already keyed rid:<remote id>', async () => {
    const connection = { id: 'conn-two-keys', tenantId: 't-order', crm: 'salesforce' };
    const [create] = await insertOperations(ctx.store, connection, [
      { kind: 'CREATE', fields: { lastname: 'made' }, status: 'SUCCEEDED' },
    ]);
    await writeOperationModel(ctx.store.conn).updateOne(
      { _id: create as never },
      { $set: { remoteId: 'R1' } },
    );
    const [update, remove] = await insertOperations(ctx.store, connection, [
      { kind: 'UPDATE', after: create!, fields: { lastname: 'second' } },
      { kind: 'DELETE', after: create! },
    ]);
    // The update was re-keyed first; the delete's statement has not run yet.
    await writeOperationModel(ctx.store.conn).updateOne(
      { _id: update as never },
      { $set: { recordKey: 'rid:R1', remoteId: 'R1' } },
    );
    const lock = new FlushLock(ctx.redis, ctx.redisPrefix);
    const deletes = groupOf(connection.id, 'DELETE');
    const token = await lock.tryAcquire(deletes);
    try {
      const claim = await ctx.store.writeBatches.claim(deletes, token!, 100, new Date());
      expect(claim.claimed.map((o) => o.id)).not.toContain(remove);
    } finally {
      await lock.release(deletes, token!);
    }
    // Once the update is done, the delete goes (keyed by the record the create made).
    await writeOperationModel(ctx.store.conn).updateOne(
      { _id: update as never },
      { $set: { status: 'SUCCEEDED' } },
    );
    const again = await lock.tryAcquire(deletes);
    try {
      const claim = await ctx.store.writeBatches.claim(deletes, again!, 100, new Date());
      expect(claim.claimed.map((o) => [o.id, o.remoteId])).toEqual([[remove, 'R1']]);
    } finally {
      await lock.release(deletes, again!);
    }
  });
});
