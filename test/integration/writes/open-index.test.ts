import { metricsRegistry } from '../../../src/metrics';
import { runWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { FlushLock } from '../../../src/writes/flush-lock';
import { type WriteGroup } from '../../../src/writes/write-operation.types';
import { engineTestContext, reconcilerDeps } from '../../support/writes/engine-context';
import { groupOf, insertOperations, operationDoc } from '../../support/writes/operations';
import { uniqueName } from '../../support/stores';

/**
 * The open-operations index (src/writes/open-index.ts; docs/writes.md "The open-operations index"):
 * claims choose from it instead of decoding the whole backlog from the store, and a stale or lost index
 * never loses, duplicates or reorders a write. Real Redis and FerretDB.
 */

const context = engineTestContext();

async function documentsReturned(collection: string): Promise<number> {
  const { values } = await metricsRegistry.getSingleMetric('cgw_store_documents_returned_total')!.get();
  return values.filter((v) => v.labels.collection === collection).reduce((n, v) => n + v.value, 0);
}

async function claim(group: WriteGroup, fromIndex: boolean) {
  const ctx = context();
  const open = fromIndex ? await ctx.openIndex.read(group.connectionId) : null;
  if (fromIndex && !open) throw new Error('the index is not ready');
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix);
  const token = await lock.tryAcquire(group);
  try {
    return await ctx.store.writeBatches.claim(group, token!, 200, new Date(), open ? { open } : {});
  } finally {
    await lock.release(group, token!);
  }
}

function connection(name: string) {
  return { id: uniqueName(`conn-${name}`), tenantId: 't-index', crm: 'salesforce' };
}

/** Seeds the connection's index from a read of the store, as the reconciler and the first claim do. */
async function seed(connectionId: string): Promise<void> {
  const ctx = context();
  const readAt = Date.now();
  const scan = await ctx.store.writeBatches.reconcileScan(new Date(), 10_000);
  await ctx.openIndex.reconcile(connectionId, scan.open.get(connectionId) ?? [], readAt);
}

describe('OpenOperationsIndex', () => {
  it('is not trusted until seeded; then repairs from a store read without undoing newer writes', async () => {
    const ctx = context();
    const c = connection('repair');
    expect(await ctx.openIndex.read(c.id)).toBeNull();
    const ids = await insertOperations(ctx, c, [
      { kind: 'CREATE', fields: { LastName: 'a' } },
      { kind: 'CREATE', fields: { LastName: 'b' } },
    ]);
    // Written by the accept path, but not ready: a claim reads the store until a read seeds it.
    expect(await ctx.openIndex.read(c.id)).toBeNull();
    await seed(c.id);
    expect((await ctx.openIndex.read(c.id))!.map((o) => o._id).sort()).toEqual([...ids].sort());

    // A phantom older than the read (a finished write whose removal was lost) goes; a recent entry the
    // read cannot have seen stays; an entry newer than the read is not overwritten by it.
    const old = new Date(Date.now() - 60_000);
    const phantom = operationDoc(c, { kind: 'CREATE', fields: {}, acceptedAt: old });
    const recent = operationDoc(c, { kind: 'CREATE', fields: {} });
    await ctx.openIndex.put(c.id, [
      { ...(phantom as object), updatedAt: old } as never,
      { ...(recent as object), updatedAt: new Date() } as never,
    ]);
    const [first] = await ctx.store.writeBatches.findMany([ids[0]!]);
    await ctx.openIndex.apply([{ ...first!, status: 'RUNNING', updatedAt: new Date(Date.now() + 5000) }]);
    const readAt = Date.now();
    const scan = await ctx.store.writeBatches.reconcileScan(new Date(), 10_000);
    const repaired = await ctx.openIndex.reconcile(c.id, scan.open.get(c.id) ?? [], readAt);
    expect(repaired.removed).toBe(1);
    const after = new Map((await ctx.openIndex.read(c.id))!.map((o) => [o._id, o]));
    expect([...after.keys()].sort()).toEqual([...ids, recent._id as string].sort());
    expect(after.get(ids[0]!)!.status).toBe('RUNNING');

    // A final operation leaves the index.
    await ctx.openIndex.apply([{ ...first!, status: 'SUCCEEDED', updatedAt: new Date() }]);
    expect((await ctx.openIndex.read(c.id))!.map((o) => o._id)).not.toContain(ids[0]);
  });
});

describe('a claim from the index', () => {
  it('reads from the store only the documents it takes, however long the backlog', async () => {
    const ctx = context();
    const c = connection('backlog');
    // 1,500 deletes waiting in another group, and 3 creates to claim.
    await insertOperations(
      ctx,
      c,
      Array.from({ length: 1500 }, (_, i) => ({ kind: 'DELETE' as const, remoteId: `003X${i}` })),
    );
    const creates = await insertOperations(
      ctx,
      c,
      Array.from({ length: 3 }, (_, i) => ({ kind: 'CREATE' as const, fields: { LastName: `n${i}` } })),
    );
    await seed(c.id);
    const before = await documentsReturned('write_operations');
    const result = await claim(groupOf(c.id, 'CREATE'), true);
    const read = (await documentsReturned('write_operations')) - before;
    expect(result.claimed.map((o) => o.id)).toEqual(creates);
    expect(result.storeReadAt).toBeNull();
    // The three documents it took (the store scan read all 1,503).
    expect(read).toBeLessThanOrEqual(3);

    // The same claim from the store decodes the whole backlog: what the index saves.
    const more = await insertOperations(ctx, c, [{ kind: 'CREATE', fields: { LastName: 'm' } }]);
    const storeBefore = await documentsReturned('write_operations');
    const fromStore = await claim(groupOf(c.id, 'CREATE'), false);
    expect(fromStore.claimed.map((o) => o.id)).toEqual(more);
    expect((await documentsReturned('write_operations')) - storeBefore).toBeGreaterThan(1500);
  });

  it('checks an entry that holds a write back: a finished one no longer does', async () => {
    const ctx = context();
    const c = connection('holder');
    // The record's earlier delete is in the index but finished long ago in the store (its removal lost).
    const old = new Date(Date.now() - 60_000);
    const ghost = operationDoc(c, { kind: 'DELETE', remoteId: '003G', acceptedAt: old });
    const [update] = await insertOperations(ctx, c, [{ kind: 'UPDATE', remoteId: '003G', fields: {} }]);
    await seed(c.id);
    await ctx.openIndex.put(c.id, [{ ...(ghost as object), updatedAt: old } as never]);
    const result = await claim(groupOf(c.id, 'UPDATE'), true);
    expect(result.claimed.map((o) => o.id)).toEqual([update]);
    expect(result.stale.removed).toEqual([ghost._id]);
  });

  it('still waits for a real earlier write of the record, and takes no document that is not QUEUED', async () => {
    const ctx = context();
    const c = connection('order');
    await insertOperations(ctx, c, [
      { kind: 'DELETE', remoteId: '003H', status: 'RUNNING', runningSince: new Date(), claimToken: 'z' },
    ]);
    const [, other] = await insertOperations(ctx, c, [
      { kind: 'UPDATE', remoteId: '003H', fields: {} },
      { kind: 'UPDATE', remoteId: '003I', fields: {} },
    ]);
    await seed(c.id);
    // The index says `other` is QUEUED; the store has it RUNNING (an index write a crash lost).
    await ctx.store.conn
      .collection('write_operations')
      .updateOne({ _id: other as never }, { $set: { status: 'RUNNING', claimToken: 'w' } });
    const result = await claim(groupOf(c.id, 'UPDATE'), true);
    expect(result.claimed).toEqual([]);
    expect(result.blocked).toBe(true);
    expect(result.stale.put.map((d) => d._id)).toEqual([other]);
  });

  it('a write still keyed by its create after that create succeeded is still waited behind', async () => {
    const ctx = context();
    const c = connection('rekey');
    // The create made record 003R; its delete was accepted as the create finished and missed the
    // re-keying (still `op:<create id>`). A later update names 003R itself, in another group.
    const [create] = await insertOperations(ctx, c, [{ kind: 'CREATE', fields: { LastName: 'r' } }]);
    await ctx.store.conn
      .collection('write_operations')
      .updateOne({ _id: create as never }, { $set: { status: 'SUCCEEDED', remoteId: '003R' } });
    const [del] = await insertOperations(ctx, c, [{ kind: 'DELETE', after: create }]);
    const [update] = await insertOperations(ctx, c, [{ kind: 'UPDATE', remoteId: '003R', fields: {} }]);
    await seed(c.id);
    const held = await claim(groupOf(c.id, 'UPDATE'), true);
    expect(held.claimed).toEqual([]);
    // Once the delete is done, the update goes.
    const deleted = await claim(groupOf(c.id, 'DELETE'), true);
    expect(deleted.claimed.map((o) => [o.id, o.recordKey])).toEqual([[del, 'rid:003R']]);
    await ctx.store.conn
      .collection('write_operations')
      .updateOne({ _id: del as never }, { $set: { status: 'SUCCEEDED' } });
    await ctx.openIndex.remove(c.id, [del!]);
    expect((await claim(groupOf(c.id, 'UPDATE'), true)).claimed.map((o) => o.id)).toEqual([update]);
  });

  it('a write the index never heard of is found by the next reconciler run', async () => {
    const ctx = context();
    const c = connection('missing');
    await insertOperations(ctx, c, [{ kind: 'CREATE', fields: { LastName: 'seen' } }]);
    await seed(c.id);
    // Stored without the index (a gateway that died between the two writes).
    const [lost] = await insertOperations({ store: ctx.store }, c, [{ kind: 'CREATE', fields: {} }]);
    expect((await ctx.openIndex.read(c.id))!.map((o) => o._id)).not.toContain(lost);
    await runWriteReconciler(reconcilerDeps(ctx));
    expect((await ctx.openIndex.read(c.id))!.map((o) => o._id)).toContain(lost);
  });
});
