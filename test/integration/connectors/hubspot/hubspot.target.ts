import crypto from 'node:crypto';
import Redis from 'ioredis';
import { CRMS } from '../../../../src/config/crms';
import { type ConnectorDeps, connectorFor, createConnectorContext } from '../../../../src/connectors/context';
import { type CallPriority } from '../../../../src/connectors/http/http.types';
import { HubSpotConnector } from '../../../../src/connectors/hubspot/hubspot.connector';
import { forgetProperties } from '../../../../src/connectors/hubspot/properties';
import { type VendorUrlPolicy } from '../../../../src/connectors/ssrf';
import { OAuth2Client, oauthRefresher } from '../../../../src/connectors/tokens/oauth2-client';
import { TokenService } from '../../../../src/connectors/tokens/token.service';
import { type ConnectionInfo, type CrmObject } from '../../../../src/connectors/types';
import { createLogger } from '../../../../src/logger';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import {
  createHubSpotSandbox,
  DEMO,
  type HubSpotSandboxOptions,
  type HubSpotServer,
} from '../../../../src/sandbox/hubspot';
import { KeyRing } from '../../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../../src/store';
import { testStoreUrls, uniqueName } from '../../../support/stores';
import { type ConformanceSandbox, type ConformanceTarget } from './conformance-suite';

/**
 * The HubSpot entry of the conformance suite: the HubSpot sandbox over a real socket, and a connector
 * composed the way production composes it — a connection stored encrypted in the (FerretDB) store after
 * the real OAuth code flow, the token service with its Redis lock, Redis budgets, the shared client.
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const TYPE: Record<CrmObject, 'contacts' | 'deals'> = { contact: 'contacts', deal: 'deals' };

/** A store (FerretDB) and Redis of its own per sandbox: `close()` drops and closes both. */
async function openStores(): Promise<{
  store: Store;
  redis: Redis;
  tenantId: string;
  close(): Promise<void>;
}> {
  const store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('hsconf'),
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

export interface HubSpotSandboxHandle extends ConformanceSandbox {
  server: HubSpotServer;
  live: ListeningSandbox;
  connection: ConnectionInfo;
  connectorWith(priority: CallPriority, settings: Record<string, unknown>): HubSpotConnector;
}

export async function startHubSpotConformance(
  counts: Record<CrmObject, number>,
  sandboxOptions: HubSpotSandboxOptions = {},
): Promise<HubSpotSandboxHandle> {
  const stores = await openStores();
  const { store, redis, tenantId } = stores;
  const server = createHubSpotSandbox(
    { orgs: [{ id: 'default', seed: 11, counts: { contacts: counts.contact, deals: counts.deal } }] },
    sandboxOptions,
  );
  const live = await server.listen();
  const org = server.org('default');
  const admin = async (method: string, path: string, body?: unknown): Promise<void> => {
    const res = await fetch(`${live.baseUrl}/__sandbox/orgs/default${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  };

  // The real OAuth code flow: the sandbox's install screen approves at once and redirects with a code.
  const redirectUri = 'http://127.0.0.1:9/oauth/hubspot/callback';
  const oauth = new OAuth2Client({
    decl: CRMS.hubspot,
    hosts: { auth: live.baseUrl, api: live.baseUrl },
    app: { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, redirectUri },
    policy: POLICY,
  });
  const authorize = await fetch(oauth.authorizeUrl('state-1'), { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code');
  if (!code) throw new Error(`sandbox authorize did not redirect with a code (HTTP ${authorize.status})`);
  const grant = await oauth.exchangeCode(code);
  const created = await store.connections.create({
    tenantId,
    crm: 'hubspot',
    displayName: 'HubSpot sandbox',
    credentials: {
      authKind: 'oauth2_code',
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
    },
    externalAccountId: grant.externalAccountId ?? null,
    vendorUrls: { api: live.baseUrl, auth: live.baseUrl },
    settings: {},
  });
  const prefix = uniqueName('hsconf');
  const tokens = new TokenService({
    store: store.connections,
    redis,
    prefix,
    events: { publishConnectionEvent: async () => undefined },
    refresherFor: () => oauthRefresher(oauth),
  });
  const logger = createLogger({ level: 'silent' });

  // Contexts are built by the framework's builder, as the gateway and the worker build them: vendor
  // hosts through the SSRF guard, Redis budgets, the registered hooks, the shared client.
  const deps: ConnectorDeps = {
    redis,
    prefix,
    tokensFor: (id) => tokens.forConnection(id),
    policy: POLICY,
    logger,
  };
  const connectorWith = (priority: CallPriority, settings: Record<string, unknown>): HubSpotConnector =>
    new HubSpotConnector(
      createConnectorContext(
        {
          id: created.id,
          tenantId,
          crm: 'hubspot',
          externalAccountId: grant.externalAccountId ?? null,
          vendorUrls: { api: live.baseUrl },
          settings,
        },
        priority,
        deps,
      ),
    );
  const connection: ConnectionInfo = {
    id: created.id,
    tenantId,
    crm: 'hubspot',
    externalAccountId: grant.externalAccountId ?? null,
    vendorUrls: { api: live.baseUrl },
    settings: {},
  };
  forgetProperties(created.id);
  org.log.clear();

  const state = () => org.state;
  return {
    server,
    live,
    connection,
    connectorWith,
    // The registered factory, as production resolves it.
    connector: (priority = 'interactive') => connectorFor(connection, priority, deps),
    calls: (route) => org.log.count((key) => route.test(key)),
    clearLog: () => org.log.clear(),
    log: () => org.log.snapshot(100_000).entries,
    liveIds: (obj) => {
      const s = state().store;
      return s.order[TYPE[obj]].filter((id) => s.get(TYPE[obj], id)?.archived === false);
    },
    createAt: (obj, fields, at) =>
      fields.map((f) => state().store.create(TYPE[obj], f, 'CRM_UI', { createdAt: at, updatedAt: at }).id),
    archiveAt: (obj, id, at) => state().store.archive(TYPE[obj], id, 'CRM_UI', at),
    associate: (contactId, dealId) => state().store.associate(contactId, dealId),
    associated: (from, id) => state().store.associated(TYPE[from], id),
    now: () => org.now(),
    setFaults: (patch) => admin('PATCH', '/faults', patch),
    expireAccessTokens: () => admin('POST', '/tokens/expire'),
    revokeRefreshTokens: () => admin('POST', '/tokens/revoke'),
    connectionStatus: async () => (await store.connections.getById(created.id)).status,
    close: async () => {
      await live.close();
      await stores.close();
    },
  };
}

export const hubspotTarget: ConformanceTarget = {
  crm: 'hubspot',
  start: (counts) => startHubSpotConformance(counts),
  routes: {
    bulkRead: (obj) => new RegExp(`^POST /crm/v3/objects/(${TYPE[obj]}|:[a-zA-Z]+)/batch/read$`),
    bulkWrite: (obj) =>
      new RegExp(`^POST /crm/v3/objects/(${TYPE[obj]}|:[a-zA-Z]+)/batch/(create|update|upsert)$`),
    token: /^POST \/oauth\/v1\/token$/,
  },
  samples: {
    contact: (i) => ({
      email: `contact${i}@conformance.test`,
      firstname: `First${i}`,
      lastname: 'Conformance',
    }),
    invalidContact: (i) => ({ email: `not-an-email-${i}`, firstname: `Bad${i}` }),
    contactExternalId: 'crm_external_id',
    customField: { name: 'nps_score', value: '9' },
    email: 'email',
  },
};
