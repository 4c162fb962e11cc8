import { type NativeChange } from '../../connectors/types';
import { bulkWriteChunked, retryBusy, updateById } from '../bulk-write';
import { duplicatePositions } from '../errors';
import { type WebhookReceiptDoc, type WebhookReceiptModel } from '../models/webhook-receipt.model';

/** A stored webhook event of one connection (src/store/models/webhook-receipt.model.ts). */
export interface WebhookReceipt {
  /** `<connectionId>:<dedupe key>`: see {@link webhookReceiptId}. */
  id: string;
  tenantId: string;
  connectionId: string;
  crm: string;
  changes: NativeChange[];
  receivedAt: Date;
  ingestedAt: Date | null;
}

export type NewWebhookReceipt = Omit<WebhookReceipt, 'ingestedAt'>;

/** What one insert did: ids it stored, and ids that were there already (redeliveries). */
export interface ReceiptInsertOutcome {
  inserted: string[];
  duplicates: string[];
}

/** The receipt id of one event for one connection: the vendor's dedupe key, per connection. */
export function webhookReceiptId(connectionId: string, dedupeKey: string): string {
  return `${connectionId}:${dedupeKey}`;
}

/**
 * Documents per insert command: a delivery is ≤ 100 events per connection at the documented batch
 * size, so one command each; a larger (hostile or future) one goes out in several.
 */
const RECEIPT_INSERT_CHUNK = 100;

/**
 * Lookups by id in flight at once. Each receipt is read by `{_id}` alone: FerretDB 1.x (SQLite) uses
 * the primary key only for that exact filter, and reads and decodes the whole collection for
 * `{_id: {$in: …}}`, which grows with every delivery ever kept.
 */
const READ_CONCURRENCY = 16;

export class WebhookReceiptsRepository {
  constructor(private readonly receipts: WebhookReceiptModel) {}

  /**
   * Stores `receipts` unordered. A receipt whose id exists is a redelivery: reported in `duplicates`,
   * not an error (its first copy stays as it was, ingested or not). Any other failure throws — the
   * caller must not acknowledge the delivery then, so the vendor sends it again.
   */
  async insertMany(receipts: readonly NewWebhookReceipt[]): Promise<ReceiptInsertOutcome> {
    const outcome: ReceiptInsertOutcome = { inserted: [], duplicates: [] };
    for (let i = 0; i < receipts.length; i += RECEIPT_INSERT_CHUNK) {
      const chunk = receipts.slice(i, i + RECEIPT_INSERT_CHUNK);
      const taken = await retryBusy(() => this.insertChunk(chunk));
      for (const [j, r] of chunk.entries()) (taken.has(j) ? outcome.duplicates : outcome.inserted).push(r.id);
    }
    return outcome;
  }

  /** Positions in `chunk` whose id was taken already; throws on any other write error. */
  private async insertChunk(chunk: readonly NewWebhookReceipt[]): Promise<Set<number>> {
    const docs: WebhookReceiptDoc[] = chunk.map((r) => ({
      _id: r.id,
      tenantId: r.tenantId,
      connectionId: r.connectionId,
      crm: r.crm,
      changes: JSON.stringify(r.changes),
      receivedAt: r.receivedAt,
      ingestedAt: null,
    }));
    try {
      // The driver's insert: the documents are complete, and mongoose's casting adds nothing here.
      await this.receipts.collection.insertMany(docs as never[], { ordered: false });
      return new Set();
    } catch (err) {
      const taken = duplicatePositions(err, chunk.length);
      if (!taken) throw err;
      return new Set(taken);
    }
  }

  /** The receipts of `ids` that exist, in the order of `ids` (a missing one is skipped). */
  async findMany(ids: readonly string[]): Promise<WebhookReceipt[]> {
    const found: (WebhookReceipt | null)[] = new Array<WebhookReceipt | null>(ids.length).fill(null);
    let next = 0;
    const reader = async (): Promise<void> => {
      while (next < ids.length) {
        const i = next++;
        const doc = await this.receipts.findOne({ _id: ids[i] }).lean();
        found[i] = doc ? toReceipt(doc) : null;
      }
    };
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, ids.length) }, reader));
    return found.filter((r): r is WebhookReceipt => r !== null);
  }

  /** Marks receipts ingested, one `{_id}` statement each (bulkWrite chunks). */
  async markIngested(ids: readonly string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await bulkWriteChunked(
      (c) => this.receipts.bulkWrite(c, { ordered: false }),
      ids.map((id) => updateById<WebhookReceiptDoc>(id, { ingestedAt: at })),
    );
  }

  /**
   * Deletes receipts ingested before `before`; returns how many. Receipts are the dedupe window: keep
   * them past the vendors' redelivery horizon (up to a day: docs/vendors), or a late
   * redelivery is stored and ingested again (harmless: ingest is idempotent, but it costs a job).
   * A pending receipt is never pruned. No TTL indexes on FerretDB: a repeatable job calls this.
   */
  async pruneIngested(before: Date): Promise<number> {
    const res = await this.receipts.deleteMany({ ingestedAt: { $ne: null, $lt: before } });
    return res.deletedCount;
  }

  /** Deletes every receipt of a connection (the connection is being deleted); returns how many. */
  async deleteForConnection(connectionId: string): Promise<number> {
    const res = await this.receipts.deleteMany({ connectionId });
    return res.deletedCount;
  }
}

function toReceipt(doc: WebhookReceiptDoc): WebhookReceipt {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    connectionId: doc.connectionId,
    crm: doc.crm,
    changes: JSON.parse(doc.changes) as NativeChange[],
    receivedAt: doc.receivedAt,
    ingestedAt: doc.ingestedAt ?? null,
  };
}
