import { type Job } from 'bull';
import { type PingResult } from '../queue/system.producer';
import { type IdempotencyKeysRepository } from '../store/repositories/idempotency-keys.repo';

export function processPing(workerId: string) {
  return async (_job: Job): Promise<PingResult> => ({
    workerId,
    pid: process.pid,
    receivedAt: new Date().toISOString(),
  });
}

/** Deletes idempotency keys older than `retentionHours` (IDEMPOTENCY_KEY_RETENTION_HOURS). */
export function processIdempotencyPrune(
  keys: Pick<IdempotencyKeysRepository, 'pruneOlderThan'>,
  retentionHours: number,
  now: () => number = Date.now,
) {
  return async (_job?: Job): Promise<{ deleted: number }> => ({
    deleted: await keys.pruneOlderThan(new Date(now() - retentionHours * 3_600_000)),
  });
}
