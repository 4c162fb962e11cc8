import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { type CanonicalRecord } from '../../reads/canonical';
import {
  BULK_OBJECT_TYPE,
  CanonicalRecordFields,
  canonicalString,
  lazyRecordView,
  withCanonicalRecordFields,
} from '../records/canonical-record.type';
import { RecordPageInfo } from '../records/record-page.type';

export const DealStatusEnum = { OPEN: 'OPEN', WON: 'WON', LOST: 'LOST' } as const;
export type DealStatus = keyof typeof DealStatusEnum;
registerEnumType(DealStatusEnum, {
  name: 'DealStatus',
  description: 'Where a deal stands: OPEN, WON or LOST.',
});

@ObjectType({
  ...BULK_OBJECT_TYPE,
  description: 'A deal (opportunity) of one connected CRM, in canonical fields.',
})
export class Deal extends CanonicalRecordFields {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'A decimal string with every digit the CRM sent (e.g. "1234.50"), in `currency`.',
  })
  amount!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "ISO 4217 code of `amount`: the deal's own, or the account's where the CRM has one currency per " +
      'account (a single-currency account, from its connection settings).',
  })
  currency!: string | null;

  @Field(() => String, { nullable: true, description: 'The stage as the CRM names it (see dealStages).' })
  stage!: string | null;

  @Field(() => DealStatusEnum, { nullable: true })
  status!: DealStatus | null;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  closeDate!: string | null;

  @Field(() => Float, { nullable: true, description: 'Win probability, 0–100.' })
  probability!: number | null;
}

@ObjectType(BULK_OBJECT_TYPE)
export class DealEdge {
  @Field()
  cursor!: string;

  @Field(() => Deal)
  node!: Deal;
}

@ObjectType({ ...BULK_OBJECT_TYPE, description: 'A page of deals (Relay-style).' })
export class DealConnection {
  @Field(() => [DealEdge])
  edges!: DealEdge[];

  @Field(() => [Deal], { description: 'The nodes of `edges`, for clients that need no cursors.' })
  nodes!: Deal[];

  @Field(() => RecordPageInfo)
  pageInfo!: RecordPageInfo;
}

const str = canonicalString;

function toDealNow(r: CanonicalRecord): Deal {
  const f = r.fields;
  const status = str(f.status);
  const probability = typeof f.probability === 'number' ? f.probability : Number(f.probability ?? NaN);
  const d = new Deal();
  d.name = str(f.name);
  d.amount = str(f.amount);
  d.currency = str(f.currency);
  d.stage = str(f.stage);
  d.status = status && status in DealStatusEnum ? (status as DealStatus) : null;
  d.closeDate = str(f.closeDate);
  d.probability =
    f.probability === null || f.probability === undefined || !Number.isFinite(probability)
      ? null
      : probability;
  return withCanonicalRecordFields(r, d);
}

/** A record as a Deal, its mapped fields read on first use (`lazyRecordView`). */
export const toDeal = lazyRecordView(Deal, toDealNow);
