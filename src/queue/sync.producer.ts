import { type JobOptions, type Queue } from 'bull';

/**
 * Poll and backfill jobs of the `sync` queue (processed by src/worker/sync/): a repeatable schedule
 * job that enqueues a poll per due connection, the polls, and backfill chunks. Bull is the trigger;
 * every position is in MongoDB (`sync_states`).
 */
export const SYNC_SCHEDULE_JOB = 'sync-poll-schedule';
export const SYNC_POLL_JOB = 'sync-poll';
export const SYNC_BACKFILL_JOB = 'sync-backfill';

export interface SyncPollJobData {
  connectionId: string;
}

export interface SyncBackfillJobData {
  connectionId: string;
  /** How many chunks of this run came before (0: the first); names the next chunk's job. */
  chunk: number;
}

/**
 * How often the schedule job looks for due connections. Shorter than any sensible poll interval, so a
 * poll is late by at most this much; the check is one read of the connections and their poll states.
 */
export const SYNC_SCHEDULE_EVERY_MS = 5_000;

const POLL_OPTIONS: JobOptions = {
  removeOnComplete: true,
  // A failed poll is retried by the next schedule tick (its position is stored), not by Bull.
  removeOnFail: true,
};

/**
 * Enqueues a poll of one connection. The job id is the connection's, so a poll already waiting
 * absorbs this one (duplicates collapse); one that is running reads every change anyway.
 */
export async function enqueuePoll(queue: Queue, connectionId: string, delayMs = 0): Promise<void> {
  await queue.add(SYNC_POLL_JOB, { connectionId } satisfies SyncPollJobData, {
    ...POLL_OPTIONS,
    jobId: `${SYNC_POLL_JOB}:${connectionId}`,
    delay: delayMs,
  });
}

/**
 * Enqueues a backfill chunk. Chunks of a run are named by their number, so a chunk re-enqueued twice
 * (a retried job) collapses, and a chunk can enqueue its successor while it is itself still active.
 * `kick` names a start (the first poll, the scheduler, a resync): at most one of each waits at a time.
 */
export async function enqueueBackfill(
  queue: Queue,
  connectionId: string,
  next: { chunk: number } | { kick: string },
  delayMs = 0,
): Promise<void> {
  const name = 'chunk' in next ? String(next.chunk) : next.kick;
  await queue.add(
    SYNC_BACKFILL_JOB,
    { connectionId, chunk: 'chunk' in next ? next.chunk : 0 } satisfies SyncBackfillJobData,
    {
      jobId: `${SYNC_BACKFILL_JOB}:${connectionId}:${name}`,
      delay: delayMs,
      removeOnComplete: true,
      // Not kept: a later run's chunk of the same number must not meet a kept id (Bull ignores the add).
      removeOnFail: true,
      // Store or vendor failures; the run resumes from its stored cursor on each attempt.
      attempts: 5,
      backoff: { type: 'exponential', delay: 2_000 },
    },
  );
}

/** Registers the schedule job (idempotent: Bull keys repeatable jobs by name and schedule). */
export async function scheduleSyncPolls(queue: Queue, everyMs = SYNC_SCHEDULE_EVERY_MS): Promise<void> {
  await queue.add(
    SYNC_SCHEDULE_JOB,
    {},
    { repeat: { every: everyMs }, removeOnComplete: true, removeOnFail: 20 },
  );
}
