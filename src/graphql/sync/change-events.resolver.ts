import { ArrayMaxSize, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { BadUserInputError } from '../../errors';
import { decodeRecordId } from '../../reads/ids';
import { eraseRecordData } from '../../sync/purge';
import { type KeyRing } from '../../security/credentials-cipher';
import { type ChangeKind } from '../../store/models/change-event.model';
import { type ChangeEvent } from '../../store/repositories/change-events.repo';
import { changeEventStream } from '../../sync/event-stream';
import { ChangeCursorSeal, MAX_CHANGE_CURSOR_CHARS } from '../../sync/sync-cursor';
import { CurrentAuth, requireAuth } from '../auth/current-auth.decorator';
import { assertConnection, assertObject, TokenAccess } from '../auth/token-access';
import { CrmObjectEnum } from '../records/crm-object.enum';
import { ARG_BOUNDS } from '../records/list.args';
import { type Auth, type RequestContext } from '../request-context';
import { ChangeEventView, ChangeKindEnum, toChangeEventView } from './change-event.type';

/** The change history: `changeHistory` (one record's, paged) and `syncEvents` (a tenant's, live with replay). */

export const MAX_CHANGE_PAGE = 100;
const MAX_FILTER_CONNECTIONS = 100;
/** The list a syncEvents cursor belongs to: every event of the tenant, whatever the filter. */
const SYNC_LIST = 'sync';

const seals = new WeakMap<KeyRing, ChangeCursorSeal>();
function sealOf(ctx: RequestContext): ChangeCursorSeal {
  let seal = seals.get(ctx.app.keyRing);
  if (!seal) seals.set(ctx.app.keyRing, (seal = new ChangeCursorSeal(ctx.app.keyRing)));
  return seal;
}

@InputType('SyncEventFilter', { description: "Which events syncEvents pushes; AND'd, each list OR'd." })
export class SyncEventFilterInput {
  @Field(() => [ID], { nullable: true, description: `At most ${MAX_FILTER_CONNECTIONS}.` })
  @ArrayMaxSize(MAX_FILTER_CONNECTIONS)
  @MaxLength(ARG_BOUNDS.id, { each: true })
  connectionIds?: string[] | null;

  @Field(() => [CrmObjectEnum], { nullable: true })
  objects?: CrmObject[] | null;

  @Field(() => [ChangeKindEnum], { nullable: true })
  types?: ChangeKind[] | null;
}

@ArgsType()
export class ChangeHistoryArgs {
  @Field(() => ID)
  @MaxLength(ARG_BOUNDS.id)
  connectionId!: string;

  @Field(() => CrmObjectEnum)
  object!: CrmObject;

  @Field({ description: "The record's id in its CRM." })
  @MaxLength(ARG_BOUNDS.id)
  remoteId!: string;

  @Field(() => Date, { nullable: true, description: 'Changes that occurred at or after this instant.' })
  since?: Date | null;

  @Field(() => Int, { defaultValue: 20, description: `Page size, 1 to ${MAX_CHANGE_PAGE}.` })
  @Min(1)
  @Max(MAX_CHANGE_PAGE)
  first!: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of an earlier page of this record.' })
  @MaxLength(MAX_CHANGE_CURSOR_CHARS)
  after?: string | null;
}

@ObjectType('ChangeHistoryPageInfo')
export class ChangeHistoryPageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page; null for an empty page.',
  })
  endCursor!: string | null;
}

@ObjectType('ChangeHistoryPage', { description: "A page of one record's changes, oldest first." })
export class ChangeHistoryPage {
  @Field(() => [ChangeEventView])
  nodes!: ChangeEventView[];

  @Field(() => ChangeHistoryPageInfo)
  pageInfo!: ChangeHistoryPageInfo;
}

@ArgsType()
export class SyncEventsArgs {
  @Field(() => SyncEventFilterInput, { nullable: true })
  @ValidateNested()
  filter?: SyncEventFilterInput | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The cursor of an event received earlier: every event after it is sent first. A forged one is BAD_USER_INPUT.',
  })
  @MaxLength(MAX_CHANGE_CURSOR_CHARS)
  after?: string | null;
}

@ObjectType('ErasedRecord', { description: 'What eraseRecord removed.' })
export class ErasedRecord {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: 'Snapshots removed (0 or 1).' })
  snapshots!: number;

  @Field(() => Int, { description: 'Change events removed.' })
  events!: number;
}

/** The events a subscriber may see and asked for: an access token sees its connections and objects only. */
function wantedBy(auth: Auth, filter: SyncEventFilterInput | null | undefined): (e: ChangeEvent) => boolean {
  const connections = filter?.connectionIds?.length ? new Set(filter.connectionIds) : null;
  const objects = filter?.objects?.length ? new Set(filter.objects) : null;
  const types = filter?.types?.length ? new Set(filter.types) : null;
  const token = auth.token;
  return (e) =>
    (!connections || connections.has(e.connectionId)) &&
    (!objects || objects.has(e.object)) &&
    (!types || types.has(e.kind)) &&
    (!token || (token.connectionIds.has(e.connectionId) && token.objects.has(e.object)));
}

export function subscribeSyncEvents(
  context: RequestContext,
  args: SyncEventsArgs,
): AsyncIterableIterator<ChangeEvent> {
  const auth = requireAuth(context);
  const filter = args.filter ?? null;
  if (filter?.connectionIds && filter.connectionIds.length > MAX_FILTER_CONNECTIONS) {
    throw new BadUserInputError(`filter.connectionIds lists at most ${MAX_FILTER_CONNECTIONS} ids`);
  }
  for (const id of filter?.connectionIds ?? []) assertConnection(auth, id);
  for (const object of filter?.objects ?? []) assertObject(auth, object);
  if (args.after && args.after.length > MAX_CHANGE_CURSOR_CHARS) {
    throw new BadUserInputError(`after must be at most ${MAX_CHANGE_CURSOR_CHARS} characters`);
  }
  const after = args.after ? sealOf(context).open(args.after, auth.tenantId, SYNC_LIST) : null;
  return changeEventStream({
    tenantId: auth.tenantId,
    changeLog: context.app.changeLog,
    nudges: context.pubsub.syncNudges(auth.tenantId),
    after,
    wanted: wantedBy(auth, filter),
    logger: context.logger,
  });
}

@Resolver()
export class ChangeEventsResolver {
  @TokenAccess()
  @Subscription(() => ChangeEventView, {
    description:
      'Every change to your records, in the order they were recorded: with `after` (a cursor of an earlier ' +
      'event) every stored event after it first, then each new one — no gap and no duplicate at the seam, ' +
      'across gateway restarts. Without `after`, changes from now on. Any gateway delivers what any worker records.',
    subscribe: ({ args, context }: { args: SyncEventsArgs; context: RequestContext }) =>
      subscribeSyncEvents(context, args),
  })
  syncEvents(
    @Root() event: ChangeEvent,
    @Ctx() ctx: RequestContext,
    @Args() _args: SyncEventsArgs,
  ): ChangeEventView {
    return toChangeEventView(event, sealOf(ctx).seal(event.seq, event.tenantId, SYNC_LIST));
  }

  @Mutation(() => ErasedRecord, {
    description:
      "Erases one record's snapshot and change history from the gateway (a privacy request); the record in " +
      'the CRM is untouched. Its later changes, if any, are recorded anew.',
  })
  async eraseRecord(
    @Arg('id', () => ID, { description: 'The record, as contact(id:) / deal(id:) take it.' }) id: string,
    @Arg('object', () => CrmObjectEnum) object: CrmObject,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<ErasedRecord> {
    if (id.length > ARG_BOUNDS.id * 4)
      throw new BadUserInputError(`id must be at most ${ARG_BOUNDS.id * 4} characters`);
    const ref = decodeRecordId(id, object);
    const connection = await ctx.app.store.connections.getForTenant(auth.tenantId, ref.connectionId);
    const erased = await eraseRecordData(ctx.app.store.conn, { ...ref, connectionId: connection.id });
    ctx.logger.info(
      { connectionId: connection.id, object, ...erased },
      'record erased from the change history',
    );
    return { id, snapshots: erased.snapshots, events: erased.events };
  }

  @TokenAccess()
  @Query(() => ChangeHistoryPage, {
    description: "One record's changes, oldest first, as the change history holds them.",
  })
  async changeHistory(
    @Args() args: ChangeHistoryArgs,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<ChangeHistoryPage> {
    assertConnection(auth, args.connectionId);
    assertObject(auth, args.object);
    const connection = await ctx.app.store.connections.getForTenant(auth.tenantId, args.connectionId);
    const list = `record:${connection.id}:${args.object}:${args.remoteId}`;
    const after = args.after ? sealOf(ctx).open(args.after, auth.tenantId, list) : 0;
    const since = args.since?.getTime() ?? null;
    const events = (
      await ctx.app.store.changeEvents.forRecord(connection.id, args.object, args.remoteId)
    ).filter(
      (e) =>
        e.tenantId === auth.tenantId && e.seq > after && (since === null || e.occurredAt.getTime() >= since),
    );
    const page = events.slice(0, args.first);
    const nodes = page.map((e) => toChangeEventView(e, sealOf(ctx).seal(e.seq, auth.tenantId, list)));
    return {
      nodes,
      pageInfo: {
        hasNextPage: events.length > page.length,
        endCursor: nodes[nodes.length - 1]?.cursor ?? null,
      },
    };
  }
}
