import { type WriteGroup } from '../../writes/write-operation.types';
import { type WriteOperationModel } from '../models/write-operation.model';
import { isFinal } from './write-operation-archive';
import { uniqueGroups } from './write-outcome.updates';
import { type LeanWriteOperation } from './write-operation.view';
import { type OpenOperation } from './write-batch-claim';

/**
 * What one reconciler run needs to know of the open operations (src/worker/writes/write-reconciler.processor.ts),
 * from ONE read of `write_operations`. On FerretDB every query but an `_id` lookup decodes the whole
 * collection whatever its filter, so the run's five queries (stranded RUNNING writes, final ones left
 * behind, stale QUEUED ones, the depth, the oldest) cost five reads of the whole backlog — 12–28 s a
 * run under `bench:writes` load, taken from the flushes. Projected: the payloads stay in the store.
 */
export interface ReconcileScan {
  /** RUNNING since before the bound (`runningSince` < now − olderThanMs): candidates for recovery. */
  running: LeanWriteOperation[];
  /** Final operations still in the hot collection (a move a crash interrupted). */
  finalIds: string[];
  /** Groups with writes QUEUED and due since before `now − staleQueuedMs`: their flush may be lost. */
  staleGroups: WriteGroup[];
  /** QUEUED operations, and when the oldest of them was accepted (metrics). */
  depth: number;
  oldestAcceptedAt: Date | null;
  /**
   * Every open (QUEUED or RUNNING) operation, per connection, as a claim reads it, and when the read
   * started (epoch ms): what the open-operations index is repaired from (src/writes/open-index.ts).
   */
  open: Map<string, OpenOperation[]>;
  readAt: number;
}

const PROJECTION = {
  connectionId: 1,
  object: 1,
  batchKind: 1,
  status: 1,
  acceptedAt: 1,
  notBefore: 1,
  runningSince: 1,
  claimToken: 1,
  bulkJob: 1,
  seq: 1,
  recordKey: 1,
  kind: 1,
  dependsOn: 1,
  target: 1,
  updatedAt: 1,
} as const;

export async function reconcileScan(
  ops: WriteOperationModel,
  now: Date,
  staleQueuedMs: number,
): Promise<ReconcileScan> {
  const readAt = Date.now();
  const docs = (await ops.find({}, PROJECTION).lean()) as LeanWriteOperation[];
  const bound = now.getTime() - staleQueuedMs;
  const out: ReconcileScan = {
    running: [],
    finalIds: [],
    staleGroups: [],
    depth: 0,
    oldestAcceptedAt: null,
    open: new Map(),
    readAt,
  };
  const stale: LeanWriteOperation[] = [];
  for (const d of docs) {
    if (!isFinal(d.status)) {
      const list = out.open.get(d.connectionId) ?? [];
      list.push(d);
      out.open.set(d.connectionId, list);
    }
    if (isFinal(d.status)) out.finalIds.push(d._id);
    else if (d.status === 'RUNNING') {
      if (d.runningSince && d.runningSince.getTime() < now.getTime()) out.running.push(d);
    } else if (d.status === 'QUEUED') {
      out.depth += 1;
      if (!out.oldestAcceptedAt || d.acceptedAt < out.oldestAcceptedAt) out.oldestAcceptedAt = d.acceptedAt;
      if (d.acceptedAt.getTime() <= bound && d.notBefore.getTime() <= bound) stale.push(d);
    }
  }
  out.staleGroups = uniqueGroups(stale);
  return out;
}
