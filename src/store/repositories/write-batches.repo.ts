import { type WriteFailure, type WriteGroup, type WriteOperation } from '../../writes/write-operation.types';
import { type WriteOperationModel } from '../models/write-operation.model';
import { claimBatch, type ClaimOptions, type ClaimResult } from './write-batch-claim';
import { recordBatchOutcomes, type RecordOutcomesOptions } from './write-batch-outcomes';
import { endQueued, recoverStale } from './write-batch-recovery';
import {
  type OutcomePolicy,
  type Transition,
  uniqueGroups,
  type WriteOutcome,
} from './write-outcome.updates';
import { type LeanWriteOperation, toWriteOperation } from './write-operation.view';

export type { ClaimOptions, ClaimResult } from './write-batch-claim';
export type { RecordOutcomesOptions } from './write-batch-outcomes';
export type { OutcomePolicy, Transition, WriteOutcome } from './write-outcome.updates';

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
  constructor(private readonly ops: WriteOperationModel) {}

  /**
   * Claims up to `limit` QUEUED operations of `group` due at `now`, in acceptance order, and marks them
   * RUNNING under `claimToken`. The caller holds the group's flush lock. See {@link claimBatch}.
   */
  claim(
    group: WriteGroup,
    claimToken: string,
    limit: number,
    now: Date,
    options: ClaimOptions = {},
  ): Promise<ClaimResult> {
    return claimBatch(this.ops, group, claimToken, limit, now, options);
  }

  /** Records a flush's outcomes; returns the operations as they are now. See {@link recordBatchOutcomes}. */
  recordOutcomes(
    claimed: readonly WriteOperation[],
    claimToken: string,
    outcomes: readonly WriteOutcome[],
    now: Date,
    policy: OutcomePolicy,
    options: RecordOutcomesOptions = {},
  ): Promise<Transition[]> {
    return recordBatchOutcomes(this.ops, claimed, claimToken, outcomes, now, policy, options);
  }

  /** Ends a group's QUEUED operations (caller holds the group's lock). See {@link endQueued}. */
  endQueued(
    group: WriteGroup,
    status: 'DEAD' | 'FAILED',
    fail: WriteFailure,
    now: Date,
    acceptedBefore?: Date,
  ): Promise<Transition[]> {
    return endQueued(this.ops, group, status, fail, now, acceptedBefore);
  }

  /** Recovers operations a dead worker left RUNNING, group by group under its lock. See {@link recoverStale}. */
  recoverStale(
    now: Date,
    olderThanMs: number,
    withGroupLock: (group: WriteGroup, recover: () => Promise<void>) => Promise<boolean>,
  ): Promise<{ requeued: Transition[]; failed: Transition[] }> {
    return recoverStale(this.ops, now, olderThanMs, withGroupLock);
  }

  /**
   * Groups holding operations QUEUED and due since before `now - olderThanMs`: their flush job was
   * lost (Redis restarted, a crash between storing and enqueuing) or their connection is waiting.
   */
  async staleQueuedGroups(now: Date, olderThanMs: number, limit = 5000): Promise<WriteGroup[]> {
    const bound = new Date(now.getTime() - olderThanMs);
    const docs = (await this.ops
      .find(
        { status: 'QUEUED', acceptedAt: { $lte: bound }, notBefore: { $lte: bound } },
        { connectionId: 1, object: 1, batchKind: 1 },
      )
      .limit(limit)
      .lean()) as { connectionId: string; object: string; batchKind: string }[];
    return uniqueGroups(docs);
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

  /** How many operations are QUEUED and when the oldest was accepted (metrics). */
  async queuedStats(): Promise<{ depth: number; oldestAcceptedAt: Date | null }> {
    const [depth, oldest] = await Promise.all([
      this.ops.countDocuments({ status: 'QUEUED' }),
      this.ops.findOne({ status: 'QUEUED' }, { acceptedAt: 1 }).sort({ acceptedAt: 1 }).lean(),
    ]);
    return { depth, oldestAcceptedAt: oldest?.acceptedAt ?? null };
  }

  /** Operations by id (tests and the engine's read of its own results). */
  async findMany(ids: readonly string[]): Promise<WriteOperation[]> {
    const docs = (await this.ops.find({ _id: { $in: [...ids] } }).lean()) as LeanWriteOperation[];
    return docs.map((d) => toWriteOperation(d));
  }
}
