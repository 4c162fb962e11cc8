import { type CrmObject } from '../../connectors/types';
import { type CanonicalValue } from '../../mapping/types';
import { type WriteOperationDoc } from '../models/write-operation.model';
import {
  type BatchKind,
  type CanonicalPatch,
  type WriteFailure,
  type WriteKind,
  type WriteOperation,
  type WriteStatus,
} from '../../writes/write-operation.types';

/** A stored operation as a lean query returns it. */
export type LeanWriteOperation = WriteOperationDoc & { _id: string; updatedAt?: Date };

/** The one place a stored operation becomes a {@link WriteOperation} (both the API and the worker read them). */
export function toWriteOperation(doc: LeanWriteOperation): WriteOperation {
  return {
    id: doc._id,
    tenantId: doc.tenantId,
    connectionId: doc.connectionId,
    crm: doc.crm,
    object: doc.object as CrmObject,
    kind: doc.kind as WriteKind,
    batchKind: doc.batchKind as BatchKind,
    status: doc.status as WriteStatus,
    seq: doc.seq,
    recordKey: doc.recordKey,
    remoteId: doc.remoteId ?? null,
    target: (doc.target as WriteOperation['target']) ?? null,
    dependsOn: doc.dependsOn ?? [],
    externalId: (doc.externalId as WriteOperation['externalId']) ?? null,
    gatewayKeyField: doc.gatewayKeyField ?? null,
    firstKeyedSend: doc.firstKeyedSend === true,
    input: canonicalPatchOf(doc.input),
    nativeFields: (doc.nativeFields as Record<string, unknown> | null) ?? null,
    inputHash: doc.inputHash,
    idempotencyKey: doc.idempotencyKey ?? null,
    attempts: doc.attempts,
    notBefore: doc.notBefore,
    claimToken: doc.claimToken ?? null,
    runningSince: doc.runningSince ?? null,
    bulkJob: (doc.bulkJob as WriteOperation['bulkJob']) ?? null,
    result: (doc.result as WriteOperation['result']) ?? null,
    failure: (doc.failure as WriteFailure | null) ?? null,
    acceptedAt: doc.acceptedAt,
    updatedAt: doc.updatedAt ?? doc.acceptedAt,
    finishedAt: doc.finishedAt ?? null,
  };
}

/**
 * The stored canonical input → a {@link CanonicalPatch}. Stored as `{fields: [{field, value}],
 * customFields: [...]}` (FerretDB refuses `.`/`$` in keys); a plain map is read too.
 */
function canonicalPatchOf(raw: unknown): CanonicalPatch | null {
  if (!raw || typeof raw !== 'object') return null;
  const { fields, customFields } = raw as { fields?: unknown; customFields?: unknown };
  return { fields: mapOf(fields), customFields: mapOf(customFields) };
}

function mapOf(raw: unknown): Record<string, CanonicalValue> {
  const out: Record<string, CanonicalValue> = {};
  const set = (key: string, value: unknown) =>
    // An own property whatever the key (`__proto__` included), never the prototype.
    Object.defineProperty(out, key, {
      value: (value ?? null) as CanonicalValue,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  if (Array.isArray(raw)) {
    for (const pair of raw as unknown[]) {
      if (pair && typeof pair === 'object' && typeof (pair as { field?: unknown }).field === 'string')
        set((pair as { field: string }).field, (pair as { value?: unknown }).value);
    }
  } else if (raw && typeof raw === 'object') {
    for (const key of Object.keys(raw)) set(key, (raw as Record<string, unknown>)[key]);
  }
  return out;
}
