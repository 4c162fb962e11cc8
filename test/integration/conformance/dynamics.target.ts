import crypto from 'node:crypto';
import { connectorFor } from '../../../src/connectors/context';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { DEFAULT_CHANGE_TRACKING_DAYS } from '../../../src/connectors/dynamics/settings';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { type CrmObject, type NativeValue } from '../../../src/connectors/types';
import { oauthClient, vendorAccess } from '../../../src/connectors/vendor-access';
import { type ListeningSandbox } from '../../../src/sandbox/core';
import { createDynamicsSandbox, DEMO, type DynamicsOrg } from '../../../src/sandbox/dynamics';
import { connectRows } from '../../../src/sandbox/dynamics/connections';
import { entityByLogicalName } from '../../../src/sandbox/dynamics/schema';
import { applyStateRules } from '../../../src/sandbox/dynamics/states';
import { isLookupValue } from '../../../src/sandbox/dynamics/store';
import { bodyToValues } from '../../../src/sandbox/dynamics/write-values';
import { uniqueName } from '../../support/stores';
import { gatewayConnectors, openGatewayStores, sandboxAdmin } from './gateway-stores';
import { type ConformanceSandbox, type ConformanceTarget } from './target';

/**
 * The Dynamics 365 target of the conformance suite: the Dataverse sandbox over a real socket, and a
 * connection built the way production builds one — a person's authorization-code grant through the
 * sandbox's Entra ID (delegated, with refresh tokens), stored encrypted in the gateway's (FerretDB)
 * store, the token service with its Redis lock, Redis budgets, contexts through the registry. Records
 * are seeded and inspected through the sandbox's store, as the org's interactive user at chosen
 * instants, never through the connector.
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const REDIRECT = 'http://127.0.0.1:9/oauth/dynamics/callback';
const TABLE: Record<CrmObject, 'contact' | 'opportunity'> = { contact: 'contact', deal: 'opportunity' };
/** The custom contact columns the connection reads (the suite's custom-field and external-id cases). */
const CUSTOM_COLUMNS = ['cr8f3_externalid', 'cr8f3_npsscore', 'cr8f3_loyaltytier'];

export interface DynamicsConformanceOptions {
  counts: Record<CrmObject, number>;
  settings?: Record<string, unknown>;
  retry?: Partial<RetryPolicyOptions>;
  /** Dataverse org settings (`src/sandbox/dynamics/settings.ts`) from the start. */
  orgSettings?: Record<string, unknown>;
}

export interface DynamicsConformanceSandbox extends ConformanceSandbox {
  org: DynamicsOrg;
  live: ListeningSandbox;
  /** Moves the org's clock forward (tokens and delta tokens age with it). */
  advanceClock(ms: number): Promise<void>;
}

/** Entity of a canonical object's table: the sandbox's schema, which it validates writes against. */
function entityOf(obj: CrmObject) {
  const entity = entityByLogicalName(TABLE[obj]);
  if (!entity) throw new Error(`the Dataverse sandbox has no ${TABLE[obj]} table`);
  return entity;
}

export async function startDynamicsConformance(
  options: DynamicsConformanceOptions,
): Promise<DynamicsConformanceSandbox> {
  const counts = { contact: options.counts.contact, opportunity: options.counts.deal, account: 20 };
  const server = createDynamicsSandbox({
    orgs: [{ id: 'default', seed: 11, counts, settings: options.orgSettings ?? {} }],
  });
  const live = await server.listen();
  const org = server.org('default');
  const stores = await openGatewayStores('dynconf');
  const { store, tenantId } = stores;

  // The connection names its directory (the authority URL) and its environment, as harness.ts does.
  const vendorUrls = { auth: `${live.baseUrl}/${DEMO.tenantId}`, api: live.baseUrl };
  const access = vendorAccess({ crm: 'dynamics', vendorUrls, policy: POLICY });
  const oauth = oauthClient(
    access,
    { clientId: org.state.clientId, clientSecret: org.state.clientSecret, redirectUri: REDIRECT },
    { policy: POLICY },
  );
  // The sandbox's sign-in and consent screens approve at once and redirect with a code.
  const authorize = await fetch(oauth.authorizeUrl('conformance-state'), { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`sandbox authorize did not redirect with a code (HTTP ${authorize.status})`);
  const grant = await oauth.exchangeCode(code);
  if (!grant.refreshToken) throw new Error('the delegated grant carried no refresh token (offline_access)');

  const connection = await store.connections.create({
    tenantId,
    crm: 'dynamics',
    displayName: 'Dynamics 365 conformance',
    credentials: {
      authKind: 'oauth2_code',
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
    },
    externalAccountId: grant.externalAccountId ?? null,
    vendorUrls,
    settings: { fields: { contact: CUSTOM_COLUMNS }, ...options.settings },
  });
  const { deps, events } = gatewayConnectors(stores, {
    prefix: uniqueName('dynconf'),
    oauth,
    policy: POLICY,
    retry: options.retry,
  });
  const admin = sandboxAdmin(live.baseUrl);

  const dv = () => org.state.store;
  const asUser = (at: number) => ({ userId: org.state.interactiveUserId, now: at });
  const rows = (obj: CrmObject) => [...dv().table(TABLE[obj]).values()];
  org.log.clear();

  return {
    org,
    live,
    connector: (priority = 'interactive') => connectorFor(connection, priority, deps),
    calls: (route) => org.log.count((key) => route.test(key)),
    clearLog: () => org.log.clear(),
    log: () => org.log.snapshot(org.log.total).entries,
    liveIds: (obj) => rows(obj).map((r) => r.id),
    // Dataverse deletes rows outright: nothing deleted is ever listed again.
    deletedIds: () => [],
    createAt(obj, bodies, at) {
      const entity = entityOf(obj);
      return bodies.map((body) => {
        // A Web API body, validated as the Web API validates it, stamped at `at`.
        const values = bodyToValues(entity, body, dv(), 'create');
        applyStateRules(entity, values, undefined, { closedReadOnly: true });
        const owned = { ownerid: { id: org.state.interactiveUserId, entity: 'systemuser' }, ...values };
        return dv().insert(entity.logicalName, crypto.randomUUID(), owned, asUser(at)).id;
      });
    },
    deleteAt: (obj, id, at) => void dv().remove(TABLE[obj], id, asUser(at)),
    changedAfter(obj, after) {
      return {
        upserted: rows(obj)
          .filter((r) => r.modifiedOn > after)
          .map((r) => r.id),
        deleted: dv()
          .deletedSince(TABLE[obj], 0)
          .filter((d) => d.at > after)
          .map((d) => d.id),
      };
    },
    // A CRM user adds the contact to the deal's stakeholders: a connection (and its reciprocal).
    associate(contactId, dealId) {
      connectRows(
        dv(),
        { id: dealId, entity: 'opportunity' },
        { id: contactId, entity: 'contact' },
        asUser(org.now()),
      );
    },
    // The deal's parentcontactid, and the connections between the two tables, either side.
    associated(from, id) {
      const [mine, other] = from === 'deal' ? ['opportunity', 'contact'] : ['contact', 'opportunity'];
      const own = id.toLowerCase();
      const byLookup = rows('deal').flatMap((r) => {
        const contact = r.values.parentcontactid;
        if (!isLookupValue(contact)) return [];
        if (from === 'deal') return r.id === own ? [contact.id] : [];
        return contact.id === own ? [r.id] : [];
      });
      const byConnection = [...dv().table('connection').values()].flatMap((c) => {
        const [one, two] = [c.values.record1id, c.values.record2id];
        return isLookupValue(one) &&
          isLookupValue(two) &&
          one.id === own &&
          one.entity === mine &&
          two.entity === other
          ? [two.id]
          : [];
      });
      return [...new Set([...byLookup, ...byConnection])];
    },
    field: (obj, id, name) => dv().get(TABLE[obj], id)?.values[name],
    now: () => org.now(),
    setFaults: (patch) => admin('PATCH', '/faults', patch),
    setSettings: (patch) => admin('PATCH', '/settings', patch),
    expireAccessTokens: () => admin('POST', '/tokens/expire'),
    revokeRefreshTokens: () => admin('POST', '/tokens/revoke'),
    advanceClock: (ms) => admin('PUT', '/clock', { advanceMs: ms }),
    connectionStatus: async () => (await store.connections.getById(connection.id)).status,
    connectionId: connection.id,
    events,
    async close() {
      await live.close();
      await stores.close();
    },
  };
}

const DAY_MS = 24 * 3600_000;

export const dynamicsTarget: ConformanceTarget<DynamicsConformanceSandbox> = {
  crm: 'dynamics',
  start: ({ counts, retry, settings }) => startDynamicsConformance({ counts, retry, settings }),
  routes: {
    // Reads by id: one `GET /<set>?$filter=Microsoft.Dynamics.CRM.In(…)` per batch.
    bulkRead: (obj) =>
      new RegExp(`^GET /api/data/:version/${obj === 'contact' ? 'contacts' : 'opportunities'}$`),
    // Writes: one `$batch` (continue-on-error) per call.
    bulkWrite: () => /^POST \/api\/data\/:version\/\$batch$/,
    // One `$batch` of two reads: opportunities (parentcontactid) and connections.
    associations: () => /^POST \/api\/data\/:version\/\$batch$/,
    token: /^POST \/:tenant\/oauth2\/v2\.0\/token$/,
  },
  samples: {
    newRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { firstname: `First${n}`, lastname: 'Conformance', emailaddress1: `contact${n}@conformance.test` }
        : { name: `Deal ${n}`, estimatedvalue: 1000.5, estimatedclosedate: '2026-12-31' },
    // Dataverse does not check an email's shape; it refuses a value longer than the column's maximum
    // (emailaddress1: 100) per record, as it refuses a topic longer than 300 characters.
    invalidRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { lastname: `Invalid${n}`, emailaddress1: `${'x'.repeat(100)}${n}@example.com` }
        : { name: `${'Too long a topic '.repeat(20)}${n}` },
    invalidContactCode: '0x80044331',
    update: (obj) =>
      obj === 'contact'
        ? { field: 'jobtitle', value: 'Chief Conformance Officer' }
        : { field: 'name', value: 'Renamed deal' },
    unknownId: () => '00000000-0000-4000-8000-000000000001',
    email: { field: 'emailaddress1', type: 'email' },
    contactExternalId: 'cr8f3_externalid',
    custom: { field: 'cr8f3_npsscore', type: 'decimal', value: 9, picklist: 'cr8f3_loyaltytier' },
  },
  // The feed follows a delta token, not a time: it never reaches before the position it was given.
  changesLookbackMs: 1000,
  changesWindowMs: DEFAULT_CHANGE_TRACKING_DAYS * DAY_MS,
  // `modifiedon` reads in whole seconds (docs/vendors/dynamics.md "Rows").
  stampResolutionMs: 1000,
  storms: [
    {
      // Service protection: 429 with the documented error code and a Retry-After in seconds.
      name: '429 service protection limit with Retry-After',
      status: 429,
      waitTold: true,
      start: (sb, ms) => sb.setFaults({ rateLimitStormMs: ms }),
    },
  ],
  unthrottle: (sb) =>
    sb.setSettings({
      requestsPerWindow: 1_000_000_000,
      executionTimeMsPerWindow: 1_000_000_000,
      concurrentRequests: 1_000_000,
    }),
  // The requests remaining in the user's 5-minute window, reported in
  // x-ms-ratelimit-burst-remaining-xrm-requests.
  allocation: {
    budget: 'requests',
    set: (sb, perWindow) => sb.setSettings({ requestsPerWindow: perWindow }),
    // Dataverse documents its allocation (6,000 per user per 5 minutes) and states no limit header.
    limitStated: false,
  },
};
