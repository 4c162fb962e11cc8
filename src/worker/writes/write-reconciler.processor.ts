import { type Queue } from 'bull';
import { type WriteOperationEventPublisher } from '../../events/write-operation-events';
import { type Logger } from '../../logger';
import { requestWriteFlush } from '../../queue/writes.producer';
import { type Store } from '../../store';
import { type FlushLock } from '../../writes/flush-lock';
import { type WriteGroup, writeGroupKey } from '../../writes/write-operation.types';
import { publishTransitions } from './publish-transitions';
import { writeMetrics } from './write-metrics';

/**
 * The write reconciler (repeatable, `src/queue/writes-reconciler.producer.ts`). Bull is the trigger,
 * MongoDB the record: a flush job lost in Redis (a restart without AOF, eviction, a crash between
 * storing a write and enqueuing its flush) leaves writes QUEUED with nothing to run them. Every run:
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
  queue: Queue;
  lock: FlushLock;
  events: WriteOperationEventPublisher;
  logger: Logger;
  /** @defaultValue 10000 */
  staleQueuedMs?: number;
  now?: () => number;
}

export interface ReconcileSummary {
  flushesRequested: number;
  requeued: number;
  failed: number;
}

export async function runWriteReconciler(deps: WriteReconcilerDeps): Promise<ReconcileSummary> {
  const nowMs = deps.now?.() ?? Date.now();
  const now = new Date(nowMs);
  const repo = deps.store.writeBatches;
  const recovered = await repo.recoverStale(now, 0, async (group, recover) => {
    const token = await deps.lock.acquireForRecovery(group);
    if (!token) return false;
    try {
      await recover();
      return true;
    } finally {
      await deps.lock.release(group, token).catch(() => false);
    }
  });
  const changed = [...recovered.requeued, ...recovered.failed];
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
  for (const g of await repo.staleQueuedGroups(now, deps.staleQueuedMs ?? 10_000)) add(g);
  for (const g of groups.values()) {
    await requestWriteFlush(
      deps.queue,
      { connectionId: g.connectionId, object: g.object, batchKind: g.batchKind },
      'reconciler',
      0,
      nowMs,
    );
  }

  const stats = await repo.queuedStats();
  writeMetrics.queue(stats.depth, stats.oldestAcceptedAt, nowMs);
  return {
    flushesRequested: groups.size,
    requeued: recovered.requeued.length,
    failed: recovered.failed.length,
  };
}
