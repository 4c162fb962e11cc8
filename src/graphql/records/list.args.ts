import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { ArrayMaxSize, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { MAX_CURSOR_CHARS } from '../../reads/list-cursor';

/** The default page size when `first` is absent. */
export const DEFAULT_PAGE_SIZE = 25;

/**
 * Length bounds of what a list or lookup takes. Every argument that can reach a vendor is bounded here,
 * so an oversized value is BAD_USER_INPUT at the gateway rather than a vendor refusal (a 200 KB email
 * filter made a CRM answer 431) after a spent API call. Each bound is well above any real value.
 */
export const ARG_BOUNDS = {
  /** An email address: RFC 5321 caps a forward path at 256 octets, 254 of them the address. */
  email: 254,
  /** A name prefix: a first, last or deal name is at most 120 characters in either CRM. */
  namePrefix: 100,
  /** Our connection ids (24 hex), encoded record ids, and the CRMs' record ids (18 characters and less). */
  id: 128,
  /** A list cursor as this API issues it (sealed cursors are about 120 characters): the seal's own bound. */
  cursor: MAX_CURSOR_CHARS,
} as const;

@InputType({
  description:
    "Filters of a list, AND'd. The CRM applies them where it can (in its query language, or through a search " +
    'endpoint that some CRMs rate-limit on its own), and the gateway applies the exact rule on top, so ' +
    'results are the same either way. What the CRM cannot take is applied after fetch, reading CRM pages until ' +
    'the page is full (see RecordPageInfo.filteredOut and scanLimitReached). Where the CRM filters through an ' +
    'eventually consistent search index, a record written a few moments ago may be missing from a filtered ' +
    'list. A cursor is accepted only with the filter it was issued for (BAD_USER_INPUT otherwise).',
})
export class RecordFilter {
  @Field(() => String, {
    nullable: true,
    description:
      'Exact email, case-insensitive (contacts), at most 254 characters. Applied by the CRM (an equality ' +
      'condition on its email field).',
  })
  @MaxLength(ARG_BOUNDS.email)
  email?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Case-insensitive prefix of first name, last name or full name (contacts), name (deals), at most 100 ' +
      'characters. Applied by the CRM where it has a prefix operator. Where it only matches word tokens, a ' +
      'prefix of one word (letters and digits) is searched as a word token and narrowed here; any other ' +
      'prefix is applied after fetch only.',
  })
  @MaxLength(ARG_BOUNDS.namePrefix)
  namePrefix?: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'Only records updated at or after this instant. Applied by the CRM (on its own modification timestamp), ' +
      'exactly on updatedAt here.',
  })
  updatedSince?: Date | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      'Include archived/soft-deleted records. Applied by the CRM. Where its search never returns archived ' +
      'records, the other filters are then applied after fetch only.',
  })
  includeDeleted?: boolean | null;
}

@ArgsType()
export class RecordListArgs {
  @Field(() => ID)
  @MaxLength(ARG_BOUNDS.id)
  connectionId!: string;

  @Field(() => Int, {
    defaultValue: DEFAULT_PAGE_SIZE,
    description: 'Page size; capped by the server (GRAPHQL_MAX_PAGE_SIZE).',
  })
  @Min(0)
  @Max(1000)
  first!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'An endCursor or edge cursor from an earlier page of this same list (connection, object and filter): the ' +
      'page starts right after that record. Cursors are sealed and need nothing kept server-side, so they page on ' +
      'any gateway for as long as the client keeps them; one of another list, or altered, is BAD_USER_INPUT.',
  })
  @MaxLength(ARG_BOUNDS.cursor)
  after?: string | null;

  @Field(() => RecordFilter, { nullable: true })
  @ValidateNested()
  filter?: RecordFilter | null;
}

/** Most remote ids one `…ByRemoteIds` call takes: one id costs one complexity point, so 500 fits the default limit of 1,000 with room for nested fields. */
export const MAX_REMOTE_IDS = 500;

@ArgsType()
export class RemoteIdsArgs {
  @Field(() => ID)
  @MaxLength(ARG_BOUNDS.id)
  connectionId!: string;

  @Field(() => [String], {
    description: `The CRM's own ids, at most ${MAX_REMOTE_IDS}, each at most ${ARG_BOUNDS.id} characters.`,
  })
  @ArrayMaxSize(MAX_REMOTE_IDS)
  @MaxLength(ARG_BOUNDS.id, { each: true })
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
