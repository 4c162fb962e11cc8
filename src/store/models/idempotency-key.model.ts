import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * One claimed idempotency key (src/writes/idempotency.ts): the request it was first used with (the hash
 * of its canonical items) and the operations that request made. Claimed by insert on the unique index
 * (tenantId, key) — on FerretDB 1.24 only a unique insert is atomic, a conditional update is not. Keys
 * live in their own collection because FerretDB has no TTL or partial indexes: a repeatable job of the
 * `system` queue deletes those older than IDEMPOTENCY_KEY_RETENTION_HOURS by `createdAt`.
 */
const idempotencyKeySchema = new Schema(
  {
    tenantId: { type: String, required: true },
    key: { type: String, required: true },
    requestHash: { type: String, required: true },
    /** Random per claim: the operation ids are derived from (tenant, key, nonce, index). */
    nonce: { type: String, required: true },
    operationIds: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
  },
  { minimize: false, versionKey: false },
);
idempotencyKeySchema.index({ tenantId: 1, key: 1 }, { unique: true });
idempotencyKeySchema.index({ createdAt: 1 });

export type IdempotencyKeyDoc = InferSchemaType<typeof idempotencyKeySchema>;
export type IdempotencyKeyModel = Model<IdempotencyKeyDoc>;

export function idempotencyKeyModel(conn: Connection): IdempotencyKeyModel {
  return (
    (conn.models.IdempotencyKey as IdempotencyKeyModel | undefined) ??
    conn.model('IdempotencyKey', idempotencyKeySchema, 'idempotency_keys')
  );
}
