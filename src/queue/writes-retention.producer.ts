import { type Queue } from 'bull';
import { scheduleRepeating } from './system.producer';

/**
 * The repeatable job of the `system` queue that deletes finished write operations past
 * WRITE_OPERATION_RETENTION_DAYS (processed by `src/worker/writes/write-retention.processor.ts`;
 * FerretDB has no TTL indexes).
 */
export const WRITE_OPERATION_PRUNE_JOB = 'write-operation-prune';

/**
 * Registers the prune (idempotent: Bull keys repeatable jobs by name and schedule).
 * @param everyMs run interval, default 1 h (retention is counted in days, so an hour late is harmless)
 */
export async function scheduleWriteOperationPrune(queue: Queue, everyMs = 3_600_000): Promise<void> {
  await scheduleRepeating(queue, WRITE_OPERATION_PRUNE_JOB, everyMs);
}
