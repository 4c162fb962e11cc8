import { type Job } from 'bull';
import { type CrmObject, type NativeChange } from '../../connectors/types';
import { isAppError } from '../../errors';
import { type Logger } from '../../logger';
import { type WebhookIngestJobData } from '../../queue/webhook-ingest.producer';
import { type ConnectionsRepository } from '../../store/repositories/connections.repo';
import {
  type WebhookReceipt,
  type WebhookReceiptsRepository,
} from '../../store/repositories/webhook-receipts.repo';
import { type IngestChanges, type IngestOutcome } from '../../sync/types';

export interface WebhookIngestDeps {
  receipts: Pick<WebhookReceiptsRepository, 'findMany' | 'markIngested'>;
  /** The ingest core (src/sync/): changes → snapshots → change events. */
  ingest: IngestChanges;
  connections: Pick<ConnectionsRepository, 'getById'>;
  logger: Logger;
  /** @defaultValue () => new Date() */
  now?: () => Date;
}

/** Ingest's outcomes of the job's groups, summed, with the receipts this run ingested. */
export type WebhookIngestResult = IngestOutcome & {
  /** Receipts this run ingested (those already ingested by an earlier run or job are skipped). */
  receipts: number;
};

/** One object's changes of a job, with what ingest is told about them. */
interface ObjectGroup {
  changes: NativeChange[];
  /** The earliest receipt time of the group: when we first observed any of these changes. */
  observedAt: Date;
}

/**
 * Processes a `webhook-ingest` job (src/queue/webhook-ingest.producer.ts): loads the job's receipts,
 * skips those already ingested (a redelivery's job, a retry), groups their changes by object and hands
 * each group to `ingest` with source WEBHOOK, then marks the receipts ingested — by `_id`, after every
 * group went through. A failure leaves every receipt pending and fails the job, which Bull retries;
 * ingest is idempotent, so a group taken before the failure appends nothing the second time.
 *
 * A connection deleted since the delivery has nothing to ingest into: the job ends without ingesting
 * (purging its receipts is the connection's deletion's work).
 */
export function processWebhookIngest(
  deps: WebhookIngestDeps,
): (job: Job<WebhookIngestJobData>) => Promise<WebhookIngestResult> {
  const now = deps.now ?? (() => new Date());
  return async (job) => {
    const { connectionId, receiptIds } = job.data;
    const result = { receipts: 0 } as WebhookIngestResult;
    // A receipt id starts with its connection's id, and a job only ever names its own connection's:
    // anything else in the payload is not this job's to touch.
    const pending = (await deps.receipts.findMany(receiptIds)).filter(
      (r) => r.ingestedAt === null && r.connectionId === connectionId,
    );
    if (pending.length === 0) return result;
    const connection = await deps.connections.getById(connectionId).catch((err: unknown) => {
      if (isAppError(err) && err.code === 'NOT_FOUND') return null;
      throw err;
    });
    if (!connection) {
      deps.logger.info(
        { connectionId, receipts: pending.length },
        'webhook receipts not ingested: their connection was deleted',
      );
      return result;
    }
    for (const [object, group] of groupByObject(pending)) {
      const outcome = await deps.ingest({
        connection,
        object,
        changes: group.changes,
        source: 'WEBHOOK',
        observedAt: group.observedAt,
      });
      addOutcome(result, outcome);
    }
    await deps.receipts.markIngested(
      pending.map((r) => r.id),
      now(),
    );
    result.receipts = pending.length;
    return result;
  };
}

/** Adds every count of `outcome` to `total` (whatever counts the ingest contract has). */
function addOutcome(total: WebhookIngestResult, outcome: IngestOutcome): void {
  const sums = total as unknown as Record<string, number>;
  for (const [key, n] of Object.entries(outcome)) if (typeof n === 'number') sums[key] = (sums[key] ?? 0) + n;
}

/**
 * The receipts' changes per object, each group in the vendor's order of occurrence (deliveries arrive
 * in no guaranteed order; ties keep receipt order).
 */
export function groupByObject(receipts: readonly WebhookReceipt[]): Map<CrmObject, ObjectGroup> {
  const groups = new Map<CrmObject, ObjectGroup>();
  for (const receipt of receipts) {
    for (const change of receipt.changes) {
      const group = groups.get(change.object);
      if (!group) {
        groups.set(change.object, { changes: [change], observedAt: receipt.receivedAt });
        continue;
      }
      group.changes.push(change);
      if (receipt.receivedAt < group.observedAt) group.observedAt = receipt.receivedAt;
    }
  }
  for (const group of groups.values()) group.changes.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
  return groups;
}
