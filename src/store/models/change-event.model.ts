import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** Who changed the record: a write through this gateway (sync adds the vendor-side sources). */
export const CHANGE_SOURCES = ['MUTATION'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

export const CHANGE_KINDS = ['CREATED', 'UPDATED', 'DELETED'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * The change history of CRM records: append-only (inserted, never updated), one document per change
 * of one record. Field changes are `[{field, before, after}]` (canonical names as values, never keys:
 * FerretDB refuses `.` and `$` in keys).
 */
const changeEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    connectionId: { type: String, required: true },
    object: { type: String, required: true },
    remoteId: { type: String, required: true },
    kind: { type: String, required: true, enum: CHANGE_KINDS },
    source: { type: String, required: true, enum: CHANGE_SOURCES },
    changes: { type: [Schema.Types.Mixed], default: [] },
    occurredAt: { type: Date, required: true },
    writeOperationId: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);
changeEventSchema.index({ connectionId: 1, object: 1, remoteId: 1, occurredAt: 1 });
changeEventSchema.index({ tenantId: 1, occurredAt: 1 });

export type ChangeEventDoc = InferSchemaType<typeof changeEventSchema>;
export type ChangeEventModel = Model<ChangeEventDoc>;

export function changeEventModel(conn: Connection): ChangeEventModel {
  return (
    (conn.models.ChangeEvent as ChangeEventModel | undefined) ??
    conn.model('ChangeEvent', changeEventSchema, 'change_events')
  );
}
