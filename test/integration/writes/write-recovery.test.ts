import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { Heartbeat } from '../../../src/redis/heartbeat';
import { FlushLock } from '../../../src/writes/flush-lock';
import { writeGroupKey } from '../../../src/writes/write-operation.types';
import { runWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { engineTestContext, reconcilerDeps } from '../../support/writes/engine-context';
import { groupOf, insertOperations } from '../../support/writes/operations';

/**
 * Recovery of writes a dead worker left RUNNING (its group's lock taken over once its heartbeat lapses),
 * the reconciler's re-requests of flushes Bull lost, and the order of a record's writes across its keys.
 * Real FerretDB and Redis; no vendor (nothing is sent).
 */

const context = engineTestContext();

const deps = (lock: FlushLock) => reconcilerDeps(context(), lock);

it('a stale RUNNING write is resent when that is safe and ends OUTCOME_UNKNOWN when it is not', async () => {
  const connection = { id: 'conn-recover', tenantId: 'tenant-r', crm: 'hubspot' };
  const lock = new FlushLock(context().redis, context().redisPrefix, 1000);
  const long = new Date(Date.now() - 60_000);
  const running = { status: 'RUNNING' as const, runningSince: long, claimToken: 'dead-worker' };
  const ids = await insertOperations(context(), connection, [
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
  const keyed = await insertOperations(context(), connection, [
    { kind: 'CREATE', fields: { lastname: 'gk' }, ...running },
  ]);
  await context()
    .store.conn.collection('write_operations')
    .updateOne({ _id: keyed[0] as never }, { $set: { gatewayKeyField: 'crm_external_id' } });

  const summary = await runWriteReconciler(deps(lock));
  expect(summary).toMatchObject({ requeued: 5, failed: 1 });
  const ops = new Map(
    (await context().store.writeBatches.findMany([...ids, ...keyed])).map((o) => [o.id, o]),
  );
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
  const jobs = await context().queues.get(QUEUES.writes).getJobs(['delayed', 'waiting']);
  const upsertKey = writeGroupKey(groupOf(connection.id, 'UPDATE'));
  const deleteKey = writeGroupKey(groupOf(connection.id, 'DELETE'));
  expect(jobs.map((j) => String(j.id))).toEqual(
    expect.arrayContaining([expect.stringContaining(upsertKey), expect.stringContaining(deleteKey)]),
  );
});

it('leaves the stale writes of a group whose flush lock is held alone', async () => {
  const connection = { id: 'conn-held', tenantId: 'tenant-h', crm: 'hubspot' };
  const lock = new FlushLock(context().redis, context().redisPrefix, 1000);
  const [id] = await insertOperations(context(), connection, [
    {
      kind: 'UPDATE',
      remoteId: '7',
      fields: {},
      status: 'RUNNING',
      runningSince: new Date(Date.now() - 60_000),
      claimToken: 't',
    },
  ]);
  const held = new FlushLock(context().redis, context().redisPrefix, 30_000);
  const token = await held.tryAcquire(groupOf(connection.id, 'UPDATE'));
  expect(token).not.toBeNull();
  try {
    await runWriteReconciler(deps(lock));
    const [op] = await context().store.writeBatches.findMany([id!]);
    expect(op).toMatchObject({ status: 'RUNNING', claimToken: 't' });
  } finally {
    await held.release(groupOf(connection.id, 'UPDATE'), token!);
  }
});

it('requests a flush for a group whose writes stayed QUEUED past the bound (a lost job)', async () => {
  const connection = { id: 'conn-lost', tenantId: 'tenant-l', crm: 'hubspot' };
  const lock = new FlushLock(context().redis, context().redisPrefix, 1000);
  await insertOperations(context(), connection, [
    { kind: 'CREATE', fields: { lastname: 'old' }, acceptedAt: new Date(Date.now() - 30_000) },
  ]);
  await insertOperations(context(), { ...connection, id: 'conn-fresh' }, [{ kind: 'CREATE', fields: {} }]);
  await runWriteReconciler(deps(lock));
  const ids = (await context().queues.get(QUEUES.writes).getJobs(['delayed', 'waiting'])).map((j) =>
    String(j.id),
  );
  expect(ids).toEqual(
    expect.arrayContaining([expect.stringContaining(writeGroupKey(groupOf('conn-lost', 'CREATE')))]),
  );
  expect(ids.some((i) => i.includes('conn-fresh'))).toBe(false);
});

it('a write stored as its create succeeded takes the record key, so later writes to the record wait for it', async () => {
  const connection = { id: 'conn-rekey', tenantId: 'tenant-k', crm: 'hubspot' };
  const [createId] = await insertOperations(context(), connection, [
    { kind: 'CREATE', fields: { lastname: 'made' }, status: 'SUCCEEDED' },
  ]);
  await writeOperationModel(context().store.conn).updateOne(
    { _id: createId as never },
    { $set: { remoteId: '901' } },
  );
  // The update read the create as pending (keyed op:<create id>); the engine's re-keying already ran.
  const [late, stillPending] = await insertOperations(context(), connection, [
    { kind: 'UPDATE', after: createId, fields: { lastname: 'u' } },
    { kind: 'UPDATE', after: 'wop_not_done_yet', fields: { lastname: 'v' } },
  ]);
  const rewritten = await context().store.writeOperations.rekeyToCreatedRecords([
    { _id: late!, recordKey: `op:${createId}` },
    { _id: stillPending!, recordKey: 'op:wop_not_done_yet' },
  ]);
  expect([...rewritten]).toEqual([[late, '901']]);
  const stored = await context().store.writeOperations.findByIds('tenant-k', [late!, stillPending!]);
  expect(stored.map((o) => [o?.recordKey, o?.remoteId])).toEqual([
    ['rid:901', '901'],
    ['op:wop_not_done_yet', null],
  ]);
});

it('the outcomes of a flush that lost its lock leave operations another flush claimed since as they are', async () => {
  const connection = { id: 'conn-stale-flush', tenantId: 'tenant-s', crm: 'hubspot' };
  // Recovered from the stale flush and claimed again by a live one (its token now on them).
  const ids = await insertOperations(context(), connection, [
    { kind: 'UPDATE', remoteId: '201', fields: { lastname: 'a' }, status: 'RUNNING', claimToken: 'live' },
    { kind: 'UPDATE', remoteId: '202', fields: { lastname: 'b' }, status: 'RUNNING', claimToken: 'live' },
  ]);
  const claimed = await context().store.writeBatches.findMany(ids);
  const outcomes = claimed.map((op) => ({
    id: op.id,
    kind: 'succeeded' as const,
    remoteId: op.remoteId!,
    created: false,
  }));
  const policy = { maxAttempts: 8 };
  // The stale flush (token `stale`) no longer holds the lock: guarded by its token, it writes nothing.
  await context().store.writeBatches.recordOutcomes(claimed, 'stale', outcomes, new Date(), policy, {
    exclusive: false,
  });
  const after = await context().store.writeBatches.findMany(ids);
  expect(after.map((o) => [o.status, o.claimToken])).toEqual(ids.map(() => ['RUNNING', 'live']));

  // The live flush, which has just renewed its lock, records by `_id` alone.
  await context().store.writeBatches.recordOutcomes(claimed, 'live', outcomes, new Date(), policy, {
    exclusive: true,
  });
  const done = new Map((await context().store.writeBatches.findMany(ids)).map((o) => [o.id, o]));
  expect(ids.map((id) => [done.get(id)?.status, done.get(id)?.remoteId])).toEqual([
    ['SUCCEEDED', '201'],
    ['SUCCEEDED', '202'],
  ]);
});

/**
 * A worker killed mid-flush leaves its group's lock behind with a 30 s TTL. The lock names the worker,
 * whose heartbeat lapses within 5 s: the reconciler then takes the lock over and recovers the group's
 * writes at once — but never from a worker that is alive, nor from a process that keeps no heartbeat
 * (a gateway cancelling).
 */
function recoveringWorker(): FlushLock {
  return new FlushLock(context().redis, context().redisPrefix, 30_000, 'reconciling-worker');
}

/** A group with one write RUNNING under the lock of `holder` (a worker id, or none: a gateway). */
async function runningUnder(connectionId: string, holder: string | undefined) {
  const lock = new FlushLock(context().redis, context().redisPrefix, 30_000, holder);
  const group = groupOf(connectionId, 'UPDATE');
  const token = await lock.tryAcquire(group);
  expect(token).not.toBeNull();
  const [id] = await insertOperations(context(), { id: connectionId, tenantId: 't-take', crm: 'hubspot' }, [
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
  const [op] = await context().store.writeBatches.findMany([id]);
  return op?.status;
}

it('takes over the lock of a worker whose heartbeat stopped, and recovers its writes', async () => {
  const dead = await runningUnder('conn-dead-worker', 'worker-killed-9');
  // No heartbeat was ever written for it: as after a kill -9 once the heartbeat's TTL has passed.
  expect(await runWriteReconciler(deps(recoveringWorker()))).toMatchObject({ requeued: 1 });
  expect(await statusOf(dead.id)).toBe('QUEUED');
  // The dead worker's token no longer owns the lock: its late outcome would be fenced.
  expect(await dead.lock.renew(dead.group, dead.token)).toBe(false);
});

it('leaves the lock of a live worker alone', async () => {
  const heartbeat = new Heartbeat(
    context().redis,
    context().redisPrefix,
    'worker-alive-1',
    createLogger({ level: 'silent' }),
  );
  await heartbeat.start();
  try {
    const live = await runningUnder('conn-live-worker', 'worker-alive-1');
    expect(await runWriteReconciler(deps(recoveringWorker()))).toMatchObject({ requeued: 0 });
    expect(await statusOf(live.id)).toBe('RUNNING');
    expect(await live.lock.renew(live.group, live.token)).toBe(true);
    // Finish it as its flush would, so it is not a stranded write for the next test's reconciler.
    await writeOperationModel(context().store.conn).updateOne(
      { _id: live.id as never },
      { $set: { status: 'SUCCEEDED' } },
    );
    await live.lock.release(live.group, live.token);
  } finally {
    heartbeat.stop();
  }
});

it('never takes over a lock whose holder keeps no heartbeat (a gateway), and frees it once stopped', async () => {
  const gateway = await runningUnder('conn-gateway-lock', undefined);
  expect(await runWriteReconciler(deps(recoveringWorker()))).toMatchObject({ requeued: 0 });
  expect(await statusOf(gateway.id)).toBe('RUNNING');
  await gateway.lock.release(gateway.group, gateway.token);
  // Released with its write still RUNNING: stranded, recovered on the next run.
  expect(await runWriteReconciler(deps(recoveringWorker()))).toMatchObject({ requeued: 1 });
  expect(await statusOf(gateway.id)).toBe('QUEUED');
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
    const [create] = await insertOperations(context(), connection, [
      { kind: 'CREATE', fields: { lastname: 'made' }, status: 'SUCCEEDED' },
    ]);
    await writeOperationModel(context().store.conn).updateOne(
      { _id: create as never },
      { $set: { remoteId: 'R1' } },
    );
    const [update, remove] = await insertOperations(context(), connection, [
      { kind: 'UPDATE', after: create!, fields: { lastname: 'second' } },
      { kind: 'DELETE', after: create! },
    ]);
    // The update was re-keyed first; the delete's statement has not run yet.
    await writeOperationModel(context().store.conn).updateOne(
      { _id: update as never },
      { $set: { recordKey: 'rid:R1', remoteId: 'R1' } },
    );
    const lock = new FlushLock(context().redis, context().redisPrefix);
    const deletes = groupOf(connection.id, 'DELETE');
    const token = await lock.tryAcquire(deletes);
    try {
      const claim = await context().store.writeBatches.claim(deletes, token!, 100, new Date());
      expect(claim.claimed.map((o) => o.id)).not.toContain(remove);
    } finally {
      await lock.release(deletes, token!);
    }
    // Once the update is done, the delete goes (keyed by the record the create made).
    await writeOperationModel(context().store.conn).updateOne(
      { _id: update as never },
      { $set: { status: 'SUCCEEDED' } },
    );
    const again = await lock.tryAcquire(deletes);
    try {
      const claim = await context().store.writeBatches.claim(deletes, again!, 100, new Date());
      expect(claim.claimed.map((o) => [o.id, o.remoteId])).toEqual([[remove, 'R1']]);
    } finally {
      await lock.release(deletes, again!);
    }
  });
});
