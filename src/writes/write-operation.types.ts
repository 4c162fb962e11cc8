import { type BulkJobRef, type CrmObject } from '../connectors/types';
import { type CanonicalValue } from '../mapping/types';
import { type BatchKind } from '../config/crms';

/**
 * The write path's vocabulary (docs/writes.md). A mutation stores a {@link WriteOperation} (QUEUED) and
 * enqueues a flush of its group; a worker claims it (RUNNING) and ends it SUCCEEDED, FAILED, DEAD or
 * — while still QUEUED, on request — CANCELLED.
 */

export const WRITE_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'DEAD', 'CANCELLED'] as const;
export type WriteStatus = (typeof WRITE_STATUSES)[number];

/** Statuses an operation never leaves (except by `retryWriteOperation`, which queues it again). */
export const FINAL_WRITE_STATUSES: ReadonlySet<WriteStatus> = new Set([
  'SUCCEEDED',
  'FAILED',
  'DEAD',
  'CANCELLED',
]);

/** What the client asked for. */
export const WRITE_KINDS = ['CREATE', 'UPDATE', 'UPSERT', 'DELETE', 'LINK', 'UNLINK'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

export type { BatchKind };

export function batchKindOf(kind: WriteKind): BatchKind {
  if (kind === 'CREATE' || kind === 'UPDATE' || kind === 'UPSERT') return 'UPSERT';
  return kind;
}

/** The unit of coalescing: one flush job and one lock per group. */
export interface WriteGroup {
  connectionId: string;
  object: CrmObject;
  batchKind: BatchKind;
}

export function writeGroupKey(group: WriteGroup): string {
  return `${group.connectionId}:${group.object}:${group.batchKind}`;
}

/** Why an operation ended FAILED or DEAD (the GraphQL `WriteFailure.code`). */
export const WRITE_FAILURE_CODES = [
  /** The vendor refused the values (field errors in `fieldErrors`); never retried. */
  'VALIDATION',
  /** The record is gone (an update or delete of a deleted record). */
  'NOT_FOUND',
  /** The vendor may have applied a create that has no gateway key: never resent (see docs/writes.md). */
  'OUTCOME_UNKNOWN',
  /** The operation this one waits for (a pending create) ended without a record. */
  'DEPENDENCY_FAILED',
  /** The connection's credentials were refused and it stayed unusable past the wait bound. */
  'CONNECTION_UNAVAILABLE',
  /** Transient failures exhausted the attempts (DEAD). */
  'RETRIES_EXHAUSTED',
  /** The vendor refused the write for another reason (permissions, a locked record…). */
  'VENDOR_ERROR',
] as const;
export type WriteFailureCode = (typeof WRITE_FAILURE_CODES)[number];

export interface WriteFieldError {
  /** Native field name where the vendor names one. */
  field: string | null;
  message: string;
  code: string | null;
}

export interface WriteFailure {
  code: WriteFailureCode;
  message: string;
  /** Whether `retryWriteOperation` may queue it again. */
  retryable: boolean;
  fieldErrors: WriteFieldError[];
}

/** A canonical write as the client gave it (only the fields being written). */
export interface CanonicalPatch {
  fields: Record<string, CanonicalValue>;
  customFields: Record<string, CanonicalValue>;
}

/**
 * Which record an operation acts on, as a string its ordering is keyed by:
 * `rid:<remoteId>` (a known record), `op:<operationId>` (the record a pending create makes; rewritten
 * to `rid:` when the create succeeds), `ext:<field>:<value>` (an upsert by external id).
 */
export type RecordKey = string;

export interface WriteOperation {
  id: string;
  tenantId: string;
  connectionId: string;
  crm: string;
  object: CrmObject;
  kind: WriteKind;
  batchKind: BatchKind;
  status: WriteStatus;
  /** Acceptance order (a hybrid logical clock, `src/writes/sequence.ts`): writes to one record apply in it. */
  seq: number;
  recordKey: RecordKey;
  /** The record's vendor id, once known (given for updates and deletes, learnt for creates). */
  remoteId: string | null;
  /** For LINK/UNLINK: the other record (a deal for a contact operation). */
  target: { object: CrmObject; remoteId: string | null; recordKey: RecordKey } | null;
  /** A create this operation waits for (its `op:` record key), until that create has a record. */
  dependsOn: string[];
  /** Upsert key: the external-id field and value, or the gateway key set to the operation id. */
  externalId: { field: string; value: string } | null;
  /**
   * A CREATE sent as an upsert on the connection's gateway key: the key field (the value is the
   * operation id). Set by the engine when it claims the create; null otherwise.
   */
  gatewayKeyField: string | null;
  /**
   * The claim that keyed this CREATE was its first (no earlier claim set `gatewayKeyField`): nothing of
   * it can have reached the CRM before this send. Set with every keyed claim, so a later one clears it.
   */
  firstKeyedSend: boolean;
  /** The canonical input, and the native fields it maps to (computed when accepted). */
  input: CanonicalPatch | null;
  nativeFields: Record<string, unknown> | null;
  /** Hash of the canonical input, for idempotency-key replays. */
  inputHash: string;
  idempotencyKey: string | null;
  /** Real attempts (a 429 or a budget refusal is not one). */
  attempts: number;
  /** Not claimable before this instant (backoff, a vendor's Retry-After). */
  notBefore: Date;
  /** The claim of the flush that runs it (a fencing token: a stale flush's outcome is ignored). */
  claimToken: string | null;
  /**
   * The vendor bulk job it runs in, while RUNNING in one (docs/writes.md "Bulk jobs"): its reference
   * as the connector returned it, and when it was submitted (its timeout counts from then).
   */
  bulkJob: { ref: BulkJobRef; submittedAt: Date } | null;
  runningSince: Date | null;
  /** The record as the CRM stored it, in canonical fields (SUCCEEDED). */
  result: { created: boolean; record: Record<string, unknown> | null } | null;
  failure: WriteFailure | null;
  acceptedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}
