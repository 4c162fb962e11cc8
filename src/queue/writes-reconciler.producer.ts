import { type Queue } from 'bull';

/**
 * The repeatable job of the `writes` queue that finds what Bull lost (processed by
 * `src/worker/writes/write-reconciler.processor.ts`): groups with writes QUEUED past a bound get their
 * flush requested again, and writes left RUNNING by a dead worker are recovered (docs/writes.md).
 */
export const WRITE_RECONCILE_JOB = 'write-reconcile';

/**
 * How often the reconciler runs: it bounds how long a killed worker's writes wait (docs/writes.md,
 * "Recovery bounds"). A run is a few indexed MongoDB reads (on FerretDB, collection scans: runs are
 * gated and rest after each, `processWriteReconciler`).
 */
export const WRITE_RECONCILE_EVERY_MS = 5_000;

/** Registers the repeatable job (idempotent: Bull keys repeatable jobs by name and schedule). */
export async function scheduleWriteReconciler(
  queue: Queue,
  everyMs = WRITE_RECONCILE_EVERY_MS,
): Promise<void> {
  await queue.add(
    WRITE_RECONCILE_JOB,
    {},
    { repeat: { every: everyMs }, removeOnComplete: 10, removeOnFail: 50 },
  );
}
