import { createWriteOperationEventPublisher } from '../../../src/events/write-operation-events';
import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { type AppContext } from '../../../src/runtime/context';
import { FlushLock } from '../../../src/writes/flush-lock';
import { writeGroupKey } from '../../../src/writes/write-operation.types';
import { runWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { createTestContext } from '../../support/context';
import { groupOf, insertOperations } from '../../support/writes/operations';

/**
 * Recovery of writes a dead worker left RUNNING, and the reconciler's re-requests of flushes Bull lost.
 * Real FerretDB and Redis; no vendor (nothing is sent).
 */

let ctx: AppContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.store.conn.dropDatabase().catch(() => undefined);
  await ctx.close();
});

function deps(lock: FlushLock) {
  return {
    store: ctx.store,
    queue: ctx.queues.get(QUEUES.writes),
    lock,
    events: createWriteOperationEventPublisher({ redis: ctx.redis, redisPrefix: ctx.redisPrefix }),
    logger: createLogger({ level: 'silent' }),
  };
}

it('a stale RUNNING write is resent when that is safe and ends OUTCOME_UNKNOWN when it is not', async () => {
  const connection = { id: 'conn-recover', tenantId: 'tenant-r', crm: 'hubspot' };
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix, 1000);
  const long = new Date(Date.now() - 60_000);
  const running = { status: 'RUNNING' as const, runningSince: long, claimToken: 'dead-worker' };
  const ids = await insertOperations(ctx.store, connection, [
    { kind: 'CREATE', fields: { lastname: 'no key' }, ...running },
    {
      kind: 'CREATE',
      fields: { lastname: 'upsert' },
      externalId: { field: 'crm_external_id', value: 'x1' },
      ...running,
    },
    { kind: 'UPDATE', remoteId: '101', fields: { lastname: 'u' }, ...running },
    { kind: 'DELETE', remoteId: '102', ...running },
    // Claimed a moment ago, but nobody holds the group's lock: stranded all the same (claims happen only
    // under the lock, and a flush keeps it until its outcomes are recorded).
    {
      kind: 'UPDATE',
      remoteId: '103',
      fields: {},
      status: 'RUNNING',
      runningSince: new Date(),
      claimToken: 'live',
    },
  ]);
  // A create claimed with the connection's gateway key (as the engine marks it) is an upsert too.
  const keyed = await insertOperations(ctx.store, connection, [
    { kind: 'CREATE', fields: { lastname: 'gk' }, ...running },
  ]);
  await ctx.store.conn
    .collection('write_operations')
    .updateOne({ _id: keyed[0] as never }, { $set: { gatewayKeyField: 'crm_external_id' } });

  const summary = await runWriteReconciler(deps(lock));
  expect(summary).toMatchObject({ requeued: 5, failed: 1 });
  const ops = new Map((await ctx.store.writeBatches.findMany([...ids, ...keyed])).map((o) => [o.id, o]));
  expect(ops.get(ids[0]!)).toMatchObject({
    status: 'FAILED',
    failure: { code: 'OUTCOME_UNKNOWN', retryable: false },
  });
  for (const id of [ids[1]!, ids[2]!, ids[3]!, ids[4]!, keyed[0]!]) {
    expect(ops.get(id)).toMatchObject({
      status: 'QUEUED',
      claimToken: null,
      runningSince: null,
      attempts: 0,
    });
  }
  // Their groups' flushes were requested.
  const jobs = await ctx.queues.get(QUEUES.writes).getJobs(['delayed', 'waiting']);
  const upsertKey = writeGroupKey(groupOf(connection.id, 'UPDATE'));
  const deleteKey = writeGroupKey(groupOf(connection.id, 'DELETE'));
  expect(jobs.map((j) => String(j.id))).toEqual(
    expect.arrayContaining([expect.stringContaining(upsertKey), expect.stringContaining(deleteKey)]),
  );
});

it('leaves the stale writes of a group whose flush lock is held alone', async () => {
  const connection = { id: 'conn-held', tenantId: 'tenant-h', crm: 'hubspot' };
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix, 1000);
  const [id] = await insertOperations(ctx.store, connection, [
    {
      kind: 'UPDATE',
      remoteId: '7',
      fields: {},
      status: 'RUNNING',
      runningSince: new Date(Date.now() - 60_000),
      claimToken: 't',
    },
  ]);
  const held = new FlushLock(ctx.redis, ctx.redisPrefix, 30_000);
  const token = await held.tryAcquire(groupOf(connection.id, 'UPDATE'));
  expect(token).not.toBeNull();
  try {
    await runWriteReconciler(deps(lock));
    const [op] = await ctx.store.writeBatches.findMany([id!]);
    expect(op).toMatchObject({ status: 'RUNNING', claimToken: 't' });
  } finally {
    await held.release(groupOf(connection.id, 'UPDATE'), token!);
  }
});

it('requests a flush for a group whose writes stayed QUEUED past the bound (a lost job)', async () => {
  const connection = { id: 'conn-lost', tenantId: 'tenant-l', crm: 'hubspot' };
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix, 1000);
  await insertOperations(ctx.store, connection, [
    { kind: 'CREATE', fields: { lastname: 'old' }, acceptedAt: new Date(Date.now() - 30_000) },
  ]);
  await insertOperations(ctx.store, { ...connection, id: 'conn-fresh' }, [{ kind: 'CREATE', fields: {} }]);
  await runWriteReconciler(deps(lock));
  const ids = (await ctx.queues.get(QUEUES.writes).getJobs(['delayed', 'waiting'])).map((j) => String(j.id));
  expect(ids).toEqual(
    expect.arrayContaining([expect.stringContaining(writeGroupKey(groupOf('conn-lost', 'CREATE')))]),
  );
  expect(ids.some((i) => i.includes('conn-fresh'))).toBe(false);
});

it('a write stored as its create succeeded takes the record key, so later writes to the record wait for it', async () => {
  const connection = { id: 'conn-rekey', tenantId: 'tenant-k', crm: 'hubspot' };
  const [createId] = await insertOperations(ctx.store, connection, [
    { kind: 'CREATE', fields: { lastname: 'made' }, status: 'SUCCEEDED' },
  ]);
  await writeOperationModel(ctx.store.conn).updateOne(
    { _id: createId as never },
    { $set: { remoteId: '901' } },
  );
  // The update read the create as pending (keyed op:<create id>); the engine's re-keying already ran.
  const [late, stillPending] = await insertOperations(ctx.store, connection, [
    { kind: 'UPDATE', after: createId, fields: { lastname: 'u' } },
    { kind: 'UPDATE', after: 'wop_not_done_yet', fields: { lastname: 'v' } },
  ]);
  const rewritten = await ctx.store.writeOperations.rekeyToCreatedRecords([
    { _id: late!, recordKey: `op:${createId}` },
    { _id: stillPending!, recordKey: 'op:wop_not_done_yet' },
  ]);
  expect([...rewritten]).toEqual([[late, '901']]);
  const stored = await ctx.store.writeOperations.findByIds('tenant-k', [late!, stillPending!]);
  expect(stored.map((o) => [o?.recordKey, o?.remoteId])).toEqual([
    ['rid:901', '901'],
    ['op:wop_not_done_yet', null],
  ]);
});

it('the outcomes of a flush that lost its lock leave operations another flush claimed since as they are', async () => {
  const connection = { id: 'conn-stale-flush', tenantId: 'tenant-s', crm: 'hubspot' };
  // Recovered from the stale flush and claimed again by a live one (its token now on them).
  const ids = await insertOperations(ctx.store, connection, [
    { kind: 'UPDATE', remoteId: '201', fields: { lastname: 'a' }, status: 'RUNNING', claimToken: 'live' },
    { kind: 'UPDATE', remoteId: '202', fields: { lastname: 'b' }, status: 'RUNNING', claimToken: 'live' },
  ]);
  const claimed = await ctx.store.writeBatches.findMany(ids);
  const outcomes = claimed.map((op) => ({
    id: op.id,
    kind: 'succeeded' as const,
    remoteId: op.remoteId!,
    created: false,
  }));
  const policy = { maxAttempts: 8 };
  // The stale flush (token `stale`) no longer holds the lock: guarded by its token, it writes nothing.
  await ctx.store.writeBatches.recordOutcomes(claimed, 'stale', outcomes, new Date(), policy, {
    exclusive: false,
  });
  const after = await ctx.store.writeBatches.findMany(ids);
  expect(after.map((o) => [o.status, o.claimToken])).toEqual(ids.map(() => ['RUNNING', 'live']));

  // The live flush, which has just renewed its lock, records by `_id` alone.
  await ctx.store.writeBatches.recordOutcomes(claimed, 'live', outcomes, new Date(), policy, {
    exclusive: true,
  });
  const done = new Map((await ctx.store.writeBatches.findMany(ids)).map((o) => [o.id, o]));
  expect(ids.map((id) => [done.get(id)?.status, done.get(id)?.remoteId])).toEqual([
    ['SUCCEEDED', '201'],
    ['SUCCEEDED', '202'],
  ]);
});
