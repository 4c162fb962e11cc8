import crypto from 'node:crypto';
import { type CrmObject } from '../../../src/connectors/types';
import { type Store } from '../../../src/store';
import { toWriteOperation } from '../../../src/store/repositories/write-operation.view';
import { type OpenOperationsIndex } from '../../../src/writes/open-index';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { type WriteOperation } from '../../../src/writes/write-operation.types';
import { batchKindOf, type WriteKind, type WriteGroup } from '../../../src/writes/write-operation.types';

/**
 * Write operations as the accept path stores them, inserted straight into `write_operations`, so the
 * engine is tested without the GraphQL API: native fields as `[{field, value}]` pairs, a create's
 * record key `op:<its id>`, an update's `rid:<remoteId>` (or `op:<create id>` with `dependsOn`).
 */

export interface OperationSpec {
  kind: WriteKind;
  object?: CrmObject;
  /** Native fields to write. */
  fields?: Record<string, unknown>;
  /** UPDATE/DELETE of a known record. */
  remoteId?: string;
  /** UPDATE/DELETE of the record a pending create makes (its operation id). */
  after?: string;
  externalId?: { field: string; value: string };
  /**
   * LINK/UNLINK: the other record (a deal for a contact operation), known (`remoteId`) or made by a
   * pending create (`after`: its operation id, listed in `dependsOn`).
   */
  target?: { object: CrmObject; remoteId?: string; after?: string };
  acceptedAt?: Date;
  status?: WriteOperation['status'];
  runningSince?: Date | null;
  claimToken?: string | null;
  id?: string;
}

let seq = 0;

export function newOperationId(): string {
  return `wop_${crypto.randomBytes(10).toString('hex')}`;
}

export function operationDoc(
  connection: { id: string; tenantId: string; crm: string },
  spec: OperationSpec,
): Record<string, unknown> {
  const id = spec.id ?? newOperationId();
  const acceptedAt = spec.acceptedAt ?? new Date();
  seq += 1;
  const recordKey = spec.after
    ? `op:${spec.after}`
    : spec.remoteId
      ? `rid:${spec.remoteId}`
      : spec.externalId
        ? `ext:${spec.externalId.field}:${spec.externalId.value}`
        : `op:${id}`;
  return {
    _id: id,
    tenantId: connection.tenantId,
    connectionId: connection.id,
    crm: connection.crm,
    object: spec.object ?? 'contact',
    kind: spec.kind,
    batchKind: batchKindOf(spec.kind),
    status: spec.status ?? 'QUEUED',
    // Acceptance order within this process: a clock reading plus a counter, like the accept path's HLC.
    seq: acceptedAt.getTime() * 1000 + (seq % 1000),
    recordKey,
    remoteId: spec.remoteId ?? null,
    target: spec.target
      ? {
          object: spec.target.object,
          remoteId: spec.target.after ? null : (spec.target.remoteId ?? null),
          recordKey: spec.target.after ? `op:${spec.target.after}` : `rid:${spec.target.remoteId ?? ''}`,
        }
      : null,
    dependsOn: [spec.after, spec.target?.after].filter((x): x is string => typeof x === 'string'),
    externalId: spec.externalId ?? null,
    input: null,
    nativeFields: Object.entries(spec.fields ?? {}).map(([field, value]) => ({ field, value })),
    inputHash: crypto
      .createHash('sha256')
      .update(JSON.stringify(spec.fields ?? {}))
      .digest('hex'),
    idempotencyKey: null,
    attempts: 0,
    notBefore: acceptedAt,
    claimToken: spec.claimToken ?? null,
    runningSince: spec.runningSince ?? null,
    result: null,
    failure: null,
    acceptedAt,
    finishedAt: null,
  };
}

/**
 * Inserts the operations (one insertMany) and, as the accept path does, tells the open-operations index
 * of the context (src/writes/open-index.ts); returns their ids in order.
 */
export async function insertOperations(
  ctx: { store: Store; openIndex?: Pick<OpenOperationsIndex, 'apply'> },
  connection: { id: string; tenantId: string; crm: string },
  specs: readonly OperationSpec[],
): Promise<string[]> {
  const docs = specs.map((s) => operationDoc(connection, s));
  await writeOperationModel(ctx.store.conn).insertMany(docs);
  await ctx.openIndex?.apply(docs.map((d) => toWriteOperation({ ...d, updatedAt: d.acceptedAt } as never)));
  return docs.map((d) => d._id as string);
}

export function groupOf(connectionId: string, kind: WriteKind, object: CrmObject = 'contact'): WriteGroup {
  return { connectionId, object, batchKind: batchKindOf(kind) };
}
