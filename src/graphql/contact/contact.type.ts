import { Field, ObjectType } from 'type-graphql';
import {
  BULK_OBJECT_TYPE,
  CanonicalRecordFields,
  canonicalString,
  lazyRecordView,
  withCanonicalRecordFields,
} from '../records/canonical-record.type';
import { RecordPageInfo } from '../records/record-page.type';
import { type CanonicalRecord } from '../../reads/canonical';

@ObjectType({ ...BULK_OBJECT_TYPE, description: 'A contact of one connected CRM, in canonical fields.' })
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

@ObjectType(BULK_OBJECT_TYPE)
export class ContactEdge {
  @Field()
  cursor!: string;

  @Field(() => Contact)
  node!: Contact;
}

@ObjectType({ ...BULK_OBJECT_TYPE, description: 'A page of contacts (Relay-style).' })
export class ContactConnection {
  @Field(() => [ContactEdge])
  edges!: ContactEdge[];

  @Field(() => [Contact], { description: 'The nodes of `edges`, for clients that need no cursors.' })
  nodes!: Contact[];

  @Field(() => RecordPageInfo)
  pageInfo!: RecordPageInfo;
}

const str = canonicalString;

function toContactNow(r: CanonicalRecord): Contact {
  const f = r.fields;
  const c = new Contact();
  c.firstName = str(f.firstName);
  c.lastName = str(f.lastName);
  c.email = str(f.email);
  c.phone = str(f.phone);
  c.title = str(f.title);
  c.companyName = str(f.companyName);
  return withCanonicalRecordFields(r, c);
}

/** A record as a Contact, its mapped fields read on first use (`lazyRecordView`). */
export const toContact = lazyRecordView(Contact, toContactNow);
