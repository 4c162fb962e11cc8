import { type JobOptions, type Queue } from 'bull';
import { addReplacingFinished } from './replace-finished-job';
import { type WriteGroup, writeGroupKey } from '../writes/write-operation.types';

/**
 * Flush jobs of the `writes` queue (processed by src/worker/writes/). A flush claims one group's QUEUED
 * operations from MongoDB and sends them as one bulk call, so batches form from the store, not inside
 * one worker's memory: however many gateways accepted the writes and however many workers run.
 */
export const WRITE_FLUSH_JOB = 'write-flush';

/** How long writes of one group gather before their flush runs (the coalescing window). */
export const WRITE_COALESCE_WINDOW_MS = 50;

export interface WriteFlushJobData extends WriteGroup {
  /** Why it was enqueued (metrics and logs): a new write, a continuation, a reschedule, the reconciler. */
  reason: 'accepted' | 'continuation' | 'reschedule' | 'reconciler' | 'retry';
}

/**
 * Asks for a flush of `group` after `delayMs` (default: the end of the current coalescing window).
 *
 * Deduplicated by job id: every write of one group accepted within one window maps to the same id
 * (the window's index), and Bull 4 ignores an `add` whose id exists — so 1,000 writes in 50 ms make one
 * job, not 1,000. A later window gets a new id, so a flush already running never swallows the request
 * of writes that arrived after it claimed its batch.
 */
export async function requestWriteFlush(
  queue: Queue,
  group: WriteGroup,
  reason: WriteFlushJobData['reason'],
  delayMs: number = WRITE_COALESCE_WINDOW_MS,
  now: number = Date.now(),
): Promise<void> {
  const runAt = now + Math.max(0, delayMs);
  const window = Math.ceil(runAt / WRITE_COALESCE_WINDOW_MS);
  const data: WriteFlushJobData = { ...group, reason };
  const options: JobOptions & { jobId: string } = {
    jobId: `flush:${writeGroupKey(group)}:${window}`,
    delay: window * WRITE_COALESCE_WINDOW_MS - now,
    removeOnComplete: true,
    removeOnFail: 1000,
    // Failures are the flush's own (the store down): retried by Bull; vendor outcomes never fail the job.
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
  };
  // A re-enqueue of work Bull may still hold as finished (the reconciler, a retry of a DEAD write whose
  // failed flush is kept) must not be swallowed; a new write's request is an ordinary add (the hot path).
  if (reason === 'reconciler' || reason === 'retry') {
    await addReplacingFinished(queue, WRITE_FLUSH_JOB, data, options);
  } else {
    await queue.add(WRITE_FLUSH_JOB, data, options);
  }
}
