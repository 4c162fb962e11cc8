import { type CrmObject } from '../../connectors/types';
import { type WriteOperationDoc } from '../models/write-operation.model';
import {
  type BatchKind,
  type CanonicalPatch,
  type WriteFailure,
  type WriteKind,
  type WriteOperation,
  type WriteStatus,
} from '../../writes/write-operation.types';

/** The one place a stored operation becomes a {@link WriteOperation} (both the API and the worker read them). */
export function toWriteOperation(doc: WriteOperationDoc & { _id: string; updatedAt?: Date }): WriteOperation {
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
    input: (doc.input as CanonicalPatch | null) ?? null,
    nativeFields: (doc.nativeFields as Record<string, unknown> | null) ?? null,
    inputHash: doc.inputHash,
    idempotencyKey: doc.idempotencyKey ?? null,
    attempts: doc.attempts,
    notBefore: doc.notBefore,
    claimToken: doc.claimToken ?? null,
    runningSince: doc.runningSince ?? null,
    result: (doc.result as WriteOperation['result']) ?? null,
    failure: (doc.failure as WriteFailure | null) ?? null,
    acceptedAt: doc.acceptedAt,
    updatedAt: doc.updatedAt ?? doc.acceptedAt,
    finishedAt: doc.finishedAt ?? null,
  };
}
