import { Max, MaxLength, Min } from 'class-validator';
import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { ARG_BOUNDS } from './records/list.args';

/**
 * The parts every forward-only, newest-first list of the gateway's own records shares (write operations,
 * the audit log): `first`/`after` arguments and a page info, each a class made per list so that each
 * keeps its own name in the schema.
 */

/** `first` (1 to `max`, default `byDefault`) and `after` (a sealed endCursor) as a base of a list's args. */
export function ForwardPageArgs(max: number, byDefault: number) {
  @ArgsType()
  class PageArgs {
    @Field(() => Int, { defaultValue: byDefault, description: `Page size, 1 to ${max}.` })
    @Min(1)
    @Max(max)
    first!: number;

    @Field(() => String, {
      nullable: true,
      description: 'The endCursor of an earlier page of the same filter; a forged one is BAD_USER_INPUT.',
    })
    @MaxLength(ARG_BOUNDS.cursor)
    after?: string | null;
  }
  return PageArgs;
}

/** The page info type named `name`. */
export function forwardPageInfo(name: string) {
  @ObjectType(name)
  class PageInfo {
    @Field()
    hasNextPage!: boolean;

    @Field({ description: 'Pagination is forward-only (`first`/`after`): true when `after` was given.' })
    hasPreviousPage!: boolean;

    @Field(() => String, {
      nullable: true,
      description: 'Pass as `after` for the next page; null for an empty page.',
    })
    endCursor!: string | null;
  }
  return PageInfo;
}
