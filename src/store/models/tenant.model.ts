import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';

const tenantSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, minlength: 1, maxlength: 120 },
  },
  { timestamps: true },
);
// Names are how operators address tenants in the admin command, so they are unique.
tenantSchema.index({ name: 1 }, { unique: true });

export type TenantDoc = InferSchemaType<typeof tenantSchema> & { _id: Types.ObjectId };
export type TenantModel = Model<InferSchemaType<typeof tenantSchema>>;

export function tenantModel(conn: Connection): TenantModel {
  return (conn.models.Tenant as TenantModel | undefined) ?? conn.model('Tenant', tenantSchema);
}
