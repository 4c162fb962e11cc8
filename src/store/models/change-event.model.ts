import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/** Who changed the record: a write through this gateway, or the CRM as sync observed it (docs/sync.md). */
export const CHANGE_SOURCES = ['MUTATION', 'WEBHOOK', 'POLL', 'BACKFILL'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

export const CHANGE_KINDS = ['CREATED', 'UPDATED', 'DELETED', 'RESTORED', 'CONFLICT'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/**
 * The change history of CRM records: append-only (inserted, never updated), one document per change
 * of one record, numbered per tenant (`seq`, src/sync/change-log.ts). `_id` is `<tenantId>:<seq>`, so
 * a range of numbers is read by its ids — the one lookup FerretDB answers from an index — and two
 * writers can never store one number twice.
 *
 * A number whose event was never stored (its writer died before it knew the event was real) is filled
 * with a gap marker (`gap: true`, nothing else), so readers can tell "not stored yet" from "never will
 * be"; readers skip markers.
 *
 * Field changes are `[{field, before, after}]` (canonical names as values, never keys: FerretDB refuses
 * `.` and `$` in keys).
 */
const changeEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    seq: { type: Number, required: true },
    gap: { type: Boolean, default: false },
    /** The lease the number was allocated under: tells a writer whether a stored number is its own. */
    lease: { type: String, default: null },
    connectionId: { type: String, default: null },
    object: { type: String, default: null },
    remoteId: { type: String, default: null },
    kind: { type: String, enum: [...CHANGE_KINDS, null], default: null },
    source: { type: String, enum: [...CHANGE_SOURCES, null], default: null },
    changes: { type: [Schema.Types.Mixed], default: [] },
    /** When the change happened, as the vendor (or our write) reports it. */
    occurredAt: { type: Date, default: null },
    /** When we learnt of it. */
    observedAt: { type: Date, default: null },
    /** A DELETED whose record is gone for good (no restore possible). */
    hard: { type: Boolean, default: false },
    writeOperationId: { type: String, default: null },
  },
  { versionKey: false, minimize: false },
);
changeEventSchema.index({ tenantId: 1, seq: 1 });
changeEventSchema.index({ connectionId: 1, object: 1, remoteId: 1, seq: 1 });

export type ChangeEventDoc = InferSchemaType<typeof changeEventSchema>;
export type ChangeEventModel = Model<ChangeEventDoc>;

export function changeEventModel(conn: Connection): ChangeEventModel {
  return (
    (conn.models.ChangeEvent as ChangeEventModel | undefined) ??
    conn.model('ChangeEvent', changeEventSchema, 'change_events')
  );
}

/** The `_id` of a tenant's event number `seq`. */
export function changeEventId(tenantId: string, seq: number): string {
  return `${tenantId}:${seq}`;
}
