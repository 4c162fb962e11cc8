import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { WRITE_KINDS, WRITE_STATUSES } from '../../writes/write-operation.types';

/**
 * One accepted write and its outcome (src/writes/write-operation.types.ts). MongoDB is the record of
 * every write; Bull only triggers flushes. Ids are strings (`wop_…`) made by the accepting process, so
 * an idempotent replay can compute the same ones.
 *
 * FerretDB 1.24 (SQLite) applies a conditional update as a read then a write by `_id`, not atomically:
 * only unique-index inserts are atomic there. So no code relies on an update's filter to exclude a
 * concurrent writer: claims and cancellations of a group are serialised by its flush lock
 * (src/writes/flush-lock.ts), and the filters only guard against stale flushes.
 */
const writeOperationSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    connectionId: { type: String, required: true },
    crm: { type: String, required: true },
    object: { type: String, required: true },
    kind: { type: String, required: true, enum: WRITE_KINDS },
    batchKind: { type: String, required: true },
    status: { type: String, required: true, enum: WRITE_STATUSES },
    seq: { type: Number, required: true },
    recordKey: { type: String, required: true },
    remoteId: { type: String, default: null },
    target: { type: Schema.Types.Mixed, default: null },
    dependsOn: { type: [String], default: [] },
    externalId: { type: Schema.Types.Mixed, default: null },
    // The gateway key field a CREATE was claimed with (its value is the operation id): set for a whole
    // batch in one statement, and what tells recovery that a resend is an upsert, not a second create.
    gatewayKeyField: { type: String, default: null },
    // Whether the claim that set it was the first (src/writes/write-operation.types.ts).
    firstKeyedSend: { type: Boolean, default: false },
    // Field names are canonical or native names, which may hold `.` (a relationship path): stored as
    // pairs so FerretDB (which refuses `.` and `$` in keys) takes them (see toFieldPairs in the repo).
    input: { type: Schema.Types.Mixed, default: null },
    nativeFields: { type: Schema.Types.Mixed, default: null },
    inputHash: { type: String, required: true },
    idempotencyKey: { type: String, default: null },
    attempts: { type: Number, required: true, default: 0 },
    notBefore: { type: Date, required: true },
    claimToken: { type: String, default: null },
    runningSince: { type: Date, default: null },
    // The vendor bulk job a RUNNING operation is in ({ref, submittedAt}; docs/writes.md "Bulk jobs").
    bulkJob: { type: Schema.Types.Mixed, default: null },
    result: { type: Schema.Types.Mixed, default: null },
    failure: { type: Schema.Types.Mixed, default: null },
    acceptedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { timestamps: { createdAt: false, updatedAt: true }, minimize: false, versionKey: false },
);
// What a flush claims: one group's QUEUED operations in acceptance order.
writeOperationSchema.index({ connectionId: 1, object: 1, batchKind: 1, status: 1, seq: 1 });
// Ordering: the earlier unfinished operations on the same record.
writeOperationSchema.index({ connectionId: 1, recordKey: 1, seq: 1 });
// The API's lists (per tenant, newest first, keyset on _id) and the reconciler's scan of old QUEUED ones.
writeOperationSchema.index({ tenantId: 1, acceptedAt: -1, _id: -1 });
writeOperationSchema.index({ status: 1, acceptedAt: 1 });

/**
 * Finished operations (SUCCEEDED, FAILED, DEAD, CANCELLED) live in their own collection, so that what
 * the engine queries — claims, ordering, wake-ups, the reconciler — holds only open work: on FerretDB
 * every such query decodes its whole collection, and history would otherwise slow every batch
 * (docs/writes.md "Finished operations"). Same shape; only the API reads it, and the retention prune.
 */
const finishedWriteOperationSchema = writeOperationSchema.clone();
finishedWriteOperationSchema.clearIndexes();
finishedWriteOperationSchema.index({ tenantId: 1, acceptedAt: -1, _id: -1 });
// WRITE_OPERATION_RETENTION_DAYS: the prune deletes by finish time.
finishedWriteOperationSchema.index({ finishedAt: 1 });

export type WriteOperationDoc = InferSchemaType<typeof writeOperationSchema>;
export type WriteOperationModel = Model<WriteOperationDoc>;

/** The collection of finished operations (see the schema above). */
export const FINISHED_WRITE_OPERATIONS = 'write_operations_finished';

export function finishedWriteOperationModel(conn: Connection): WriteOperationModel {
  return (
    (conn.models.FinishedWriteOperation as WriteOperationModel | undefined) ??
    (conn.model(
      'FinishedWriteOperation',
      finishedWriteOperationSchema,
      FINISHED_WRITE_OPERATIONS,
    ) as unknown as WriteOperationModel)
  );
}

export function writeOperationModel(conn: Connection): WriteOperationModel {
  return (
    (conn.models.WriteOperation as WriteOperationModel | undefined) ??
    conn.model('WriteOperation', writeOperationSchema, 'write_operations')
  );
}
