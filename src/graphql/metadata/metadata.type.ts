import { Field, Float, ObjectType } from 'type-graphql';
import { MAX_AUTO_CUSTOM_FIELDS } from '../../mapping/mapper';
import { DealStatusEnum, type DealStatus } from '../deal/deal.type';

@ObjectType({ description: 'A stage a deal can be in, for building pipelines without knowing the CRM.' })
export class DealStage {
  @Field({ description: 'The value deals carry in `stage`.' })
  id!: string;

  @Field()
  label!: string;

  @Field(() => String, { nullable: true, description: 'Null where the CRM has a single stage list.' })
  pipelineId!: string | null;

  @Field(() => String, { nullable: true })
  pipelineLabel!: string | null;

  @Field(() => Float, { nullable: true, description: "0–1, where the CRM's metadata says." })
  probability!: number | null;

  @Field(() => DealStatusEnum, {
    nullable: true,
    description: "OPEN, WON or LOST where the CRM's stage metadata says; null where it does not.",
  })
  status!: DealStatus | null;
}

@ObjectType()
export class PicklistOption {
  @Field()
  value!: string;

  @Field()
  label!: string;
}

@ObjectType({ description: "A field of the CRM's object as its metadata API describes it." })
export class FieldMetadata {
  @Field({ description: 'The native field name.' })
  name!: string;

  @Field()
  label!: string;

  @Field({
    description:
      'id, string, text, email, phone, url, integer, decimal, currency, percent, boolean, date, datetime, picklist, multipicklist, reference or unknown.',
  })
  type!: string;

  @Field({ description: 'Created by the customer.' })
  custom!: boolean;

  @Field()
  required!: boolean;

  @Field()
  readOnly!: boolean;

  @Field(() => [PicklistOption], { nullable: true })
  picklistValues!: PicklistOption[] | null;

  @Field(() => [String], { nullable: true })
  referenceTo!: string[] | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The canonical field the connection's mapping reads from it (`customFields.<key>` for custom ones).",
  })
  canonical!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why a custom field is not read although the mapping does not name it: custom fields are read as ' +
      `\`customFields.<name>\` by default, up to ${MAX_AUTO_CUSTOM_FIELDS} per object` +
      ' in metadata order; the rest need updateFieldMapping. ' +
      'Null for a field that is read or that is not custom. (A field the CRM refuses to the integration user is ' +
      'absent from its metadata, or reads null with a `mappingIssues` entry.)',
  })
  skipped!: string | null;
}
