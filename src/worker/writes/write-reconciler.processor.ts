import { type Queue } from 'bull';
import { type RedisClient } from '../../redis/client';
import { type WriteOperationEventPublisher } from '../../events/write-operation-events';
import { type Logger } from '../../logger';
import { requestWriteFlush } from '../../queue/writes.producer';
import { OwnedLock } from '../../redis/owned-lock';
import { type Store } from '../../store';
import { type FlushLock } from '../../writes/flush-lock';
import { type OpenOperationsIndex } from '../../writes/open-index';
import { type WriteGroup, type WriteOperation, writeGroupKey } from '../../writes/write-operation.types';
import { type ReconcileScan } from '../../store/repositories/write-batches.repo';
import { type CrmObject } from '../../connectors/types';
import { type LeanWriteOperation } from '../../store/repositories/write-operation.view';
import { type BulkPolls } from './bulk-jobs';
import { publishTransitions } from './publish-transitions';
import { writeMetrics } from './write-metrics';
import { redisKey } from '../../redis/keys';

/**
 * The write reconciler (repeatable, `src/queue/writes-reconciler.producer.ts`). Bull is the trigger,
 * MongoDB the record: a flush job lost in Redis (a restart without AOF, eviction, a crash between
 * storing a write and enqueuing its flush) leaves writes QUEUED with nothing to run them. Every run:
 *   0. moves final operations a crash left in the hot collection to the finished one;
 *   1. recovers writes RUNNING in groups whose lock is free, or held by a worker whose heartbeat stopped
 *      (it was killed mid-flush; src/redis/heartbeat.ts): resent when that is safe, else FAILED
 *      OUTCOME_UNKNOWN (`WriteBatchesRepository.recoverStale`). Claims happen only under the lock, so a
 *      RUNNING write of a group whose lock we hold is stranded, whatever its age;
 *   2. requests a flush of every group with writes due for longer than `staleQueuedMs` (and of the
 *      groups it just recovered), replacing a finished job kept under the same id;
 *   3. sets the queue-depth and oldest-write gauges.
 */

export interface WriteReconcilerDeps {
  store: Pick<Store, 'writeBatches'>;
  /** Repaired from each run's read of the store (src/writes/open-index.ts). */
  openIndex?: Pick<OpenOperationsIndex, 'reconcile' | 'apply'>;
  queue: Queue;
  lock: FlushLock;
  events: WriteOperationEventPublisher;
  logger: Logger;
  /** @defaultValue 10000 */
  staleQueuedMs?: number;
  /** Polls of vendor bulk jobs: a job's RUNNING operations are not stranded, and a lost poll is re-created. */
  bulkPolls?: Pick<BulkPolls, 'isScheduled' | 'schedule'>;
  now?: () => number;
}

export interface ReconcileSummary {
  flushesRequested: number;
  requeued: number;
  failed: number;
}

export interface ReconcilerJobDeps extends WriteReconcilerDeps {
  redis: RedisClient;
  redisPrefix: string;
  /** The worker's heartbeat id: a run's gate names it (src/redis/owned-lock.ts). */
  holderId?: string;
}

/**
 * How long a run holds the gate before it must renew it: a worker killed mid-run blocks the next runs
 * this long at most. Renewed every third of it while the run goes on.
 */
const RUN_GATE_TTL_MS = 30_000;
/**
 * After a run that took T, the next may start only T × this later: the reconciler takes at most a fifth
 * of the store's time whatever the store's speed. On an idle store a run takes milliseconds and the
 * schedule (every 5 s) is what paces it; on FerretDB every query of a run decodes the whole collection
 * (docs/writes.md "FerretDB cost"), so a run slows as `write_operations` grows, and the flushes need the
 * store more than the reconciler does.
 */
const REST_FACTOR = 4;
const GATE = 'write-reconcile';
const REST = 'write-reconcile:rest';

/**
 * The reconciler's job (repeatable, every 5 s): one run at a time in every worker, and a rest after each.
 *
 * Why a gate: Bull starts each repeat of the job when it is due whether or not the last one ended, and
 * on the `writes` queue each takes one of the flushes' slots. Once a run took longer than the schedule
 * (a few thousand operations on FerretDB), runs piled up — eight at once, each scanning the collection
 * four times — and took every slot and the store from the flushes: one CRM's writes in `bench:writes`
 * stalled for minutes, none failed. A run that finds the gate held or the rest unexpired does nothing.
 */
export function processWriteReconciler(
  deps: ReconcilerJobDeps,
): () => Promise<ReconcileSummary | { skipped: 'busy' | 'resting' }> {
  const gate = new OwnedLock(deps.redis, redisKey(deps.redisPrefix, 'lock'), RUN_GATE_TTL_MS, deps.holderId);
  const restKey = gate.key(REST);
  return async () => {
    if ((await deps.redis.exists(restKey)) === 1) return { skipped: 'resting' };
    const owner = await gate.tryAcquire(GATE);
    if (!owner) return { skipped: 'busy' };
    const started = Date.now();
    const renewal = setInterval(() => {
      gate.renew(GATE, owner).catch(() => false);
    }, RUN_GATE_TTL_MS / 3);
    try {
      return await runWriteReconciler(deps);
    } finally {
      clearInterval(renewal);
      const restMs = (Date.now() - started) * REST_FACTOR;
      // The rest first, then the gate: no run starts between the two.
      if (restMs > 0) await deps.redis.set(restKey, owner, 'PX', restMs).catch(() => null);
      await gate.release(GATE, owner).catch(() => false);
    }
  };
}

/**
 * The open-operations index of every connection with open writes, brought in line with this run's read
 * of the store (then the operations the run recovered). A failure is logged: the claims read the store
 * while an index is not ready, and the next run tries again.
 */
async function repairIndex(
  deps: WriteReconcilerDeps,
  scan: ReconcileScan,
  changed: readonly WriteOperation[],
): Promise<void> {
  const index = deps.openIndex;
  if (!index) return;
  try {
    let repaired = 0;
    for (const [connectionId, open] of scan.open) {
      const r = await index.reconcile(connectionId, open, scan.readAt);
      repaired += r.added + r.replaced + r.removed;
    }
    await index.apply(changed);
    if (repaired > 0) writeMetrics.indexRepaired(repaired);
  } catch (err) {
    deps.logger.warn({ err }, 'open-operations index not repaired this run');
  }
}

/**
 * The poll of every vendor bulk job with operations RUNNING in it, re-created where none is scheduled
 * (its lease expired: the poll job was lost in Redis, or its worker died and Bull did not re-run it).
 */
async function ensureBulkPolls(
  deps: WriteReconcilerDeps,
  running: readonly LeanWriteOperation[],
): Promise<void> {
  const jobs = new Map<string, LeanWriteOperation>();
  for (const d of running) if (d.claimToken) jobs.set(d.claimToken, d);
  for (const [claimToken, d] of jobs) {
    const bulkJob = d.bulkJob as NonNullable<WriteOperation['bulkJob']>;
    if (await deps.bulkPolls!.isScheduled(d.connectionId, bulkJob.ref.id)) continue;
    deps.logger.warn(
      { jobId: bulkJob.ref.id, connectionId: d.connectionId },
      're-creating the lost poll of a vendor bulk job',
    );
    await deps.bulkPolls!.schedule(
      {
        connectionId: d.connectionId,
        object: d.object as CrmObject,
        claimToken,
        ref: bulkJob.ref,
        submittedAt: new Date(bulkJob.submittedAt).getTime(),
        waitMs: 2000,
        polls: 0,
      },
      0,
      'reconciler',
    );
  }
}

export async function runWriteReconciler(deps: WriteReconcilerDeps): Promise<ReconcileSummary> {
  const nowMs = deps.now?.() ?? Date.now();
  const now = new Date(nowMs);
  const repo = deps.store.writeBatches;
  // One read of the open operations for the whole run (write-reconcile-scan.ts): on FerretDB each query
  // decodes the whole backlog, and the flushes need the store more than the reconciler does.
  const scan = await repo.reconcileScan(now, deps.staleQueuedMs ?? 10_000);
  // Operations in a submitted vendor bulk job are not stranded: their poll records them (bulk-jobs.ts).
  const inBulkJobs = deps.bulkPolls ? scan.running.filter((d) => d.bulkJob) : [];
  await ensureBulkPolls(deps, inBulkJobs);
  const recovered = await repo.recoverStale(
    now,
    0,
    async (group, recover) => {
      const token = await deps.lock.acquireForRecovery(group);
      if (!token) return false;
      try {
        await recover();
        return true;
      } finally {
        await deps.lock.release(group, token).catch(() => false);
      }
    },
    scan.running.filter((d) => !inBulkJobs.includes(d)),
  );
  // Final operations a crash or a lost lock left in the hot collection move out (docs/writes.md
  // "Finished operations"): the claims' and this run's scans then read open work only.
  await repo.sweepFinished(scan.finalIds);
  const changed = [...recovered.requeued, ...recovered.failed];
  await repairIndex(deps, scan, changed);
  if (changed.length > 0) {
    deps.logger.warn(
      { requeued: recovered.requeued.length, failed: recovered.failed.length },
      'recovered writes left RUNNING by a stopped flush',
    );
    await publishTransitions(deps, changed);
  }

  const groups = new Map<string, WriteGroup>();
  const add = (g: WriteGroup): void => {
    groups.set(writeGroupKey(g), g);
  };
  for (const op of recovered.requeued) add(op);
  for (const g of scan.staleGroups) add(g);
  for (const g of groups.values()) {
    await requestWriteFlush(
      deps.queue,
      { connectionId: g.connectionId, object: g.object, batchKind: g.batchKind },
      'reconciler',
      0,
      nowMs,
    );
  }

  writeMetrics.queue(scan.depth, scan.oldestAcceptedAt, nowMs);
  deps.logger.debug(
    { elapsedMs: (deps.now?.() ?? Date.now()) - nowMs, flushesRequested: groups.size, depth: scan.depth },
    'write reconciler run done',
  );
  return {
    flushesRequested: groups.size,
    requeued: recovered.requeued.length,
    failed: recovered.failed.length,
  };
}
