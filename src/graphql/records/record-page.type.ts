import { Field, Int, ObjectType } from 'type-graphql';
import { BULK_OBJECT_TYPE } from './canonical-record.type';

@ObjectType({
  ...BULK_OBJECT_TYPE,
  description:
    'Where a page ends. A page is shorter than `first` only at the end of the list or when ' +
    '`scanLimitReached` says the after-fetch filters stopped it early: continue from `endCursor` then.',
})
export class RecordPageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field({
    description:
      'Relay PageInfo. Pagination is forward-only (`first`/`after`): true when `after` was given, i.e. ' +
      'records come before this page.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the first edge; null for an empty page.',
  })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
  endCursor!: string | null;

  @Field(() => Int, { description: 'Records the CRM returned that the after-fetch filters dropped.' })
  filteredOut!: number;

  @Field({
    description:
      'True when the page is short because filtering after fetch read the most CRM pages one request may read.',
  })
  scanLimitReached!: boolean;
}
