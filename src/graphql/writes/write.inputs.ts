import {
  ArrayMaxSize,
  ArrayMinSize,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ArgsType, Field, Float, ID, InputType } from 'type-graphql';
import { MAX_WRITE_ITEMS } from '../../writes/write-service.types';
import { ARG_BOUNDS } from '../records/list.args';
import { JSONObjectScalar } from '../scalars/json-object.scalar';
import { MaxJsonBytes } from '../validation/max-json-bytes';

/**
 * The write mutations' inputs. Every canonical field is optional: a field left out is not written, an
 * explicit null clears it (src/graphql/writes/write-items.ts keeps the difference). Which fields a
 * connection may write (its field mapping, the source of truth) is the write service's to check;
 * these bounds only keep absurd values out before anything is read.
 */

/** The longest canonical string a write takes (an email: RFC 5321's 254). */
export const WRITE_BOUNDS = {
  email: ARG_BOUNDS.email,
  text: 1000,
  idempotencyKey: 255,
  externalIdField: 128,
  externalIdValue: 1000,
  /** JSON bytes of one input's `customFields`. */
  customFieldsBytes: 32 * 1024,
} as const;

const CUSTOM_FIELDS_DESCRIPTION =
  'Mapped custom fields by their canonical names (the connection\'s field mapping), e.g. {"tier": "gold"}; ' +
  `a null value clears one. At most ${WRITE_BOUNDS.customFieldsBytes} bytes of JSON.`;

@InputType({
  description: 'Canonical contact fields to write: only those given are written; null clears one.',
})
export class ContactInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  firstName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  lastName?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.email)
  email?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  phone?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Where the connection's mapping lets the app write it (a CRM may hold it on a related record instead).",
  })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  companyName?: string | null;

  @Field(() => String, { nullable: true, description: "The CRM's owner (user) id." })
  @IsOptional()
  @MaxLength(ARG_BOUNDS.id)
  ownerId?: string | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: CUSTOM_FIELDS_DESCRIPTION })
  @IsOptional()
  @MaxJsonBytes(WRITE_BOUNDS.customFieldsBytes)
  customFields?: Record<string, unknown> | null;
}

@InputType({ description: 'Canonical deal fields to write: only those given are written; null clears one.' })
export class DealInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  name?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A decimal string, e.g. "1234.50" (no float rounding).',
  })
  @IsOptional()
  @Matches(/^-?\d{1,20}(\.\d{1,10})?$/, { message: 'amount must be a decimal string such as "1234.50"' })
  amount?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO 4217 code of `amount`.' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as "EUR"' })
  currency?: string | null;

  @Field(() => String, { nullable: true, description: 'The stage as the CRM names it (see dealStages).' })
  @IsOptional()
  @MaxLength(WRITE_BOUNDS.text)
  stage?: string | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'closeDate must be a date as YYYY-MM-DD' })
  closeDate?: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Win probability, 0–100, where the CRM lets it be set.',
  })
  @IsOptional()
  @Min(0)
  @Max(100)
  probability?: number | null;

  @Field(() => String, { nullable: true, description: "The CRM's owner (user) id." })
  @IsOptional()
  @MaxLength(ARG_BOUNDS.id)
  ownerId?: string | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: CUSTOM_FIELDS_DESCRIPTION })
  @IsOptional()
  @MaxJsonBytes(WRITE_BOUNDS.customFieldsBytes)
  customFields?: Record<string, unknown> | null;
}

@InputType({ description: "The caller's own unique key of a record, held in one of its fields." })
export class ExternalIdInput {
  @Field({ description: 'The canonical field holding it (e.g. "email"), or customFields.<name>.' })
  @MinLength(1)
  @MaxLength(WRITE_BOUNDS.externalIdField)
  field!: string;

  @Field()
  @MinLength(1)
  @MaxLength(WRITE_BOUNDS.externalIdValue)
  value!: string;
}

const ITEM_ID_DESCRIPTION =
  'Update this record: an id from this API, or the wop_… id of a create still pending or succeeded.';
const ITEM_EXTERNAL_ID_DESCRIPTION = 'Upsert by this external id. Neither id nor externalId: a create.';

@InputType({
  description: 'One write of upsertContacts: id → update, externalId → upsert, neither → create.',
})
export class ContactWriteItem {
  @Field(() => ID, { nullable: true, description: ITEM_ID_DESCRIPTION })
  @IsOptional()
  @MaxLength(ARG_BOUNDS.id)
  id?: string | null;

  @Field(() => ExternalIdInput, { nullable: true, description: ITEM_EXTERNAL_ID_DESCRIPTION })
  @IsOptional()
  @ValidateNested()
  externalId?: ExternalIdInput | null;

  @Field(() => ContactInput)
  @ValidateNested()
  input!: ContactInput;
}

@InputType({ description: 'One write of upsertDeals: id → update, externalId → upsert, neither → create.' })
export class DealWriteItem {
  @Field(() => ID, { nullable: true, description: ITEM_ID_DESCRIPTION })
  @IsOptional()
  @MaxLength(ARG_BOUNDS.id)
  id?: string | null;

  @Field(() => ExternalIdInput, { nullable: true, description: ITEM_EXTERNAL_ID_DESCRIPTION })
  @IsOptional()
  @ValidateNested()
  externalId?: ExternalIdInput | null;

  @Field(() => DealInput)
  @ValidateNested()
  input!: DealInput;
}

const IDEMPOTENCY_DESCRIPTION =
  `Replays with the same key and input return the same operation(s); at most ${WRITE_BOUNDS.idempotencyKey} ` +
  'characters. The Idempotency-Key header does the same; giving both with different values is BAD_USER_INPUT.';

@ArgsType()
export class UpsertContactsArgs {
  @Field(() => ID)
  @MaxLength(ARG_BOUNDS.id)
  connectionId!: string;

  @Field(() => [ContactWriteItem], { description: `1 to ${MAX_WRITE_ITEMS} writes, one operation each.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WRITE_ITEMS)
  @ValidateNested()
  items!: ContactWriteItem[];

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_DESCRIPTION })
  idempotencyKey?: string | null;
}

@ArgsType()
export class UpsertDealsArgs {
  @Field(() => ID)
  @MaxLength(ARG_BOUNDS.id)
  connectionId!: string;

  @Field(() => [DealWriteItem], { description: `1 to ${MAX_WRITE_ITEMS} writes, one operation each.` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_WRITE_ITEMS)
  @ValidateNested()
  items!: DealWriteItem[];

  @Field(() => String, { nullable: true, description: IDEMPOTENCY_DESCRIPTION })
  idempotencyKey?: string | null;
}

export { IDEMPOTENCY_DESCRIPTION };
