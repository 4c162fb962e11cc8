import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';

/**
 * Per-connection overrides of the default field mapping, one document per (connection, object). The
 * entries are validated by `src/mapping/schema.ts` and against the CRM's metadata before they are stored;
 * here they are opaque so the transform vocabulary can grow without a migration. Read back, each entry is
 * parsed again on its own (`repositories/field-mappings.repo.ts`): one stored before a rule was added is ignored and
 * reported, never fatal to reads.
 */
const fieldMappingSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    connectionId: { type: Schema.Types.ObjectId, required: true },
    /** Canonical object: `contact` or `deal`. */
    object: { type: String, required: true },
    /** FieldMappingOverride[]: an entry replaces the default with the same canonical name, or `{canonical, remove: true}`. */
    overrides: { type: [Schema.Types.Mixed], default: [] },
    /** Bumped on every change, so caches keyed by it never serve a stale mapping. */
    version: { type: Number, required: true, default: 1 },
  },
  { timestamps: true, minimize: false },
);
// Both fields are always present, so the unique index is safe on FerretDB too.
fieldMappingSchema.index({ connectionId: 1, object: 1 }, { unique: true });
fieldMappingSchema.index({ tenantId: 1 });

export type FieldMappingDoc = InferSchemaType<typeof fieldMappingSchema> & { _id: Types.ObjectId };
export type FieldMappingModel = Model<InferSchemaType<typeof fieldMappingSchema>>;

export function fieldMappingModel(conn: Connection): FieldMappingModel {
  return (
    (conn.models.FieldMapping as FieldMappingModel | undefined) ??
    conn.model('FieldMapping', fieldMappingSchema)
  );
}
