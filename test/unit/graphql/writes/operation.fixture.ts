import { type WriteOperation } from '../../../../src/writes/write-operation.types';

/** A stored operation with every field set; secrets in the fields no client may see. */
export function operation(patch: Partial<WriteOperation> = {}): WriteOperation {
  const at = new Date('2026-01-02T03:04:05.000Z');
  return {
    id: 'wop_1',
    tenantId: 'tenant-secret',
    connectionId: 'conn1',
    crm: 'hubspot',
    object: 'contact',
    kind: 'CREATE',
    batchKind: 'UPSERT',
    status: 'QUEUED',
    seq: 1,
    recordKey: 'op:wop_1',
    remoteId: null,
    target: null,
    dependsOn: [],
    externalId: null,
    gatewayKeyField: null,
    firstKeyedSend: false,
    input: { fields: { email: 'a@b.c' }, customFields: {} },
    nativeFields: { email: 'a@b.c' },
    inputHash: 'hash-secret',
    idempotencyKey: 'key-secret',
    attempts: 0,
    notBefore: at,
    claimToken: 'claim-secret',
    runningSince: null,
    bulkJob: null,
    result: null,
    failure: null,
    acceptedAt: at,
    updatedAt: at,
    finishedAt: null,
    ...patch,
  };
}
