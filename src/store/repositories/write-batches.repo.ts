import { type WriteGroup, type WriteOperation } from '../../writes/write-operation.types';
import { type WriteOperationModel } from '../models/write-operation.model';
import { claimBatch } from './write-batch-claim';
import { recordBatchOutcomes } from './write-batch-outcomes';
import { endQueued, recoverStale } from './write-batch-recovery';
import { ID_IN_MAX, uniqueGroups } from './write-outcome.updates';
import { retryBusy } from '../bulk-write';
import { archiveIds, findAcross, sweepFinished } from './write-operation-archive';
import { type ReconcileScan, reconcileScan } from './write-reconcile-scan';
import { type LeanWriteOperation, toWriteOperation } from './write-operation.view';

export type { ClaimOptions, ClaimResult, OpenOperation } from './write-batch-claim';
export type { OutcomeTransitions, RecordOutcomesOptions, Rekeyed } from './write-batch-outcomes';
export type { OutcomePolicy, Transition, WriteOutcome } from './write-outcome.updates';
export type { ReconcileScan } from './write-reconcile-scan';

/** A function of the operations model, as a method of the repository that holds the model. */
type WithoutModel<F> = F extends (ops: WriteOperationModel, ...args: infer A) => infer R
  ? (...args: A) => R
  : never;

function withModel<A extends unknown[], R>(
  ops: WriteOperationModel,
  fn: (ops: WriteOperationModel, ...args: A) => R,
): (...args: A) => R {
  return (...args) => fn(ops, ...args);
}

/**
 * The write engine's access to `write_operations` (docs/writes.md): claiming a group's batch
 * (write-batch-claim.ts), recording its outcomes (write-batch-outcomes.ts), ending and recovering
 * operations outside a flush (write-batch-recovery.ts), and the reconciler's and wake-ups' scans (here).
 *
 * FerretDB applies a conditional update as a read then a write by `_id`, not atomically: nothing here
 * relies on a filter to exclude a concurrent writer. A group's claims and outcomes are serialised by
 * its flush lock (src/writes/flush-lock.ts), which the caller holds; the `claimToken` in the filters
 * only keeps a stale flush (one whose lock expired and whose operations were recovered) from writing.
 */
export class WriteBatchesRepository {
  /**
   * Claims up to `limit` QUEUED operations of a group due at `now`, in acceptance order, and marks them
   * RUNNING under a claim token; the caller holds the group's flush lock (write-batch-claim.ts).
   */
  readonly claim: WithoutModel<typeof claimBatch>;
  /** Records a flush's outcomes; returns the operations as they are now (write-batch-outcomes.ts). */
  readonly recordOutcomes: WithoutModel<typeof recordBatchOutcomes>;
  /** Ends a group's QUEUED operations; the caller holds the group's lock (write-batch-recovery.ts). */
  readonly endQueued: WithoutModel<typeof endQueued>;
  /** Recovers what dead workers left RUNNING, group by group under its lock (write-batch-recovery.ts). */
  readonly recoverStale: WithoutModel<typeof recoverStale>;

  constructor(private readonly ops: WriteOperationModel) {
    this.claim = withModel(ops, claimBatch);
    this.recordOutcomes = withModel(ops, recordBatchOutcomes);
    this.endQueued = withModel(ops, endQueued);
    this.recoverStale = withModel(ops, recoverStale);
  }

  /**
   * Everything a reconciler run reads of the open operations, in one query (write-reconcile-scan.ts):
   * stranded RUNNING writes, final ones left behind, groups with writes QUEUED past `staleQueuedMs`
   * (their flush job was lost, or their connection is waiting), the depth and the oldest.
   */
  reconcileScan(now: Date, staleQueuedMs: number): Promise<ReconcileScan> {
    return reconcileScan(this.ops, now, staleQueuedMs);
  }

  /**
   * The groups of QUEUED operations on `recordKeys` of a connection: the writes a finished batch may
   * have unblocked (the next write to the same record, in any group, and a link whose other record it is).
   */
  async waitingGroups(connectionId: string, recordKeys: readonly string[]): Promise<WriteGroup[]> {
    if (recordKeys.length === 0) return [];
    const keys = [...new Set(recordKeys)];
    // One query with an $or, not two: FerretDB scans the collection once per query whatever the filter
    // (src/store/bulk-write.ts), and MongoDB answers each branch of an $or from its own index —
    // (connectionId, recordKey, seq), and the group index narrowing the second to QUEUED links.
    const docs = (await this.ops
      .find(
        {
          connectionId,
          status: 'QUEUED',
          $or: [
            { recordKey: { $in: keys } },
            { batchKind: { $in: ['LINK', 'UNLINK'] }, 'target.recordKey': { $in: keys } },
          ],
        },
        { connectionId: 1, object: 1, batchKind: 1 },
      )
      .lean()) as { connectionId: string; object: string; batchKind: string }[];
    return uniqueGroups(docs);
  }

  /**
   * Records the vendor bulk job the claimed operations run in (docs/writes.md "Bulk jobs"): one
   * statement; the caller holds the group's lock, and the claim token keeps a stale flush from writing.
   */
  async markBulkJob(
    ids: readonly string[],
    claimToken: string,
    bulkJob: NonNullable<WriteOperation['bulkJob']>,
  ): Promise<void> {
    for (let i = 0; i < ids.length; i += ID_IN_MAX) {
      await retryBusy(() =>
        this.ops.updateMany(
          { _id: { $in: ids.slice(i, i + ID_IN_MAX) }, claimToken, status: 'RUNNING' },
          { $set: { bulkJob } },
        ),
      );
    }
  }

  /** The operations still RUNNING under `claimToken` (a bulk job's, while it is polled). */
  async runningOfClaim(claimToken: string): Promise<LeanWriteOperation[]> {
    return (await this.ops.find({ claimToken, status: 'RUNNING' }).lean()) as LeanWriteOperation[];
  }

  /** Operations by id, open or finished (tests and the engine's read of its own results). */
  async findMany(ids: readonly string[]): Promise<WriteOperation[]> {
    return (await findAcross(this.ops, ids)).map((d) => toWriteOperation(d));
  }

  /**
   * Moves final operations left in the hot collection to the finished one (a crash between an update
   * in place and its move; a flush that lost its lock): the reconciler's, once per run, with the ids its
   * scan found final (`reconcileScan`); without them, one query finds them.
   */
  async sweepFinished(finalIds?: readonly string[]): Promise<number> {
    if (!finalIds) return sweepFinished(this.ops);
    await archiveIds(this.ops, finalIds);
    return finalIds.length;
  }
}
