import crypto from 'node:crypto';
import { BadUserInputError, ConflictError } from '../errors';
import { type IdempotencyKeysRepository } from '../store/repositories/idempotency-keys.repo';
import { canonicalJson, sha256Hex } from './write-input';

/**
 * Idempotency keys of writes, with Stripe's semantics (docs/writes.md "Accepting a write"):
 *
 * - the same key with the same items (the sha256 of their canonical JSON) → the operations the first
 *   request made, whatever their status now, and nothing enqueued again;
 * - the same key with other items → CONFLICT, `details.reason: 'IDEMPOTENCY_KEY_REUSED'`;
 * - a key is claimed by inserting it on the unique index (tenantId, key) — the one atomic primitive
 *   FerretDB 1.24 has — with a random nonce, and the request's operation ids are derived from
 *   (tenant, key, nonce, item index). So a replay that raced the first request (or comes after it
 *   crashed between the claim and storing its operations) computes the very same ids: storing them
 *   again inserts only what is missing, and one operation exists per item whatever the interleaving.
 * - a request refused by validation does not claim its key.
 *
 * Keys are kept IDEMPOTENCY_KEY_RETENTION_HOURS (at least 24 h), then pruned by a repeatable job.
 */

export const IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED';
export const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/** BAD_USER_INPUT unless the key is 1–255 printable ASCII characters. */
export function checkIdempotencyKey(key: string): void {
  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_CHARS || !/^[\x20-\x7e]+$/.test(key)) {
    throw new BadUserInputError(
      `idempotencyKey: expected 1–${MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII characters, got ${key.length} characters${/^[\x20-\x7e]*$/.test(key) ? '' : ' with others than printable ASCII'}`,
    );
  }
}

/** The hash a key is held to: sha256 of the canonical JSON of the request's items. */
export function requestHashOf(items: readonly unknown[]): string {
  return sha256Hex(canonicalJson(items));
}

/** Operation ids of a keyed request: derived, so every replay of the claim computes the same ones. */
export function derivedOperationIds(tenantId: string, key: string, nonce: string, count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `wop_${sha256Hex(JSON.stringify([tenantId, key, nonce, i])).slice(0, 32)}`,
  );
}

export function randomOperationIds(count: number): string[] {
  return Array.from({ length: count }, () => `wop_${crypto.randomBytes(16).toString('hex')}`);
}

/** What a key says about a request: its operation ids, and whether a request already claimed them. */
export interface KeyedIds {
  ids: string[];
  /** True when an earlier request holds the key (this is a replay). */
  replay: boolean;
}

export class IdempotencyKeys {
  constructor(private readonly repo: IdempotencyKeysRepository) {}

  /** The ids of an earlier request with this key and hash; null when the key is unclaimed. */
  async replayOf(tenantId: string, key: string, requestHash: string): Promise<string[] | null> {
    const found = await this.repo.find(tenantId, key);
    if (!found) return null;
    assertSameRequest(key, found.requestHash, requestHash);
    return found.operationIds;
  }

  /** Claims the key for a request of `count` items, or finds the claim that holds it. */
  async claim(
    tenantId: string,
    key: string,
    requestHash: string,
    count: number,
    now: Date,
  ): Promise<KeyedIds> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const nonce = crypto.randomBytes(12).toString('hex');
      const operationIds = derivedOperationIds(tenantId, key, nonce, count);
      const outcome = await this.repo.claim({
        tenantId,
        key,
        requestHash,
        nonce,
        operationIds,
        createdAt: now,
      });
      if (outcome.claimed) return { ids: operationIds, replay: false };
      if (outcome.existing) {
        assertSameRequest(key, outcome.existing.requestHash, requestHash);
        return { ids: outcome.existing.operationIds, replay: true };
      }
      // Pruned between our insert and our read: claim again.
    }
    throw new ConflictError('idempotencyKey: the key changed hands while this request claimed it; retry');
  }
}

function assertSameRequest(key: string, stored: string, requestHash: string): void {
  if (stored === requestHash) return;
  throw new ConflictError(
    `idempotencyKey ${JSON.stringify(key.slice(0, 80))} was already used with other writes; use a new key for new writes`,
    { details: { reason: IDEMPOTENCY_KEY_REUSED } },
  );
}
