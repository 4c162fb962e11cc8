import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';

export const CONNECTION_STATUSES = ['ACTIVE', 'NEEDS_REAUTH', 'DISABLED'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

const encryptedBlobSchema = new Schema(
  {
    kid: { type: String, required: true },
    iv: { type: String, required: true },
    tag: { type: String, required: true },
    data: { type: String, required: true },
  },
  { _id: false },
);

const connectionSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    /** CRM kind as registered in src/connectors/registry.ts (validated there, not here). */
    crm: { type: String, required: true },
    displayName: { type: String, required: true, trim: true, maxlength: 120 },
    status: { type: String, required: true, enum: CONNECTION_STATUSES, default: 'ACTIVE' },
    statusReason: { type: String, default: null },
    /**
     * Tokens, secrets: AES-256-GCM with the connection id as AAD (src/security/credentials-cipher.ts).
     * Never returned by the API; repositories hand out views without it.
     */
    credentials: { type: encryptedBlobSchema, required: true },
    /** The vendor's id for the account this connection reaches (an org id, a portal id…). */
    externalAccountId: { type: String, default: null },
    /** Per-connection vendor URLs (auth server, API base, instance URL); empty = the vendor's real hosts. */
    vendorUrls: { type: Map, of: String, default: {} },
    /** Free-form per-connection settings (e.g. external-id field name, polling interval). */
    settings: { type: Schema.Types.Mixed, default: {} },
  },
  { timestamps: true, minimize: false },
);
connectionSchema.index({ tenantId: 1, createdAt: 1 });

export type ConnectionDoc = InferSchemaType<typeof connectionSchema> & { _id: Types.ObjectId };
export type ConnectionModel = Model<InferSchemaType<typeof connectionSchema>>;

export function connectionModel(conn: Connection): ConnectionModel {
  return (
    (conn.models.Connection as ConnectionModel | undefined) ?? conn.model('Connection', connectionSchema)
  );
}
