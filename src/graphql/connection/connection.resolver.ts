import { requestNotificationChannel } from '../../queue/notifications.producer';
import { QUEUES } from '../../queue/queues';
import { requestConnectionPurge, requestConnectionRevoke } from '../../queue/system.producer';
import { WebhookActivity } from '../../sync/webhooks/webhook-activity';
import { mayUseConnection, TokenAccess } from '../auth/token-access';
import { prepareTokenConnection } from '../../connectors/connect';
import { checkGatewayKeyFields } from '../../connectors/gateway-key-check';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { CRM_KINDS, isCrmKind } from '../../connectors/registry';
import { BadUserInputError } from '../../errors';
import { connectionEvent } from '../../events/connection-events';
import { CurrentAuth } from '../auth/current-auth.decorator';
import { type Auth, type RequestContext } from '../request-context';
import { CreateConnectionInput, MAX_CREDENTIALS_BYTES } from './connection.input';
import { Connection } from './connection.type';

/** A tenant has a handful of connections; the list still costs more than one object. */
const CONNECTION_LIST_COST = 10;
/** Writes cost more than reads: they touch the store and publish an event. */
const CONNECTION_WRITE_COST = 10;

@Resolver(() => Connection)
export class ConnectionResolver {
  @TokenAccess()
  @Query(() => [Connection], {
    description: "Your tenant's CRM connections, oldest first.",
    complexity: ({ childComplexity }) => CONNECTION_LIST_COST * childComplexity,
  })
  async connections(@CurrentAuth() auth: Auth, @Ctx() ctx: RequestContext): Promise<Connection[]> {
    const all = await ctx.app.store.connections.listForTenant(auth.tenantId);
    return all.filter((c) => mayUseConnection(auth, c.id));
  }

  @TokenAccess()
  @Query(() => Connection, { description: 'One of your connections; NOT_FOUND for any other id.' })
  async connection(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<Connection> {
    return ctx.loaders.connection.load(id);
  }

  @Mutation(() => Connection, {
    description: 'Connects a CRM with a token or client credentials. The credentials are never returned.',
    complexity: ({ childComplexity }) => CONNECTION_WRITE_COST + childComplexity,
  })
  async createConnection(
    @Arg('input') input: CreateConnectionInput,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection> {
    // The list of kinds grows with src/connectors/registry.ts, so it is checked here rather than frozen into
    // a schema enum that every new CRM would change.
    if (!isCrmKind(input.crm)) {
      throw new BadUserInputError(
        `input.crm must be one of ${CRM_KINDS.join(', ')}; got ${JSON.stringify(input.crm.slice(0, 60))}`,
      );
    }
    checkCredentials(input.credentials);
    // Checked (and for client credentials, exchanged for a first token) before anything is stored.
    const prepared = await prepareTokenConnection(
      { crm: input.crm, credentials: input.credentials, vendorUrls: input.vendorUrls ?? undefined },
      ctx.app.crm.policy,
      { logger: ctx.logger, transport: ctx.app.crm.transport },
    );
    const created = await ctx.app.store.connections.create({
      tenantId: auth.tenantId,
      crm: input.crm,
      displayName: input.displayName,
      credentials: prepared.credentials,
      vendorUrls: prepared.vendorUrls,
      externalAccountId: prepared.externalAccountId,
      // What the vendor said (the app id budgets are scoped by) wins over what the caller set.
      settings: { ...(input.settings ?? {}), ...prepared.settings },
    });
    // The gateway key is checked against the CRM's field metadata through the stored connection (its
    // budgets and tokens); a connection whose key cannot be used is not kept.
    try {
      await checkGatewayKeyFields(ctx.app.crm.connectorFor(created, 'interactive'), created.settings);
    } catch (err) {
      await ctx.app.store.connections.deleteForTenant(auth.tenantId, created.id);
      throw err;
    }
    await ctx.app.crm.tokens.indexExpiry(created.id, prepared.credentials);
    // Its vendor notification channel, where the CRM has channels to subscribe (the worker does it).
    await requestNotificationChannel(ctx.app.queues.get(QUEUES.sync), created.id);
    ctx.logger.info({ connectionId: created.id, crm: created.crm }, 'connection created');
    await ctx.pubsub.publishConnectionEvent(auth.tenantId, connectionEvent('CREATED', created));
    return created;
  }

  @Mutation(() => Connection, {
    description: 'Deletes one of your connections and returns it as it was.',
    complexity: ({ childComplexity }) => CONNECTION_WRITE_COST + childComplexity,
  })
  async deleteConnection(
    @Arg('id', () => ID) id: string,
    @CurrentAuth() auth: Auth,
    @Ctx() ctx: RequestContext,
  ): Promise<Connection> {
    const { view: deleted, sealedCredentials } = await ctx.app.store.connections.deleteForTenantSealed(
      auth.tenantId,
      id,
    );
    ctx.logger.info({ connectionId: deleted.id, crm: deleted.crm }, 'connection deleted');
    // The store change above dropped the decrypted credentials in every process; this drops what the
    // token service keeps of it in Redis.
    await ctx.app.crm.tokens.forget(deleted.id);
    const system = ctx.app.queues.get(QUEUES.system);
    // Two worker jobs (docs/sync.md "Lifecycle and privacy"): the grant is revoked at the vendor with
    // the credentials still encrypted as stored, and apart from it, so a vendor that is down never holds
    // it back, its snapshots, history, writes, cursors and webhook receipts are purged (src/sync/purge.ts).
    if (sealedCredentials) {
      await requestConnectionRevoke(system, {
        connectionId: deleted.id,
        crm: deleted.crm,
        vendorUrls: deleted.vendorUrls,
        credentials: sealedCredentials,
      });
    }
    await requestConnectionPurge(system, deleted.id);
    await new WebhookActivity(ctx.app.redis, ctx.app.redisPrefix, ctx.logger).forget(deleted.id);
    await ctx.pubsub.publishConnectionEvent(auth.tenantId, connectionEvent('DELETED', deleted));
    return deleted;
  }
}

/**
 * Credentials are checked for shape only: what each CRM needs is the connector's business. The message
 * never contains a value, only sizes: it may be logged and is returned to the caller.
 */
function checkCredentials(credentials: Record<string, unknown>): void {
  const keys = Object.keys(credentials);
  if (keys.length === 0) {
    throw new BadUserInputError('input.credentials must be a non-empty JSON object; got {}');
  }
  const bytes = Buffer.byteLength(JSON.stringify(credentials));
  if (bytes > MAX_CREDENTIALS_BYTES) {
    throw new BadUserInputError(
      `input.credentials must be at most ${MAX_CREDENTIALS_BYTES} bytes of JSON; got ${bytes} bytes`,
    );
  }
}
