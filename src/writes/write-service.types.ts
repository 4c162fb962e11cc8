import { type CrmObject } from '../connectors/types';
import {
  type CanonicalPatch,
  type WriteKind,
  type WriteOperation,
  type WriteStatus,
} from './write-operation.types';

/**
 * The accept side of the write path as the GraphQL layer calls it (src/graphql/writes/): validation,
 * idempotency keys, storing operations and asking for their flush, reading, retrying and cancelling them.
 * Implemented by src/writes/write-service.ts; every method is scoped to the caller's tenant, and an id of
 * another tenant reads as unknown (NOT_FOUND), never as forbidden.
 */

/** One write as the client asked for it, before validation. */
export interface WriteItem {
  kind: WriteKind;
  object: CrmObject;
  /** CREATE and UPSERT: the connection written to. UPDATE/DELETE/LINK/UNLINK take it from `id`. */
  connectionId?: string;
  /**
   * UPDATE, DELETE, LINK, UNLINK: the record — an id returned by the read API (`src/reads/ids.ts`) or
   * the id of a WriteOperation whose CREATE is still pending or succeeded (`wop_…`).
   */
  id?: string;
  /** UPSERT: the canonical field (or `customFields.<name>`) holding the caller's external id, and its value. */
  externalId?: { field: string; value: string };
  /** CREATE, UPDATE, UPSERT: only the fields being written. */
  input?: CanonicalPatch;
  /** LINK/UNLINK: the deal (the item's `id` is the contact), in the same forms as `id`. */
  targetId?: string;
}

export interface AcceptRequest {
  tenantId: string;
  /** From the `Idempotency-Key` header or the `idempotencyKey` argument (the argument wins when both). */
  idempotencyKey: string | null;
  /** At most {@link MAX_WRITE_ITEMS}; every item is validated before any is stored. */
  items: readonly WriteItem[];
}

/** The most items one request may carry (`upsertContacts`/`upsertDeals`). */
export const MAX_WRITE_ITEMS = 500;

export interface WriteOperationFilter {
  connectionId?: string;
  status?: WriteStatus;
  /** Accepted at or after. */
  since?: Date;
}

export interface WriteOperationPage {
  nodes: WriteOperation[];
  /** Opaque, sealed (a forged or other tenant's cursor is BAD_USER_INPUT). Null on an empty page. */
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface WriteService {
  /**
   * Validates every item (BAD_USER_INPUT with `details.problems`, one entry per offending item and field,
   * prefixed `items[i]`), stores one QUEUED operation per item, asks for the flush of each group, publishes
   * QUEUED, and returns the operations in item order. No vendor call. A replay of the same idempotency key
   * with the same items returns the operations it made the first time (whatever their status now) and
   * enqueues nothing; with other items it throws CONFLICT with `details.reason: 'IDEMPOTENCY_KEY_REUSED'`.
   * An unknown connection (or another tenant's) is NOT_FOUND.
   */
  accept(request: AcceptRequest): Promise<WriteOperation[]>;
  get(tenantId: string, id: string): Promise<WriteOperation | null>;
  /** In the order of `ids`; null for an unknown id or another tenant's. One store read. */
  getMany(tenantId: string, ids: readonly string[]): Promise<(WriteOperation | null)[]>;
  /** Newest first; `first` 1–100. */
  list(
    tenantId: string,
    filter: WriteOperationFilter,
    first: number,
    after: string | null,
  ): Promise<WriteOperationPage>;
  /** DEAD, or FAILED with `failure.retryable`: QUEUED again (attempts reset) and flushed; else CONFLICT. */
  retry(tenantId: string, id: string): Promise<WriteOperation>;
  /** QUEUED only: CANCELLED; RUNNING/final is CONFLICT (RUNNING carries `details.retryAfterMs`). */
  cancel(tenantId: string, id: string): Promise<WriteOperation>;
}
