import { Field, ID, ObjectType } from 'type-graphql';
import { JSONObjectScalar } from '../scalars/json-object.scalar';
import { RecordPageInfo } from '../records/record-page.type';
import { type CanonicalRecord } from '../../reads/canonical';

@ObjectType({ description: 'A contact of one connected CRM, in canonical fields.' })
export class Contact {
  @Field(() => ID, { description: 'Opaque and stable: encodes the connection and the remote id.' })
  id!: string;

  @Field(() => ID)
  connectionId!: string;

  @Field({ description: "The CRM's own id." })
  remoteId!: string;

  @Field(() => String, { nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => String, { nullable: true })
  title!: string | null;

  @Field(() => String, { nullable: true })
  companyName!: string | null;

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

@ObjectType()
export class ContactEdge {
  @Field()
  cursor!: string;

  @Field(() => Contact)
  node!: Contact;
}

@ObjectType({ description: 'A page of contacts (Relay-style).' })
export class ContactConnection {
  @Field(() => [ContactEdge])
  edges!: ContactEdge[];

  @Field(() => [Contact], { description: 'The nodes of `edges`, for clients that need no cursors.' })
  nodes!: Contact[];

  @Field(() => RecordPageInfo)
  pageInfo!: RecordPageInfo;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function toContact(r: CanonicalRecord): Contact {
  const f = r.fields;
  return {
    id: r.id,
    connectionId: r.connectionId,
    remoteId: r.remoteId,
    firstName: str(f.firstName),
    lastName: str(f.lastName),
    email: str(f.email),
    phone: str(f.phone),
    title: str(f.title),
    companyName: str(f.companyName),
    ownerId: str(f.ownerId),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    isDeleted: r.isDeleted,
    deletedAt: r.deletedAt,
    customFields: r.customFields,
  };
}
