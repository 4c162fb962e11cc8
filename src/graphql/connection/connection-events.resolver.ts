import { Ctx, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import { type ConnectionEvent } from '../../events/connection-events';
import { isAppError } from '../../errors';
import { requireAuth } from '../auth/current-auth.decorator';
import { type RequestContext } from '../request-context';
import { ConnectionEventPayload } from './connection-event.type';
import { Connection } from './connection.type';

@Resolver(() => ConnectionEventPayload)
export class ConnectionEventsResolver {
  @Subscription(() => ConnectionEventPayload, {
    description:
      'Your connections being created, deleted or changing status, from any gateway or worker process.',
    // The tenant comes from the authenticated key, so there is no argument to ask for another's events.
    subscribe: ({ context }: { context: RequestContext }) =>
      context.pubsub.connectionEvents(requireAuth(context).tenantId),
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
