import { Field, ID, ObjectType } from 'type-graphql';
import { type CanonicalRecord } from '../../reads/canonical';
import { JSONObjectScalar } from '../scalars/json-object.scalar';

@ObjectType({ description: 'A value of this record that the field mapping could not read.' })
export class MappingIssue {
  @Field({ description: 'Canonical name, or customFields.<key>; the field reads null.' })
  canonical!: string;

  @Field({ description: 'The native field (path) the mapping reads it from.' })
  native!: string;

  @Field({ description: 'Why: a value that does not fit the transform, or a field the CRM refused.' })
  message!: string;
}

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

  @Field(() => [MappingIssue], {
    description:
      'Values the field mapping could not read, each reading null: a value that does not fit its transform, or ' +
      'a field the CRM refused (deleted, or hidden from the integration user, after the mapping was saved; ' +
      'the rest of the record is read all the same, and fieldMapping.problems says what to fix). Empty when none.',
  })
  mappingIssues!: MappingIssue[];
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
    mappingIssues: r.issues.map((i) => ({ ...i })),
  };
}
