import { type Env } from '../config/env';
import { type BatchKind } from '../config/crms';
import {
  type ConnectorCallOptions,
  connectorFor,
  type ConnectorDeps,
  writeHeadroom,
  budgetReadings,
} from '../connectors/context';
import { type BudgetHeadroom, type BudgetReading } from '../ratelimit/budget-gate';
import { type CallPriority, type HttpTransport } from '../connectors/http/http.types';
import { pinnedTransport } from '../connectors/http/pinned-transport';
import { type VendorUrlPolicy } from '../connectors/ssrf';
import { type OAuthApp } from '../connectors/tokens/oauth2-client';
import { tokenRefresherFor } from '../connectors/tokens/refresh-policy';
import { TokenService } from '../connectors/tokens/token.service';
import { BudgetLeases } from '../ratelimit/budget-lease';
import { type CrmConnector } from '../connectors/types';
import { createConnectionEventPublisher } from '../events/connection-events';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type Store } from '../store';
import { type RedisClient } from '../redis/client';
import { type Logger } from '../logger';

/**
 * The CRM side of a process (gateway or worker), built once: the token service, our OAuth apps, the
 * SSRF policy and a connector factory for stored connections. Everything that talks to a CRM gets its
 * connector here, so budgets, tokens and URL checks are the same in every process.
 */
export interface CrmServices {
  tokens: TokenService;
  policy: VendorUrlPolicy;
  /** How every vendor call of the process is sent: pinned DNS, private addresses refused (SSRF). */
  transport: HttpTransport;
  /** Our OAuth app for `crm`, or undefined when the operator configured none. */
  oauthApp(crm: string): OAuthApp | undefined;
  /**
   * A connector for one request (`interactive`, with the operation's deadline in `call`) or one job
   * (`background`).
   */
  connectorFor(connection: ConnectionView, priority: CallPriority, call?: ConnectorCallOptions): CrmConnector;
  /** Write calls of `batchKind` the connection's budgets admit for background work now (context.ts). */
  writeHeadroom(connection: ConnectionView, batchKind: BatchKind): Promise<BudgetHeadroom>;
  /** The connection's budgets as they stand now, nothing taken (context.ts). */
  budgetReadings(connection: ConnectionView): Promise<BudgetReading[]>;
}

export function vendorUrlPolicy(env: Env): VendorUrlPolicy {
  return { allowOverrides: env.ALLOW_VENDOR_URL_OVERRIDES, allowlist: env.VENDOR_URL_ALLOWLIST };
}

export function createCrmServices(ctx: {
  env: Env;
  store: Store;
  redis: RedisClient;
  logger: Logger;
}): CrmServices {
  const { env, store, redis, logger } = ctx;
  const policy = vendorUrlPolicy(env);
  // Every vendor call resolves the host once, refuses private addresses and connects to the one it
  // checked; the operator's allowlisted origins (sandboxes) are exempt.
  const transport = pinnedTransport({ allowlist: env.VENDOR_URL_ALLOWLIST });
  const oauthApp = (crm: string): OAuthApp | undefined => {
    const app = env.CRM_OAUTH_APPS[crm];
    return app && { ...app, redirectUri: `${env.publicUrl}/oauth/${crm}/callback` };
  };

  const refresherFor = tokenRefresherFor({
    oauthApp,
    vendorUrlsOf: async (id) => (await store.connections.getById(id)).vendorUrls,
    policy,
    transport,
  });

  const tokens = new TokenService({
    store: store.connections,
    redis,
    prefix: env.REDIS_PREFIX,
    events: createConnectionEventPublisher({ redis, redisPrefix: env.REDIS_PREFIX }),
    refresherFor,
    logger,
  });
  const deps: ConnectorDeps = {
    redis,
    prefix: env.REDIS_PREFIX,
    tokensFor: (id) => tokens.forConnection(id),
    policy,
    logger,
    transport,
    leases: new BudgetLeases(),
  };
  return {
    tokens,
    policy,
    transport,
    oauthApp,
    connectorFor: (connection, priority, call) => connectorFor(connection, priority, deps, call),
    writeHeadroom: (connection, batchKind) => writeHeadroom(connection, batchKind, deps),
    budgetReadings: (connection) => budgetReadings(connection, deps),
  };
}
