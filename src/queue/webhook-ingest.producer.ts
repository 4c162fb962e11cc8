import { type JobOptions, type Queue } from 'bull';

/**
 * Ingest jobs of the `sync` queue for webhook deliveries (processed by
 * src/worker/sync/webhook-ingest.processor.ts): one per delivery and connection, carrying the ids of
 * that connection's receipts only — the changes themselves are in MongoDB (`webhook_receipts`), which
 * stays the record; Bull is the trigger.
 */
export const WEBHOOK_INGEST_JOB = 'webhook-ingest';

export interface WebhookIngestJobData {
  connectionId: string;
  /** Receipt ids (`<connectionId>:<dedupe key>`) of one delivery for this connection. */
  receiptIds: string[];
}

const OPTIONS: JobOptions = {
  removeOnComplete: true,
  removeOnFail: 1000,
  // A failure is the store's or ingest's (retryable); receipts already ingested are skipped on a rerun.
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
};

/** Enqueues the ingest of one delivery's receipts for one connection. */
export async function enqueueWebhookIngest(queue: Queue, data: WebhookIngestJobData): Promise<void> {
  await queue.add(WEBHOOK_INGEST_JOB, data, OPTIONS);
}
