import { type AnyBulkWriteOperation } from 'mongoose';
import { type CrmObject } from '../../connectors/types';
import { type BatchKind, type WriteFailure, type WriteGroup } from '../../writes/write-operation.types';
import { type WriteOperationDoc, type WriteOperationModel } from '../models/write-operation.model';
import { bulkWriteChunked, retryBusy, updateById } from '../bulk-write';
import { archiveIds, dropMovedCopies, findByIdsIn } from './write-operation-archive';
import { failure, type Transition } from './write-outcome.updates';
import { type LeanWriteOperation, toWriteOperation } from './write-operation.view';

/**
 * Ending and recovering operations outside a flush (docs/writes.md "Recovery bounds"): a group's QUEUED
 * writes of an unusable connection, and RUNNING writes a dead worker left behind. The engine reaches
 * them through `WriteBatchesRepository` (write-batches.repo.ts).
 */

/**
 * Ends the QUEUED operations of `group` accepted before `acceptedBefore` (all when absent) with
 * `status` and `failure`: a connection unusable past WRITE_MAX_WAIT_MS, or deleted. Caller holds the
 * group's lock.
 */
export async function endQueued(
  ops: WriteOperationModel,
  group: WriteGroup,
  status: 'DEAD' | 'FAILED',
  fail: WriteFailure,
  now: Date,
  acceptedBefore?: Date,
): Promise<Transition[]> {
  const filter = {
    connectionId: group.connectionId,
    object: group.object,
    batchKind: group.batchKind,
    status: 'QUEUED',
    ...(acceptedBefore ? { acceptedAt: { $lt: acceptedBefore } } : {}),
  };
  const docs = (await ops.find(filter).limit(5000).lean()) as LeanWriteOperation[];
  if (docs.length === 0) return [];
  const set = { status, failure: fail, finishedAt: now };
  await retryBusy(() =>
    ops.updateMany({ _id: { $in: docs.map((d) => d._id) }, status: 'QUEUED' }, { $set: set }),
  );
  // Ended in place first (a crash before the move leaves them final, never claimable), then moved.
  await archiveIds(
    ops,
    docs.map((d) => d._id),
  );
  return docs.map((d) => toWriteOperation({ ...d, ...set, updatedAt: now } as LeanWriteOperation));
}

/**
 * Operations RUNNING since before `now - olderThanMs` (a worker died mid-call, or its flush outlived
 * its lock) — read here, or among `running` when given — recovered group by group under the group's lock (`withGroupLock` runs the recovery only
 * when it got the lock — free, or taken over from a worker whose heartbeat stopped: a group whose
 * flush is alive is left alone). What may be resent safely goes
 * back to QUEUED — a create with a gateway key (an upsert), an update, an upsert, a delete, a link;
 * a create without one may have been applied and ends FAILED OUTCOME_UNKNOWN (never resent).
 */
export async function recoverStale(
  ops: WriteOperationModel,
  now: Date,
  olderThanMs: number,
  withGroupLock: (group: WriteGroup, recover: () => Promise<void>) => Promise<boolean>,
  running?: readonly LeanWriteOperation[],
): Promise<{ requeued: Transition[]; failed: Transition[] }> {
  const since = now.getTime() - olderThanMs;
  // The reconciler passes what its one scan read (`reconcileScan`); each is read again under its lock.
  const stale = running
    ? running.filter((d) => d.status === 'RUNNING' && (d.runningSince?.getTime() ?? since) < since)
    : ((await ops
        .find({ status: 'RUNNING', runningSince: { $lt: new Date(since) } })
        .limit(5000)
        .lean()) as LeanWriteOperation[]);
  const requeued: Transition[] = [];
  const failed: Transition[] = [];
  const groups = new Map<string, { group: WriteGroup; docs: LeanWriteOperation[] }>();
  for (const d of stale) {
    const group = {
      connectionId: d.connectionId,
      object: d.object as CrmObject,
      batchKind: d.batchKind as BatchKind,
    };
    const key = `${group.connectionId}:${group.object}:${group.batchKind}`;
    const entry = groups.get(key) ?? { group, docs: [] };
    entry.docs.push(d);
    groups.set(key, entry);
  }
  for (const { group, docs: seen } of groups.values()) {
    await withGroupLock(group, async () => {
      // Read again under the lock: a flush that ended between the query and the lock recorded these.
      const running = (
        await findByIdsIn(
          ops,
          seen.map((d) => d._id),
        )
      ).filter((d) => d.status === 'RUNNING');
      // A flush that stored their final outcome and died before deleting these copies: done, not stranded.
      const moved = await dropMovedCopies(ops, running);
      const docs = running.filter((d) => !moved.has(d._id));
      const unsafe = docs.filter((d) => d.kind === 'CREATE' && !d.externalId && !d.gatewayKeyField);
      const safe = docs.filter((d) => !unsafe.includes(d));
      const outcomeUnknown = failure(
        'OUTCOME_UNKNOWN',
        'the worker running this create stopped before its outcome was recorded, and the create has no gateway key: it may have been applied, so it is not resent',
        false,
      );
      const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = [];
      const requeue = {
        status: 'QUEUED' as const,
        claimToken: null,
        runningSince: null,
        bulkJob: null,
        notBefore: now,
      };
      const end = { status: 'FAILED' as const, failure: outcomeUnknown, finishedAt: now };
      // By `_id` alone (src/store/bulk-write.ts): read RUNNING just now, under the group's lock.
      const plan = [
        ...safe.map((d) => ({ d, set: requeue, into: requeued })),
        ...unsafe.map((d) => ({ d, set: end, into: failed })),
      ];
      for (const { d, set, into } of plan) {
        writes.push(updateById<WriteOperationDoc>(d._id, set));
        into.push(toWriteOperation({ ...d, ...set, updatedAt: now } as LeanWriteOperation));
      }
      await bulkWriteChunked((c) => ops.bulkWrite(c, { ordered: false }), writes);
      await archiveIds(
        ops,
        unsafe.map((d) => d._id),
      );
    });
  }
  return { requeued, failed };
}
