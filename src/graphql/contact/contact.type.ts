import { Field, ObjectType } from 'type-graphql';
import {
  CanonicalRecordFields,
  canonicalString,
  withCanonicalRecordFields,
} from '../records/canonical-record.type';
import { RecordPageInfo } from '../records/record-page.type';
import { type CanonicalRecord } from '../../reads/canonical';

@ObjectType({ description: 'A contact of one connected CRM, in canonical fields.' })
export class Contact extends CanonicalRecordFields {
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

const str = canonicalString;

export function toContact(r: CanonicalRecord): Contact {
  const f = r.fields;
  return withCanonicalRecordFields(r, {
    firstName: str(f.firstName),
    lastName: str(f.lastName),
    email: str(f.email),
    phone: str(f.phone),
    title: str(f.title),
    companyName: str(f.companyName),
  });
}
