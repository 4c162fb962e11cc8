import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { WebhookActivity } from '../../sync/webhooks/webhook-activity';
import { Connection } from '../connection/connection.type';
import { type RequestContext } from '../request-context';
import { ConnectionSyncView } from './connection-sync.type';

/** Reads two stores (sync state in MongoDB, webhook activity in Redis). */
const SYNC_STATUS_COST = 5;
/** A mutation that enqueues work (and resync restarts a full pull). */
const SYNC_CONTROL_COST = 10;

/**
 * `connection { sync }`, and the two ways to make a connection sync now: triggerSync, resyncConnection —
 * API keys only (read_write, as every mutation): an access token may read the state, not drive it.
 */
@Resolver(() => Connection)
export class ConnectionSyncResolver {
  @FieldResolver(() => ConnectionSyncView, {
    description: 'Sync state: polls, the first full pull, webhook deliveries.',
    complexity: SYNC_STATUS_COST,
  })
  async sync(@Root() connection: Connection, @Ctx() ctx: RequestContext): Promise<ConnectionSyncView> {
    const view = await ctx.loaders.connection.load(connection.id);
    const [status, webhooks, channel] = await Promise.all([
      ctx.app.syncControl.status(view),
      new WebhookActivity(ctx.app.redis, ctx.app.redisPrefix, ctx.logger).of(view.id),
      ctx.app.store.notificationChannels.get(view.id),
    ]);
    const notifications = channel && {
      expiresAt: channel.expiresAt,
      renewedAt: channel.renewedAt,
      renewAt: channel.renewAt,
      lastError: channel.lastError,
    };
    return { ...status, webhooks, notifications };
  }

  @Mutation(() => Connection, {
    description:
      'Polls the connection for changes now rather than at its next scheduled poll. Returns at once; the ' +
      'changes arrive as syncEvents.',
    complexity: ({ childComplexity }) => SYNC_CONTROL_COST + childComplexity,
  })
  async triggerSync(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection> {
    // The loader finds the caller's connections only: NOT_FOUND for any other id, whatever exists.
    const view = await ctx.loaders.connection.load(connectionId);
    await ctx.app.syncControl.trigger(view);
    return view;
  }

  @Mutation(() => Connection, {
    description:
      'Pulls every record of the connection again and compares it with what the gateway knows: changes and ' +
      'deletions that no webhook or poll reported become events. For a connection suspected out of step.',
    complexity: ({ childComplexity }) => SYNC_CONTROL_COST + childComplexity,
  })
  async resyncConnection(
    @Arg('connectionId', () => ID) connectionId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection> {
    // The loader finds the caller's connections only: NOT_FOUND for any other id, whatever exists.
    const view = await ctx.loaders.connection.load(connectionId);
    await ctx.app.syncControl.resync(view);
    return view;
  }
}
