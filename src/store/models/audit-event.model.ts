import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * One entry of the audit log (src/audit/audit.types.ts): append-only, pruned after
 * AUDIT_RETENTION_DAYS by a repeatable job of the `system` queue (FerretDB has no TTL indexes).
 */
const auditEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    at: { type: Date, required: true },
    actor: {
      kind: { type: String, required: true },
      keyId: { type: String, default: null },
      subject: { type: String, default: null },
    },
    action: { type: String, required: true },
    connectionId: { type: String, default: null },
    targetIds: { type: [String], default: [] },
    targetCount: { type: Number, required: true },
    outcome: { type: String, required: true },
    errorCode: { type: String, default: null },
  },
  { minimize: false, versionKey: false },
);
auditEventSchema.index({ tenantId: 1, at: -1, _id: -1 });
auditEventSchema.index({ at: 1 });

export type AuditEventDoc = InferSchemaType<typeof auditEventSchema>;
export type AuditEventModel = Model<AuditEventDoc>;

export function auditEventModel(conn: Connection): AuditEventModel {
  return (
    (conn.models.AuditEvent as AuditEventModel | undefined) ??
    conn.model('AuditEvent', auditEventSchema, 'audit_events')
  );
}
