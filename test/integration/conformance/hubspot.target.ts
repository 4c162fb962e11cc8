import { CRM_DEFINITIONS } from '../../../src/connectors/registry';
import { connectorFor, createConnectorContext } from '../../../src/connectors/context';
import { type CallPriority } from '../../../src/connectors/http/http.types';
import { HubSpotConnector } from '../../../src/connectors/hubspot/hubspot.connector';
import { forgetProperties } from '../../../src/connectors/hubspot/properties';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { OAuth2Client } from '../../../src/connectors/tokens/oauth2-client';
import { DEFAULT_SEARCH_OVERLAP_MS, RECYCLE_BIN_MS } from '../../../src/connectors/hubspot/hubspot.constants';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { type ConnectionInfo, type CrmObject, type NativeValue } from '../../../src/connectors/types';
import { type ListeningSandbox } from '../../../src/sandbox/core';
import {
  createHubSpotSandbox,
  DEMO,
  type HubSpotSandboxOptions,
  type HubSpotServer,
} from '../../../src/sandbox/hubspot';
import { uniqueName } from '../../support/stores';
import { gatewayConnectors, openGatewayStores, sandboxAdmin } from './gateway-stores';
import { type ConformanceSandbox, type ConformanceTarget } from './target';

/**
 * The HubSpot target of the conformance suite: the HubSpot sandbox over a real socket, and a connector
 * composed the way production composes it — a connection stored encrypted in the (FerretDB) store after
 * the real OAuth code flow, the token service with its Redis lock, Redis budgets, the shared client.
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const TYPE: Record<CrmObject, 'contacts' | 'deals'> = { contact: 'contacts', deal: 'deals' };

export interface HubSpotSandboxHandle extends ConformanceSandbox {
  server: HubSpotServer;
  live: ListeningSandbox;
  connection: ConnectionInfo;
  connectorWith(priority: CallPriority, settings: Record<string, unknown>): HubSpotConnector;
  /**
   * Another client of our app in this portal (a second deployment, a script with the same OAuth app)
   * spends the ten-secondly window until HubSpot refuses it; HubSpot counts that window per app and portal.
   */
  spendBurstWindow(): Promise<void>;
}

export async function startHubSpotConformance(
  counts: Record<CrmObject, number>,
  sandboxOptions: HubSpotSandboxOptions = {},
  retry?: Partial<RetryPolicyOptions>,
  settings: Record<string, unknown> = {},
): Promise<HubSpotSandboxHandle> {
  const stores = await openGatewayStores('hsconf');
  const { store, tenantId } = stores;
  const server = createHubSpotSandbox(
    { orgs: [{ id: 'default', seed: 11, counts: { contacts: counts.contact, deals: counts.deal } }] },
    sandboxOptions,
  );
  const live = await server.listen();
  const org = server.org('default');
  const admin = sandboxAdmin(live.baseUrl);

  // The real OAuth code flow: the sandbox's install screen approves at once and redirects with a code.
  const redirectUri = 'http://127.0.0.1:9/oauth/hubspot/callback';
  const oauth = new OAuth2Client({
    definition: CRM_DEFINITIONS.hubspot,
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
  const { deps, events } = gatewayConnectors(stores, { prefix, oauth, policy: POLICY, retry });

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
    settings,
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
    log: () => org.log.snapshot(org.log.total).entries,
    liveIds: (obj) => {
      const s = state().store;
      return s.order[TYPE[obj]].filter((id) => s.get(TYPE[obj], id)?.archived === false);
    },
    deletedIds: (obj) => {
      const s = state().store;
      return s.order[TYPE[obj]].filter((id) => s.get(TYPE[obj], id)?.archived === true);
    },
    createAt: (obj, rows, at) =>
      rows.map(
        (row) =>
          state().store.create(TYPE[obj], asProperties(row), 'CRM_UI', { createdAt: at, updatedAt: at }).id,
      ),
    deleteAt: (obj, id, at) => state().store.archive(TYPE[obj], id, 'CRM_UI', at),
    changedAfter: (obj, after) => {
      const s = state().store;
      const records = s.order[TYPE[obj]].flatMap((id) => s.get(TYPE[obj], id) ?? []);
      return {
        upserted: records.filter((r) => !r.archived && r.updatedAt > after).map((r) => r.id),
        deleted: records.filter((r) => r.archived && (r.archivedAt ?? r.updatedAt) > after).map((r) => r.id),
      };
    },
    associate: (contactId, dealId) => state().store.associate(contactId, dealId),
    associated: (from, id) => state().store.associated(TYPE[from], id),
    field: (obj, id, name) => state().store.get(TYPE[obj], id)?.properties[name],
    now: () => org.now(),
    setFaults: (patch) => admin('PATCH', '/faults', patch),
    setSettings: (patch) => admin('PATCH', '/settings', patch),
    async spendBurstWindow() {
      for (let i = 0; i < 1000; i += 1) {
        const res = await fetch(`${live.baseUrl}/crm/v3/objects/contacts?limit=1`, {
          headers: { authorization: `Bearer ${grant.accessToken}` },
        });
        await res.arrayBuffer();
        if (res.status === 429) return;
        if (!res.ok) throw new Error(`neighbour call: HTTP ${res.status}`);
      }
      throw new Error('the sandbox never refused the neighbour');
    },
    expireAccessTokens: () => admin('POST', '/tokens/expire'),
    revokeRefreshTokens: () => admin('POST', '/tokens/revoke'),
    connectionStatus: async () => (await store.connections.getById(created.id)).status,
    connectionId: created.id,
    events,
    close: async () => {
      await live.close();
      await stores.close();
    },
  };
}

/** The sandbox stores property values as strings, as HubSpot does. */
function asProperties(row: Record<string, NativeValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

const sample = (i: number): Record<string, NativeValue> => ({
  email: `contact${i}@conformance.test`,
  firstname: `First${i}`,
  lastname: 'Conformance',
});

export const hubspotTarget: ConformanceTarget<HubSpotSandboxHandle> = {
  crm: 'hubspot',
  start: ({ counts, retry, settings }) => startHubSpotConformance(counts, {}, retry, settings),
  routes: {
    bulkRead: (obj) => new RegExp(`^POST /crm/v3/objects/(${TYPE[obj]}|:[a-zA-Z]+)/batch/read$`),
    bulkWrite: (obj) =>
      new RegExp(`^POST /crm/v3/objects/(${TYPE[obj]}|:[a-zA-Z]+)/batch/(create|update|upsert)$`),
    associations: () => /^POST \/crm\/v4\/associations\/:[a-zA-Z]+\/:[a-zA-Z]+\/batch\/read$/,
    token: /^POST \/oauth\/v1\/token$/,
  },
  samples: {
    newRecord: (obj, n) =>
      obj === 'contact'
        ? sample(n)
        : {
            dealname: `Deal ${n}`,
            amount: '1000.50',
            pipeline: 'default',
            dealstage: 'appointmentscheduled',
          },
    // HubSpot validates an email's shape; a deal has no required property it would refuse.
    invalidRecord: (obj, n) =>
      obj === 'contact' ? { email: `not-an-email-${n}`, firstname: `Bad${n}` } : undefined,
    invalidContactCode: 'VALIDATION_ERROR',
    update: (obj) =>
      obj === 'contact'
        ? { field: 'jobtitle', value: 'Chief Conformance Officer' }
        : { field: 'dealname', value: 'Renamed deal' },
    unknownId: () => '999999999999',
    email: { field: 'email', type: 'email' },
    contactExternalId: 'crm_external_id',
    custom: { field: 'nps_score', type: 'decimal', value: '9', picklist: 'customer_tier' },
  },
  // Change polls search from `since − overlap` (index lag).
  changesLookbackMs: DEFAULT_SEARCH_OVERLAP_MS,
  changesWindowMs: RECYCLE_BIN_MS,
  storms: [
    {
      // HubSpot documents no Retry-After on API 429s: the caller is told the policy's backoff.
      name: '429 TEN_SECONDLY_ROLLING without Retry-After',
      status: 429,
      waitTold: false,
      start: (sb, ms) => sb.setFaults({ rateLimitStormMs: ms }),
    },
    {
      name: '429s with Retry-After once another client of the app spent the ten-secondly window',
      status: 429,
      waitTold: true,
      async start(sb) {
        await sb.setSettings({ oauthBurst: 20, retryAfterSeconds: 1 });
        await sb.spendBurstWindow();
      },
    },
  ],
  // The ten-secondly burst per portal and app, reported in X-HubSpot-RateLimit-Max/-Remaining (an OAuth
  // connection: the OAuth apps' figure).
  unthrottle: (sb) => sb.setSettings({ oauthBurst: 1_000_000, burst: 1_000_000, searchPerSecond: 1_000_000 }),
  allocation: { budget: 'burst', set: (sb, perWindow) => sb.setSettings({ oauthBurst: perWindow }) },
};
