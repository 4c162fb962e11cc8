import { answerWithin } from '../runtime/answer-within';
import { type Queue } from 'bull';
import { type EncryptedBlob } from '../security/credentials-cipher';
import { type QueueFactory, QUEUES } from './queues';

/** Finished pings Bull keeps before dropping the oldest. */
const KEEP_FINISHED_PINGS = 20;

export interface PingResult {
  workerId: string;
  pid: number;
  receivedAt: string;
}

/**
 * Asks some worker to answer and waits for it: proves end to end that a worker process is consuming
 * queues from this Redis (used by `npm run admin -- worker:ping` and the tests).
 */
export async function pingWorker(queues: QueueFactory, timeoutMs = 10000): Promise<PingResult> {
  const job = await queues.get(QUEUES.system).add(
    'ping',
    { sentAt: new Date().toISOString() },
    // Kept (the last few) rather than removed on completion: Bull's job.finished() subscribes only
    // after the job is queued, so an idle worker can answer first, and a removed job would then look
    // unfinished forever. A kept one is found completed.
    { removeOnComplete: KEEP_FINISHED_PINGS, removeOnFail: KEEP_FINISHED_PINGS, timeout: timeoutMs },
  );
  return (await answerWithin(
    job.finished() as Promise<unknown>,
    timeoutMs,
    () => new Error(`no worker answered within ${timeoutMs} ms`),
  )) as PingResult;
}

/** The repeatable job that deletes idempotency keys past their retention (src/worker/system.processor.ts). */
export const IDEMPOTENCY_PRUNE_JOB = 'idempotency-prune';

/**
 * Registers the prune job on the `system` queue (idempotent: Bull keys repeatable jobs by name and
 * schedule). FerretDB has no TTL indexes, so this is what expires keys.
 * @param everyMs run interval, default 1 h (keys live at least 24 h, so an hour late is harmless)
 */
export async function scheduleIdempotencyPrune(queue: Queue, everyMs = 3_600_000): Promise<void> {
  await scheduleRepeating(queue, IDEMPOTENCY_PRUNE_JOB, everyMs);
}

/** Purges a deleted connection's snapshots, history, writes, cursors and receipts (src/sync/purge.ts). */
export const CONNECTION_PURGE_JOB = 'connection-purge';

/**
 * Queues the purge of a deleted connection: one job per connection (its id is the job id), retried with
 * backoff while the store is unreachable, so a deletion that was answered is always followed through.
 */
export async function requestConnectionPurge(queue: Queue, connectionId: string): Promise<void> {
  await queue.add(
    CONNECTION_PURGE_JOB,
    { connectionId },
    {
      jobId: `${CONNECTION_PURGE_JOB}:${connectionId}`,
      attempts: 10,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: 100,
      removeOnFail: 100,
    },
  );
}

/** Revokes a deleted connection's grant at its vendor (src/worker/connection-revoke.processor.ts). */
export const CONNECTION_REVOKE_JOB = 'connection-revoke';

/**
 * What the revocation job needs once the connection document is gone. `credentials` is the ciphertext
 * exactly as the store held it (AAD: the connection id): Redis never sees a token, and only a process
 * holding the key ring can open it.
 */
export interface ConnectionRevokeJobData {
  connectionId: string;
  crm: string;
  vendorUrls: Record<string, string>;
  credentials: EncryptedBlob;
}

export interface ConnectionRevokeOptions {
  /**
   * Attempts in all while the vendor cannot be reached or answers 5xx; a definitive answer ends the job
   * at once.
   * @defaultValue 6 (with the default backoff, retries over about 5 minutes)
   */
  attempts?: number;
  /** @defaultValue 5000 (doubling: 5, 10, 20, 40, 80 s) */
  backoffMs?: number;
}

/**
 * Queues the revocation of a deleted connection's grant, apart from the purge of its data: a vendor
 * that is down retries this job on its own backoff and never holds the purge back. The job is removed
 * from Redis when it completes or finally fails, so the ciphertext does not outlive it.
 */
export async function requestConnectionRevoke(
  queue: Queue,
  data: ConnectionRevokeJobData,
  options: ConnectionRevokeOptions = {},
): Promise<void> {
  await queue.add(CONNECTION_REVOKE_JOB, data, {
    jobId: `${CONNECTION_REVOKE_JOB}:${data.connectionId}`,
    attempts: options.attempts ?? 6,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 5_000 },
    removeOnComplete: true,
    removeOnFail: true,
  });
}

/** Deletes change events past CHANGE_HISTORY_RETENTION_DAYS (scheduled only when it is set). */
export const CHANGE_HISTORY_PRUNE_JOB = 'change-history-prune';

export async function scheduleChangeHistoryPrune(queue: Queue, everyMs = 3_600_000): Promise<void> {
  await scheduleRepeating(queue, CHANGE_HISTORY_PRUNE_JOB, everyMs);
}

/** Deletes webhook receipts ingested longer ago than {@link WEBHOOK_RECEIPT_KEEP_MS}. */
export const WEBHOOK_RECEIPT_PRUNE_JOB = 'webhook-receipt-prune';

/**
 * How long an ingested receipt is kept: it is the dedupe window of redeliveries, and vendors redeliver
 * for up to a day (10 tries over 24 h, docs/vendors/<crm>.md "Webhooks"), so two days.
 */
export const WEBHOOK_RECEIPT_KEEP_MS = 48 * 3_600_000;

export async function scheduleWebhookReceiptPrune(queue: Queue, everyMs = 3_600_000): Promise<void> {
  await scheduleRepeating(queue, WEBHOOK_RECEIPT_PRUNE_JOB, everyMs);
}

/**
 * Registers a repeatable job of the `system` queue, every `everyMs` (default 1 h): idempotent, as Bull
 * keys repeatable jobs by name and schedule. The prunes run this way — FerretDB has no TTL indexes, so
 * these jobs are what expires data, and every retention is counted in hours or days, so an hour late is
 * harmless.
 */
export async function scheduleRepeating(queue: Queue, jobName: string, everyMs = 3_600_000): Promise<void> {
  await queue.add(jobName, {}, { repeat: { every: everyMs }, removeOnComplete: 10, removeOnFail: 50 });
}

/** Deletes audit events older than AUDIT_RETENTION_DAYS (docs/audit.md). */
export const AUDIT_PRUNE_JOB = 'audit-prune';
