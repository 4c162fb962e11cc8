import { TokenAccess } from '../auth/token-access';
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import { BadUserInputError } from '../../errors';
import { MAX_WRITE_ITEMS } from '../../writes/write-service.types';
import { requireAuth } from '../auth/current-auth.decorator';
import { permittedOperation } from '../auth/write-access';
import { ARG_BOUNDS } from '../records/list.args';
import { type RequestContext } from '../request-context';
import { selectsSubfield } from '../selected-fields';
import { toWriteOperationView, writeOperationViewOfEvent, WriteOperationView } from './write-operation.type';
import { writeOperationStream } from './write-operation-stream';
import { writeServiceOf } from './write-service-of';

interface UpdatedArgs {
  ids?: readonly string[] | null;
  connectionId?: string | null;
}

/**
 * The operations a `writeOperationUpdated` subscription asked for, as they change. The tenant is the
 * socket's key's, never an argument: the event channel is the tenant's own and every operation is
 * read through the tenant-scoped service, so another tenant's ids yield nothing.
 *
 * An event is pushed as it came unless the subscriber selected `record` or `failure` and the event
 * says the operation has one (events carry neither): a subscriber that watches statuses costs no
 * store read per change.
 */
export function subscribeWriteOperations(
  context: RequestContext,
  args: UpdatedArgs,
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
): AsyncIterableIterator<WriteOperationView> {
  const auth = requireAuth(context);
  const { tenantId } = auth;
  const ids = args.ids ?? null;
  const connectionId = args.connectionId ?? null;
  if ((ids === null) === (connectionId === null)) {
    throw new BadUserInputError(
      `writeOperationUpdated takes exactly one of ids and connectionId; got ${ids === null ? 'neither' : 'both'}`,
    );
  }
  if (ids !== null) {
    if (ids.length === 0 || ids.length > MAX_WRITE_ITEMS) {
      throw new BadUserInputError(`ids must list 1 to ${MAX_WRITE_ITEMS} operation ids; got ${ids.length}`);
    }
    const bad = ids.findIndex((id) => id.length === 0 || id.length > ARG_BOUNDS.id);
    if (bad >= 0) throw new BadUserInputError(`ids[${bad}] must be 1 to ${ARG_BOUNDS.id} characters`);
  } else if (connectionId!.length > ARG_BOUNDS.id) {
    throw new BadUserInputError(`connectionId must be at most ${ARG_BOUNDS.id} characters`);
  }
  const service = writeServiceOf(context);
  const readsRecord = selectsSubfield(info, 'record');
  const readsFailure = selectsSubfield(info, 'failure');
  return writeOperationStream<WriteOperationView>({
    events: context.pubsub.writeOperationEvents(tenantId),
    // An access token's other connections' operations read as unknown: never pushed.
    read: async (batch) =>
      (await service.getMany(tenantId, batch)).map((op) => {
        const permitted = permittedOperation(auth, op);
        return permitted && toWriteOperationView(permitted);
      }),
    fromEvent: (event) => {
      const { state } = event;
      if (!state || (readsRecord && state.hasRecord) || (readsFailure && state.hasFailure)) return null;
      // Not pushed for a token that does not list the connection: read, which answers unknown.
      if (auth.token && !auth.token.connectionIds.has(event.connectionId)) return null;
      return writeOperationViewOfEvent({ ...event, state });
    },
    ...(ids !== null ? { ids: [...new Set(ids)] } : { connectionId: connectionId! }),
    logger: context.logger,
  });
}

@Resolver()
export class WriteOperationUpdatedResolver {
  @TokenAccess()
  @Subscription(() => WriteOperationView, {
    description:
      'Your write operations as they change: by `ids` (each known one is sent as it is now first, then every ' +
      'change) or by `connectionId` (every change of that connection from now on; nothing is sent first). ' +
      'Exactly one of the two. Each change is pushed as it was made; selecting `record` or `failure` has ' +
      'the operation read when it has one, and then a short-lived status may be skipped — never one older ' +
      'than what was pushed. Any gateway delivers what any worker publishes.',
    subscribe: ({
      args,
      context,
      info,
    }: {
      args: UpdatedArgs;
      context: RequestContext;
      info: GraphQLResolveInfo;
    }) => subscribeWriteOperations(context, args, info),
  })
  writeOperationUpdated(
    @Root() op: WriteOperationView,
    @Arg('ids', () => [ID], { nullable: true, description: `At most ${MAX_WRITE_ITEMS} operation ids.` })
    _ids: string[] | null,
    @Arg('connectionId', () => ID, { nullable: true }) _connectionId: string | null,
  ): WriteOperationView {
    return op;
  }
}
