import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * The last-known canonical state of one CRM record (connection, object, remote id), as the CRM stored
 * it: what a change is compared with, so neither the echo of our own write nor the vendor's
 * normalisation of a value is later taken for a foreign change. The write engine updates it when a
 * write succeeds; sync extends it.
 *
 * Fields are `[{field, value}]` pairs, not a map: canonical names of custom fields may hold `.`, which
 * FerretDB refuses in keys. `_id` is `<connectionId>:<object>:<remoteId>`, so an upsert needs no lookup.
 */
const recordSnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    connectionId: { type: String, required: true },
    object: { type: String, required: true },
    remoteId: { type: String, required: true },
    fields: { type: [Schema.Types.Mixed], default: [] },
    isDeleted: { type: Boolean, required: true, default: false },
    /** The vendor's last-modified time of the record, when it reported one. */
    remoteUpdatedAt: { type: Date, default: null },
    /** The write operation that produced this state, when a write did. */
    writeOperationId: { type: String, default: null },
    /**
     * The tenant change number of the event that moved the record to this state: written before the
     * event itself, so a change log reaping a dead writer's numbers knows the event is real
     * (src/sync/change-log.ts).
     */
    lastSeq: { type: Number, default: null },
    /**
     * The app's last-written value of each field it wrote to this record through the write path, as the
     * CRM stored it (`[{field, value}]`): a CRM-side change to such a field, if the mapping gives the
     * field to the app, is a CONFLICT (src/sync/conflicts.ts). Fields the app never wrote are absent.
     */
    appValues: { type: [Schema.Types.Mixed], default: [] },
  },
  { timestamps: true, minimize: false, versionKey: false },
);
recordSnapshotSchema.index({ connectionId: 1, object: 1, remoteId: 1 });

export type RecordSnapshotDoc = InferSchemaType<typeof recordSnapshotSchema>;
export type RecordSnapshotModel = Model<RecordSnapshotDoc>;

export function recordSnapshotModel(conn: Connection): RecordSnapshotModel {
  return (
    (conn.models.RecordSnapshot as RecordSnapshotModel | undefined) ??
    conn.model('RecordSnapshot', recordSnapshotSchema, 'record_snapshots')
  );
}
