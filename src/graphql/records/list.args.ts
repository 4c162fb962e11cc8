import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { Max, Min } from 'class-validator';

/** The default page size when `first` is absent. */
export const DEFAULT_PAGE_SIZE = 25;

@InputType({
  description:
    'Filters of a list. `includeDeleted` is applied by the CRM; `email`, `namePrefix` and `updatedSince` are ' +
    'applied by the gateway after fetch (the CRM pages are read until the page is full; see RecordPageInfo).',
})
export class RecordFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Exact email, case-insensitive (contacts). After fetch.',
  })
  email?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case-insensitive prefix of first name, last name or full name (contacts), name (deals). After fetch.',
  })
  namePrefix?: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Only records updated at or after this instant. After fetch.',
  })
  updatedSince?: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Include archived/soft-deleted records. Applied by the CRM.',
  })
  includeDeleted?: boolean | null;
}

@ArgsType()
export class RecordListArgs {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => Int, {
    defaultValue: DEFAULT_PAGE_SIZE,
    description: 'Page size; capped by the server (GRAPHQL_MAX_PAGE_SIZE).',
  })
  @Min(0)
  @Max(1000)
  first!: number;

  @Field(() => String, { nullable: true, description: 'An endCursor or edge cursor from a previous page.' })
  after?: string | null;

  @Field(() => RecordFilter, { nullable: true })
  filter?: RecordFilter | null;
}

/** Most remote ids one `…ByRemoteIds` call takes: one id costs one complexity point, so 500 fits the default limit of 1,000 with room for nested fields. */
export const MAX_REMOTE_IDS = 500;

@ArgsType()
export class RemoteIdsArgs {
  @Field(() => ID)
  connectionId!: string;

  @Field(() => [String], { description: `The CRM's own ids, at most ${MAX_REMOTE_IDS}.` })
  remoteIds!: string[];
}

/**
 * Cost of a list: its rows plus one of each nested field, not rows × nested. Nested fields are batched
 * onto bulk calls (⌈N / readBatch⌉ per level), so what a page costs the CRM grows with its size, not
 * with size × nesting.
 */
export function listComplexity({
  args,
  childComplexity,
}: {
  args: Record<string, unknown>;
  childComplexity: number;
}): number {
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
  return first + childComplexity;
}
