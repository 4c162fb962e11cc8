import { type Router } from 'express';
import { OAuthStateStore } from '../connectors/oauth/oauth-state';
import { createOAuthRouter } from '../connectors/oauth/oauth.routes';
import { type ConnectionEventPublisher, connectionEvent } from '../events/connection-events';
import { requestNotificationChannel } from '../queue/notifications.producer';
import { QUEUES } from '../queue/queues';
import { type AppContext } from '../runtime/context';
import { authenticate, type KeyAuthenticator } from './auth';
import { type RequestRateLimiter } from './request-rate-limit';

/**
 * `/oauth/:crm/start` and `/oauth/:crm/callback` on the gateway: the connector framework's OAuth flow
 * with this process's stores, token service and SSRF policy. A connection created or re-authorized
 * here is announced on `connectionEvents` like one created through GraphQL. start counts against the
 * key's request rate limit like any API request.
 */
export function oauthRouter(
  ctx: AppContext,
  events: ConnectionEventPublisher,
  auth: { keys: KeyAuthenticator; rateLimiter: RequestRateLimiter },
): Router {
  return createOAuthRouter({
    states: new OAuthStateStore({
      redis: ctx.redis,
      prefix: ctx.redisPrefix,
      secret: ctx.keyRing.deriveKey('oauth-state'),
    }),
    connections: ctx.store.connections,
    tokens: ctx.crm.tokens,
    apps: ctx.crm.oauthApp,
    policy: ctx.crm.policy,
    defaultVendorUrls: (crm) => ctx.env.CRM_DEFAULT_VENDOR_URLS[crm],
    transport: ctx.crm.transport,
    authenticate: async (req) => {
      const found = await authenticate(req.headers.authorization, auth.keys);
      if (found) await auth.rateLimiter.check(found);
      return found;
    },
    currentKey: (keyId) => ctx.store.apiKeys.findLive(keyId),
    onConnected: async (connection, change, keyId) => {
      const type = change === 'CREATED' ? 'CREATED' : 'STATUS_CHANGED';
      await ctx.audit.record({
        tenantId: connection.tenantId,
        actor: { kind: 'API_KEY', keyId, subject: null },
        action: change === 'CREATED' ? 'oauthConnect' : 'oauthReauthorize',
        connectionId: connection.id,
        targetIds: [connection.id],
        targetCount: 1,
        outcome: 'SUCCEEDED',
        errorCode: null,
      });
      await events.publishConnectionEvent(connection.tenantId, connectionEvent(type, connection));
      // A vendor whose notification channels are subscribed by API gets one now (and a re-authorized
      // connection a fresh one); the worker does it (src/sync/notifications/channel-renewal.ts).
      await requestNotificationChannel(ctx.queues.get(QUEUES.sync), connection.id);
    },
    logger: ctx.logger,
  });
}
