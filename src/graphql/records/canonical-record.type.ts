import { Field, ID, ObjectType } from 'type-graphql';
import { type CanonicalRecord } from '../../reads/canonical';
import { JSONObjectScalar } from '../scalars/json-object.scalar';

/**
 * The fields every canonical record has, whatever its object: identity, timestamps, deletion and
 * mapped custom fields. Contact and Deal extend it and add their own canonical fields.
 */
@ObjectType()
export abstract class CanonicalRecordFields {
  @Field(() => ID, { description: 'Opaque and stable: encodes the connection and the remote id.' })
  id!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field({ description: "The CRM's own id." })
  remoteId!: string;

  @Field(() => String, { nullable: true, description: "The CRM's owner (user) id." })
  ownerId!: string | null;

  @Field(() => Date, { nullable: true })
  createdAt!: Date | null;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;

  @Field()
  isDeleted!: boolean;

  @Field(() => Date, { nullable: true })
  deletedAt!: Date | null;

  @Field(() => JSONObjectScalar, {
    description: "Mapped custom fields under their canonical names (the connection's field mapping).",
  })
  customFields!: Record<string, unknown>;
}

/** A canonical string field: empty and non-string values read as null. */
export const canonicalString = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The {@link CanonicalRecordFields} of a record. */
export function canonicalRecordFields(r: CanonicalRecord): CanonicalRecordFields {
  return {
    id: r.id,
    connectionId: r.connectionId,
    remoteId: r.remoteId,
    ownerId: canonicalString(r.fields.ownerId),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    isDeleted: r.isDeleted,
    deletedAt: r.deletedAt,
    customFields: r.customFields,
  };
}
