import { type Queue } from 'bull';

/**
 * Jobs that keep vendor notification channels alive (processed by src/worker/notifications/): a
 * repeatable schedule that finds connections whose channel is due, and one subscribe-or-renew job per
 * connection. Where each channel stands is in MongoDB (src/sync/notifications/); Bull is the trigger.
 */
export const NOTIFICATIONS_SCHEDULE_JOB = 'notifications-schedule';
export const NOTIFICATIONS_ENSURE_JOB = 'notifications-ensure';

export interface NotificationsEnsureJobData {
  connectionId: string;
}

/**
 * How often the schedule looks for due channels: a renewal is at most this late, against a margin of
 * hours (a third of the channel's lifetime); the check is one read of connections and channel states.
 */
export const NOTIFICATIONS_SCHEDULE_EVERY_MS = 60_000;

/**
 * Enqueues the subscription or renewal of one connection's channel (when it is made, and when due).
 * The job id is the connection's, so one already waiting or retrying absorbs this one; a failure is
 * retried with backoff, and after the last attempt the schedule tries again once the retry delay passed.
 */
export async function requestNotificationChannel(queue: Queue, connectionId: string): Promise<void> {
  await queue.add(NOTIFICATIONS_ENSURE_JOB, { connectionId } satisfies NotificationsEnsureJobData, {
    jobId: `${NOTIFICATIONS_ENSURE_JOB}:${connectionId}`,
    attempts: 4,
    backoff: { type: 'exponential', delay: 10_000 },
    removeOnComplete: true,
    // Not kept: a later request must not meet a kept id (Bull ignores the add).
    removeOnFail: true,
  });
}

/** Registers the schedule (idempotent: Bull keys repeatable jobs by name and schedule). */
export async function scheduleNotificationChannels(
  queue: Queue,
  everyMs = NOTIFICATIONS_SCHEDULE_EVERY_MS,
): Promise<void> {
  await queue.add(
    NOTIFICATIONS_SCHEDULE_JOB,
    {},
    { repeat: { every: everyMs }, removeOnComplete: true, removeOnFail: 20 },
  );
}
