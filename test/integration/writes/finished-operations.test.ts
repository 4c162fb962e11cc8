import { FINISHED_WRITE_OPERATIONS } from '../../../src/store/models/write-operation.model';
import { runWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { processWriteOperationPrune } from '../../../src/worker/writes/write-retention.processor';
import { engineTestContext, reconcilerDeps } from '../../support/writes/engine-context';
import { groupOf, insertOperations, operationDoc } from '../../support/writes/operations';

/**
 * Finished operations leave `write_operations` for `write_operations_finished` (docs/writes.md
 * "Finished operations"): the engine's queries — each a scan of its collection on FerretDB — then read
 * open work only, however much history there is, and every finished operation stays readable through
 * the API's reads until WRITE_OPERATION_RETENTION_DAYS. Real FerretDB and Redis; no vendor.
 */

const context = engineTestContext();
const policy = { maxAttempts: 8 };

const hotIds = async (ids: readonly string[]) =>
  (
    await context()
      .store.conn.collection<{ _id: string }>('write_operations')
      .find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } })
      .toArray()
  ).map((d) => d._id);

const finishedIds = async (ids: readonly string[]) =>
  (
    await context()
      .store.conn.collection<{ _id: string }>(FINISHED_WRITE_OPERATIONS)
      .find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } })
      .toArray()
  ).map((d) => d._id);

it("a flush's final outcomes leave the hot collection; a rescheduled write stays; all read as before", async () => {
  const connection = { id: 'conn-finished', tenantId: 'tenant-f', crm: 'hubspot' };
  const running = { status: 'RUNNING' as const, claimToken: 'flush-1', runningSince: new Date() };
  const ids = await insertOperations(context(), connection, [
    { kind: 'UPDATE', remoteId: '301', fields: { lastname: 'a' }, ...running },
    { kind: 'UPDATE', remoteId: '302', fields: { lastname: 'b' }, ...running },
    { kind: 'UPDATE', remoteId: '303', fields: { lastname: 'c' }, ...running },
  ]);
  const claimed = await context().store.writeBatches.findMany(ids);
  await context().store.writeBatches.recordOutcomes(
    claimed,
    'flush-1',
    [
      { id: ids[0]!, kind: 'succeeded', remoteId: '301', created: false },
      {
        id: ids[1]!,
        kind: 'failed',
        failure: { code: 'VALIDATION', message: 'bad', retryable: false, fieldErrors: [] },
      },
      { id: ids[2]!, kind: 'reschedule', retryAfterMs: 1000 },
    ],
    new Date(),
    policy,
    { exclusive: true },
  );

  expect(await hotIds(ids)).toEqual([ids[2]]);
  expect((await finishedIds(ids)).sort()).toEqual([ids[0], ids[1]].sort());
  const read = await context().store.writeOperations.findByIds('tenant-f', ids);
  expect(read.map((o) => o?.status)).toEqual(['SUCCEEDED', 'FAILED', 'QUEUED']);
  expect(read[0]).toMatchObject({ remoteId: '301', claimToken: 'flush-1' });
  expect(await context().store.writeOperations.findById('another-tenant', ids[0]!)).toBeNull();
  const page = await context().store.writeOperations.list('tenant-f', {}, 10, null);
  expect(page.nodes.map((o) => o.id).sort()).toEqual([...ids].sort());
  const failed = await context().store.writeOperations.list('tenant-f', { status: 'FAILED' }, 10, null);
  expect(failed.nodes.map((o) => o.id)).toEqual([ids[1]]);
});

it('a move a crash interrupted is completed by the reconciler, and the write is not sent again', async () => {
  const connection = { id: 'conn-half-moved', tenantId: 'tenant-h', crm: 'hubspot' };
  const claimedAt = new Date(Date.now() - 60_000);
  const running = { status: 'RUNNING' as const, claimToken: 'dead', runningSince: claimedAt };
  // The flush stored the final copy, then died before deleting the RUNNING one.
  const [moved] = await insertOperations(context(), connection, [
    { kind: 'UPDATE', remoteId: '401', fields: { lastname: 'done' }, ...running },
  ]);
  await context()
    .store.conn.collection('write_operations')
    .updateOne({ _id: moved as never }, { $set: { updatedAt: claimedAt } });
  const final = {
    ...operationDoc(connection, { kind: 'UPDATE', remoteId: '401', id: moved }),
    status: 'SUCCEEDED',
    finishedAt: new Date(),
    updatedAt: new Date(),
  };
  await context()
    .store.conn.collection(FINISHED_WRITE_OPERATIONS)
    .insertOne(final as never);
  // An update cancelled in place whose move did not happen: final, but still in the hot collection.
  const [cancelled] = await insertOperations(context(), connection, [
    { kind: 'UPDATE', remoteId: '402', fields: { lastname: 'x' }, status: 'CANCELLED' },
  ]);

  // Read meanwhile: the copy updated last.
  expect((await context().store.writeOperations.findById('tenant-h', moved!))?.status).toBe('SUCCEEDED');
  const summary = await runWriteReconciler(reconcilerDeps(context()));
  expect(summary.requeued).toBe(0);
  expect(await hotIds([moved!, cancelled!])).toEqual([]);
  expect((await finishedIds([moved!, cancelled!])).sort()).toEqual([moved, cancelled].sort());
  const [op] = await context().store.writeBatches.findMany([moved!]);
  expect(op).toMatchObject({ status: 'SUCCEEDED' });
});

it('a retried operation comes back as open work, once, and is claimable again', async () => {
  const connection = { id: 'conn-retry-move', tenantId: 'tenant-m', crm: 'hubspot' };
  const [id] = await insertOperations(context(), connection, [
    { kind: 'UPDATE', remoteId: '501', fields: { lastname: 'r' }, status: 'QUEUED' },
  ]);
  const group = groupOf(connection.id, 'UPDATE');
  await context().store.writeBatches.endQueued(
    group,
    'DEAD',
    { code: 'CONNECTION_UNAVAILABLE', message: 'waited', retryable: true, fieldErrors: [] },
    new Date(),
  );
  expect(await hotIds([id!])).toEqual([]);
  expect(await finishedIds([id!])).toEqual([id]);

  const requeued = await context().store.writeOperations.requeue('tenant-m', id!, 'DEAD', new Date());
  expect(requeued).toMatchObject({ status: 'QUEUED', attempts: 0, failure: null, finishedAt: null });
  expect(await hotIds([id!])).toEqual([id]);
  expect(await finishedIds([id!])).toEqual([]);
  // A second retry finds it open: nothing written.
  const again = await context().store.writeOperations.requeue('tenant-m', id!, 'DEAD', new Date());
  expect(again?.status).toBe('QUEUED');

  const claim = await context().store.writeBatches.claim(group, 'flush-r', 10, new Date());
  expect(claim.claimed.map((o) => o.id)).toEqual([id]);
});

it('a write waiting for a create that finished reads the create from the finished collection', async () => {
  const connection = { id: 'conn-dep-finished', tenantId: 'tenant-d', crm: 'hubspot' };
  const running = { status: 'RUNNING' as const, claimToken: 'flush-c', runningSince: new Date() };
  const [create] = await insertOperations(context(), connection, [
    { kind: 'CREATE', fields: { lastname: 'new' }, ...running },
  ]);
  const [update] = await insertOperations(context(), connection, [
    { kind: 'UPDATE', after: create, fields: { lastname: 'newer' } },
  ]);
  const claimed = await context().store.writeBatches.findMany([create!]);
  await context().store.writeBatches.recordOutcomes(
    claimed,
    'flush-c',
    [{ id: create!, kind: 'succeeded', remoteId: '601', created: true }],
    new Date(),
    policy,
    { exclusive: true },
  );
  expect(await hotIds([create!])).toEqual([]);
  const claim = await context().store.writeBatches.claim(
    groupOf(connection.id, 'UPDATE'),
    'flush-u',
    10,
    new Date(),
  );
  expect(claim.claimed.map((o) => [o.id, o.recordKey, o.remoteId])).toEqual([[update, 'rid:601', '601']]);
});

it('the retention prune deletes finished operations past the retention, and nothing open', async () => {
  const connection = { id: 'conn-prune', tenantId: 'tenant-p', crm: 'hubspot' };
  const day = 86_400_000;
  const finished = (id: string, daysAgo: number) => ({
    ...operationDoc(connection, { kind: 'UPDATE', remoteId: id, id: `wop_prune_${id}` }),
    status: 'SUCCEEDED',
    finishedAt: new Date(Date.now() - daysAgo * day),
    updatedAt: new Date(Date.now() - daysAgo * day),
  });
  await context()
    .store.conn.collection(FINISHED_WRITE_OPERATIONS)
    .insertMany([finished('old', 31), finished('recent', 29)] as never[]);
  const [open] = await insertOperations(context(), connection, [
    {
      kind: 'UPDATE',
      remoteId: 'open',
      fields: { lastname: 'o' },
      acceptedAt: new Date(Date.now() - 40 * day),
    },
  ]);

  const result = await processWriteOperationPrune(context().store.writeOperations, 30)();
  expect(result.deleted).toBeGreaterThanOrEqual(1);
  expect(await finishedIds(['wop_prune_old', 'wop_prune_recent'])).toEqual(['wop_prune_recent']);
  expect(await hotIds([open!])).toEqual([open]);
});
