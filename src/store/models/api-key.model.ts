import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';
import { API_KEY_SCOPES } from '../../security/api-keys';

const apiKeySchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    name: { type: String, required: true, trim: true, maxlength: 120 },
    /** SHA-256 of the whole key: the key itself is never stored. */
    hash: { type: String, required: true },
    /** Short, non-secret part shown in listings. */
    prefix: { type: String, required: true },
    scope: { type: String, required: true, enum: API_KEY_SCOPES },
    /** null while the key is valid. Always present, so it can be part of a query without $exists. */
    revokedAt: { type: Date, default: null },
    /** Last successful authentication, written at most once a minute (ApiKeysRepository.authenticate). */
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
apiKeySchema.index({ hash: 1 }, { unique: true });

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema> & { _id: Types.ObjectId };
export type ApiKeyModel = Model<InferSchemaType<typeof apiKeySchema>>;

export function apiKeyModel(conn: Connection): ApiKeyModel {
  return (conn.models.ApiKey as ApiKeyModel | undefined) ?? conn.model('ApiKey', apiKeySchema);
}
