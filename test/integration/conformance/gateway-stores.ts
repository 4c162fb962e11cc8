import crypto from 'node:crypto';
import Redis from 'ioredis';
import { type ConnectorDeps } from '../../../src/connectors/context';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { type OAuth2Client, oauthRefresher } from '../../../src/connectors/tokens/oauth2-client';
import { TokenService } from '../../../src/connectors/tokens/token.service';
import { createLogger } from '../../../src/logger';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { testStoreUrls, uniqueName } from '../../support/stores';

/** The gateway's own stores for one conformance sandbox: a FerretDB database, Redis, and a tenant. */
export interface GatewayStores {
  store: Store;
  redis: Redis;
  tenantId: string;
  close(): Promise<void>;
}

/** A store (FerretDB) and Redis of its own per sandbox: `close()` drops and closes both. */
export async function openGatewayStores(prefix: string): Promise<GatewayStores> {
  const store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName(prefix),
    keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
  });
  const redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  const tenantId = (await store.tenants.create(uniqueName('tenant'))).id;
  return {
    store,
    redis,
    tenantId,
    close: async () => {
      await store.conn.dropDatabase();
      await store.close();
      await redis.quit();
    },
  };
}

/** What the token service published, and the dependencies contexts are built from. */
export interface GatewayConnectors {
  tokens: TokenService;
  deps: ConnectorDeps;
  /** `connectionEvents` the token service published. */
  events: { connectionId: string; status: string }[];
}

/**
 * The token service on the gateway's store and Redis (refreshing through `oauth`), and the
 * dependencies the framework's context builder takes, as the gateway and the worker build them:
 * vendor hosts through the SSRF guard, Redis budgets, the registered hooks, the shared client.
 */
export function gatewayConnectors(
  stores: GatewayStores,
  options: {
    prefix: string;
    oauth: OAuth2Client;
    policy: VendorUrlPolicy;
    retry?: Partial<RetryPolicyOptions>;
  },
): GatewayConnectors {
  const events: { connectionId: string; status: string }[] = [];
  const tokens = new TokenService({
    store: stores.store.connections,
    redis: stores.redis,
    prefix: options.prefix,
    events: {
      async publishConnectionEvent(_tenantId, event) {
        events.push({ connectionId: event.connectionId, status: event.status });
      },
    },
    refresherFor: () => oauthRefresher(options.oauth),
  });
  const deps: ConnectorDeps = {
    redis: stores.redis,
    prefix: options.prefix,
    tokensFor: (id) => tokens.forConnection(id),
    policy: options.policy,
    logger: createLogger({ level: 'silent' }),
    retry: options.retry,
  };
  return { tokens, deps, events };
}

/** A call to the sandbox's admin API for the `default` org; anything but 2xx throws naming it. */
export function sandboxAdmin(baseUrl: string) {
  return async (method: string, path: string, body?: unknown): Promise<void> => {
    const res = await fetch(`${baseUrl}/__sandbox/orgs/default${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  };
}

/**
 * The parts of a conformance sandbox every target answers alike: faults, settings and tokens through
 * the sandbox's admin API for its `default` org, and the connection's state in the gateway's store.
 */
export function sandboxControls(
  baseUrl: string,
  stores: GatewayStores,
  connectionId: string,
  events: GatewayConnectors['events'],
) {
  const admin = sandboxAdmin(baseUrl);
  return {
    setFaults: (patch: Record<string, unknown>) => admin('PATCH', '/faults', patch),
    setSettings: (patch: Record<string, unknown>) => admin('PATCH', '/settings', patch),
    expireAccessTokens: () => admin('POST', '/tokens/expire'),
    revokeRefreshTokens: () => admin('POST', '/tokens/revoke'),
    connectionStatus: async () => (await stores.store.connections.getById(connectionId)).status,
    connectionId,
    events,
  };
}
