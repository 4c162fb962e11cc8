import { permittedEvents, TokenAccess } from '../auth/token-access';
import { Ctx, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import { type ConnectionEvent } from '../../events/connection-events';
import { isAppError } from '../../errors';
import { requireAuth } from '../auth/current-auth.decorator';
import { type RequestContext } from '../request-context';
import { ConnectionEventPayload } from './connection-event.type';
import { Connection } from './connection.type';

@Resolver(() => ConnectionEventPayload)
export class ConnectionEventsResolver {
  @TokenAccess()
  @Subscription(() => ConnectionEventPayload, {
    description:
      'Your connections being created, deleted or changing status, from any gateway or worker process.',
    // The tenant comes from the authenticated key, so there is no argument to ask for another's events.
    // An access token hears only its own connections.
    subscribe: ({ context }: { context: RequestContext }) => {
      const auth = requireAuth(context);
      return permittedEvents(auth, context.pubsub.connectionEvents(auth.tenantId));
    },
  })
  connectionEvents(@Root() event: ConnectionEvent): ConnectionEventPayload {
    return event;
  }

  @FieldResolver(() => Connection, {
    nullable: true,
    description: 'The connection as it is now; null once it is deleted.',
  })
  async connection(
    @Root() event: ConnectionEventPayload,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection | null> {
    try {
      // Each event executes with fresh loaders (`subscribeWithEventContexts`), so this is the
      // connection as it is when the event is delivered.
      return await ctx.loaders.connection.load(event.connectionId);
    } catch (err) {
      if (isAppError(err) && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }
}
