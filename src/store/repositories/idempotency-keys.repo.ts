import { type IdempotencyKeyModel } from '../models/idempotency-key.model';
import { isDuplicateKeyError } from '../errors';
import { retryBusy } from '../bulk-write';

export interface IdempotencyKeyRecord {
  tenantId: string;
  key: string;
  requestHash: string;
  nonce: string;
  operationIds: string[];
  createdAt: Date;
}

/** What {@link IdempotencyKeysRepository.claim} found: the key is ours now, or someone claimed it first. */
export type ClaimOutcome = { claimed: true } | { claimed: false; existing: IdempotencyKeyRecord | null };

/** `idempotency_keys` (src/store/models/idempotency-key.model.ts). */
export class IdempotencyKeysRepository {
  constructor(private readonly keys: IdempotencyKeyModel) {}

  /**
   * Inserts the key: `claimed` when this insert made it; otherwise the record that holds it (null only
   * when it was pruned between our insert and our read, which the caller treats as a conflict to retry).
   */
  async claim(record: IdempotencyKeyRecord): Promise<ClaimOutcome> {
    try {
      await retryBusy(() => this.keys.create(record));
      return { claimed: true };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
    return { claimed: false, existing: await this.find(record.tenantId, record.key) };
  }

  async find(tenantId: string, key: string): Promise<IdempotencyKeyRecord | null> {
    const doc = await this.keys.findOne({ tenantId, key }).lean();
    if (!doc) return null;
    return {
      tenantId: doc.tenantId,
      key: doc.key,
      requestHash: doc.requestHash,
      nonce: doc.nonce,
      operationIds: [...(doc.operationIds ?? [])],
      createdAt: doc.createdAt,
    };
  }

  /** Deletes keys created before `before`; returns how many. */
  async pruneOlderThan(before: Date): Promise<number> {
    const result = await retryBusy(() => this.keys.deleteMany({ createdAt: { $lt: before } }));
    return result.deletedCount ?? 0;
  }
}
