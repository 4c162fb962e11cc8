import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';

/**
 * A tenant's external identity provider (src/security/access-tokens/identity-provider.ts). One issuer
 * belongs to one tenant: a token is routed to its tenant by its `iss`, so the issuer is unique.
 */
const identityProviderSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true, index: true },
    /** The API key that registered it: its tokens live while that key does. */
    keyId: { type: String, required: true },
    issuer: { type: String, required: true },
    audience: { type: String, required: true },
    /** The JWKS document as given (public keys only), stored as its JSON text. */
    jwks: { type: String, required: true },
    claims: { type: String, required: true },
  },
  { timestamps: true },
);
identityProviderSchema.index({ issuer: 1 }, { unique: true });

export type IdentityProviderDoc = InferSchemaType<typeof identityProviderSchema> & { _id: Types.ObjectId };
export type IdentityProviderModel = Model<InferSchemaType<typeof identityProviderSchema>>;

export function identityProviderModel(conn: Connection): IdentityProviderModel {
  return (
    (conn.models.IdentityProvider as IdentityProviderModel | undefined) ??
    conn.model('IdentityProvider', identityProviderSchema)
  );
}
