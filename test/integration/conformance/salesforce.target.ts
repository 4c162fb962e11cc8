import crypto from 'node:crypto';
import Redis from 'ioredis';
import { CRMS } from '../../../src/config/crms';
import { createConnectorContext } from '../../../src/connectors/context';
import { type CallPriority } from '../../../src/connectors/http/http.types';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { OAuth2Client, oauthRefresher } from '../../../src/connectors/tokens/oauth2-client';
import { type ConnectionEventPublisher, TokenService } from '../../../src/connectors/tokens/token.service';
import { type ConnectorFactory, type CrmConnector, type CrmObject } from '../../../src/connectors/types';
import { createLogger } from '../../../src/logger';
import { type ListeningSandbox, type RequestLogEntry } from '../../../src/sandbox/core';
import { createSalesforceSandbox } from '../../../src/sandbox/salesforce';
import { findObject } from '../../../src/sandbox/salesforce/schema';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The Salesforce sandbox behind a real connection: the OAuth web-server flow against the sandbox, the
 * token service on Redis + the gateway's store, the budget gate on Redis, the shared HTTP client built
 * by `createConnectorContext` with the registered Salesforce hooks, and the connector on top. Only the
 * sandbox's data is touched directly (as a CRM user would, at chosen instants).
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const REDIRECT = 'http://127.0.0.1:9/oauth/salesforce/callback';
const SF_OBJECT: Record<CrmObject, string> = { contact: 'Contact', deal: 'Opportunity' };

export interface SalesforceConformanceOptions {
  counts: { Contact: number; Opportunity: number; Account?: number };
  /** Connection settings (fields read, bulk threshold…). */
  settings?: Record<string, unknown>;
  retry?: Partial<RetryPolicyOptions>;
  /** How the connection was authorized. @defaultValue 'oauth2_code' (the web-server flow) */
  auth?: 'oauth2_code' | 'oauth2_client_credentials';
}

export interface SalesforceConformanceSandbox {
  connector(priority?: CallPriority): CrmConnector;
  /** Vendor calls logged since the last `clearLog` whose `METHOD route` key matches. */
  calls(route: RegExp): number;
  clearLog(): void;
  log(): RequestLogEntry[];
  liveIds(obj: CrmObject): string[];
  /** Creates records as the org's CRM user, all stamped at `at` (sandbox epoch ms). */
  createAt(obj: CrmObject | 'OpportunityContactRole', rows: Record<string, unknown>[], at: number): string[];
  deleteAt(obj: CrmObject, id: string, at: number): void;
  field(obj: CrmObject, id: string, name: string): unknown;
  now(): number;
  setFaults(patch: Record<string, unknown>): Promise<void>;
  /** Sandbox org settings (allocation, session timeout…). */
  setSettings(patch: Record<string, unknown>): Promise<void>;
  expireAccessTokens(): Promise<void>;
  revokeRefreshTokens(): Promise<void>;
  connectionStatus(): Promise<string>;
  /** Events the token service published (NEEDS_REAUTH). */
  events: { connectionId: string; status: string }[];
  close(): Promise<void>;
}

/** Starts a sandbox org and a connection on it; `factory` is the connector under test. */
export async function startSalesforceConformance(
  factory: ConnectorFactory,
  options: SalesforceConformanceOptions,
): Promise<SalesforceConformanceSandbox> {
  const sandbox = createSalesforceSandbox({
    orgs: [{ id: 'default', seed: 11, counts: { Account: 20, ...options.counts } }],
  });
  const live: ListeningSandbox = await sandbox.listen();
  const org = sandbox.org('default');
  const store: Store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('sfconf'),
    keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
  });
  const redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = uniqueName('sfconf');
  const events: { connectionId: string; status: string }[] = [];
  const publisher: ConnectionEventPublisher = {
    async publishConnectionEvent(_tenantId, event) {
      events.push({ connectionId: event.connectionId, status: event.status });
    },
  };

  const oauth = new OAuth2Client({
    decl: CRMS.salesforce,
    hosts: { auth: live.baseUrl, api: null },
    app: { clientId: org.state.clientId, clientSecret: org.state.clientSecret, redirectUri: REDIRECT },
    policy: POLICY,
  });
  const authKind = options.auth ?? 'oauth2_code';
  let grant;
  if (authKind === 'oauth2_code') {
    // The web-server flow, as the gateway's /oauth/salesforce/callback runs it.
    const authorize = await fetch(oauth.authorizeUrl('conformance-state'), { redirect: 'manual' });
    const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code');
    if (!code) throw new Error(`sandbox authorize did not redirect with a code (HTTP ${authorize.status})`);
    grant = await oauth.exchangeCode(code);
  } else {
    grant = await oauth.clientCredentials();
  }

  const tenant = await store.tenants.create(uniqueName('tenant'));
  const connection = await store.connections.create({
    tenantId: tenant.id,
    crm: 'salesforce',
    displayName: 'Salesforce conformance',
    credentials: {
      authKind,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      apiBaseUrl: grant.apiBaseUrl,
    },
    externalAccountId: grant.externalAccountId ?? null,
    vendorUrls: { auth: live.baseUrl },
    settings: options.settings ?? {},
  });
  const tokens = new TokenService({
    store: store.connections,
    redis,
    prefix,
    events: publisher,
    refresherFor: () => oauthRefresher(oauth),
  });
  const logger = createLogger({ level: 'silent' });
  const admin = (path: string, method = 'POST', body?: unknown) =>
    fetch(`${live.baseUrl}/__sandbox/orgs/default${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((res) => {
      if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status}`);
    });
  const write = (at: number) => ({ userId: org.state.crmUserId, now: at, mode: 'json' as const });
  const objectOf = (name: string) => {
    const obj = findObject(name);
    if (!obj) throw new Error(`sandbox has no ${name}`);
    return obj;
  };

  return {
    connector(priority: CallPriority = 'interactive') {
      const ctx = createConnectorContext(connection, priority, {
        redis,
        prefix,
        tokensFor: (id) => tokens.forConnection(id),
        policy: POLICY,
        logger,
        retry: options.retry,
      });
      return factory(ctx);
    },
    calls: (route) => org.log.count((key) => route.test(key)),
    clearLog: () => org.log.clear(),
    log: () => org.log.snapshot(2000).entries,
    liveIds(obj) {
      return [...org.state.store.table(SF_OBJECT[obj]).values()]
        .filter((r) => r.IsDeleted !== true)
        .map((r) => String(r.Id));
    },
    createAt(obj, rows, at) {
      const name = obj === 'contact' || obj === 'deal' ? SF_OBJECT[obj] : obj;
      return rows.map((fields) => {
        const result = org.state.store.create(objectOf(name), fields, write(at));
        if (!result.success) throw new Error(`sandbox create ${name}: ${JSON.stringify(result.errors)}`);
        return result.id;
      });
    },
    deleteAt(obj, id, at) {
      const result = org.state.store.delete(objectOf(SF_OBJECT[obj]), id, write(at));
      if (!result.success) throw new Error(`sandbox delete ${id}: ${JSON.stringify(result.errors)}`);
    },
    field: (obj, id, name) => org.state.store.get(SF_OBJECT[obj], id)?.[name],
    now: () => org.now(),
    setFaults: (patch) => admin('/faults', 'PATCH', patch),
    setSettings: (patch) => admin('/settings', 'PATCH', patch),
    expireAccessTokens: () => admin('/tokens/expire'),
    revokeRefreshTokens: () => admin('/tokens/revoke'),
    connectionStatus: async () => (await store.connections.getById(connection.id)).status,
    events,
    async close() {
      await live.close();
      await store.conn.dropDatabase();
      await store.close();
      await redis.quit();
    },
  };
}
