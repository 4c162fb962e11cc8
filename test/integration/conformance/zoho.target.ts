import { connectorFor } from '../../../src/connectors/context';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { callbackVendorUrls, checkedVendorUrls } from '../../../src/connectors/oauth/callback-urls';
import { crmDefinition } from '../../../src/connectors/registry';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { type CrmObject, type NativeValue } from '../../../src/connectors/types';
import { oauthClient, vendorAccess } from '../../../src/connectors/vendor-access';
import { CRM } from '../../../src/connectors/zoho/zoho.constants';
import { type ListeningSandbox } from '../../../src/sandbox/core';
import { createZohoSandbox, DEMO, type DcId, type ZohoOrg, type ZohoServer } from '../../../src/sandbox/zoho';
import {
  changedAfter,
  createAt,
  deleteAt,
  fieldOfRecord,
  liveIds,
  updateAt,
} from '../../../src/sandbox/zoho/admin';
import { uniqueName } from '../../support/stores';
import { gatewayConnectors, openGatewayStores, sandboxControls } from './gateway-stores';
import { type ConformanceSandbox, type ConformanceTarget } from './target';

/**
 * The Zoho CRM target of the conformance suite: the Zoho sandbox over a real socket, its org in the EU
 * data centre, and a connection built the way production builds one — the authorize redirect starting at
 * the US accounts server, the callback naming the account's DC (`location`, `accounts-server`), the code
 * exchanged at that DC's accounts server, the token's `api_domain` that DC's API domain — stored
 * encrypted in the gateway's (FerretDB) store, the token service with its Redis lock, Redis budgets,
 * contexts through the registry. Records are seeded and inspected through the sandbox's admin helpers
 * as the org's admin at chosen instants, never through the connector; native names are Zoho's API names.
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const MODULE: Record<CrmObject, 'Contacts' | 'Deals'> = { contact: 'Contacts', deal: 'Deals' };
const DAY_MS = 24 * 3600_000;

/** Sandbox limits lifted: the suite's cases about limits set the ones they test. */
const UNTHROTTLED = { creditLimit: 1_000_000_000, concurrencyLimit: 10_000 };
const OUR_BUDGETS_LIFTED = { credits: { limit: 1_000_000_000 } };

export interface ZohoConformanceOptions {
  counts: Record<CrmObject, number>;
  settings?: Record<string, unknown>;
  retry?: Partial<RetryPolicyOptions>;
  /** The DC the org lives in. @defaultValue 'eu' */
  dc?: DcId;
  /** A sandbox already listening (another DC's org beside this one); absent: a new one. */
  shared?: { server: ZohoServer; live: ListeningSandbox; org: string };
}

export interface ZohoConformanceSandbox extends ConformanceSandbox {
  org: ZohoOrg;
  server: ZohoServer;
  live: ListeningSandbox;
  /** The connection's stored vendor URLs (its DC's accounts server and API domain). */
  vendorUrls: Record<string, string>;
}

/**
 * Connects the org the way the OAuth routes do: authorize at the US accounts server (the sandbox's
 * consent screen approves at once as `sandbox_org`), the callback's DC through the connector's builder
 * and the SSRF guard, the code exchanged there.
 */
async function connect(baseUrl: string, orgId: string) {
  const definition = crmDefinition('zoho');
  const app = { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, redirectUri: DEMO.redirectUri };
  const flowUrls = { auth: `${baseUrl}/dc/us/accounts` };
  const start = oauthClient(vendorAccess({ crm: 'zoho', vendorUrls: flowUrls, policy: POLICY }), app, {
    policy: POLICY,
  });
  const authorize = new URL(start.authorizeUrl('conformance-state'));
  authorize.searchParams.set('sandbox_org', orgId);
  const res = await fetch(authorize, { redirect: 'manual' });
  const query = Object.fromEntries(new URL(res.headers.get('location') ?? 'http://x/').searchParams);
  if (!query.code) throw new Error(`sandbox authorize did not redirect with a code (HTTP ${res.status})`);
  const named = callbackVendorUrls(definition, flowUrls, query) ?? flowUrls;
  const access = vendorAccess({ crm: 'zoho', vendorUrls: named, policy: POLICY });
  const vendorUrls = checkedVendorUrls(named, access.hosts);
  const oauth = oauthClient(access, app, { policy: POLICY });
  return { vendorUrls, oauth, grant: await oauth.exchangeCode(query.code) };
}

export async function startZohoConformance(options: ZohoConformanceOptions): Promise<ZohoConformanceSandbox> {
  const orgId = options.shared?.org ?? 'default';
  const server =
    options.shared?.server ??
    createZohoSandbox({
      orgs: [
        {
          id: orgId,
          seed: 11,
          counts: { Contacts: options.counts.contact, Deals: options.counts.deal },
          settings: { dc: options.dc ?? 'eu', edition: 'ultimate', ...UNTHROTTLED },
        },
      ],
    });
  const live = options.shared?.live ?? (await server.listen());
  const org = server.org(orgId);

  const stores = await openGatewayStores('zohoconf');
  const { vendorUrls, oauth, grant } = await connect(live.baseUrl, orgId);
  const connection = await stores.store.connections.create({
    tenantId: stores.tenantId,
    crm: CRM,
    displayName: 'Zoho CRM conformance',
    credentials: {
      authKind: 'oauth2_code',
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      apiBaseUrl: grant.apiBaseUrl,
    },
    externalAccountId: org.state.orgId,
    vendorUrls,
    settings: { budgets: OUR_BUDGETS_LIFTED, ...options.settings },
  });
  const { deps, events } = gatewayConnectors(stores, {
    prefix: uniqueName('zohoconf'),
    oauth,
    policy: POLICY,
    retry: options.retry,
  });
  /** A lookup as the API writes it; the connector's native value of a lookup is the linked id. */
  const apiValues = (row: Record<string, NativeValue>) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [k, k === 'Contact_Name' && typeof v === 'string' ? { id: v } : v]),
    );
  const lookupId = (value: unknown): unknown =>
    value && typeof value === 'object' && 'id' in value ? (value as { id: unknown }).id : value;
  const deals = () => org.state.store.all('Deals');
  org.log.clear();

  return {
    org,
    server,
    live,
    vendorUrls,
    connector: (priority = 'interactive') => connectorFor(connection, priority, deps),
    calls: (route) => org.log.count((key) => route.test(key)),
    clearLog: () => org.log.clear(),
    log: () => org.log.snapshot(org.log.total).entries,
    liveIds: (obj) => liveIds(org, MODULE[obj]),
    // Zoho lists no deleted record: they are in the recycle bin, which only the changes feed reads.
    deletedIds: () => [],
    createAt: (obj, rows, at) => rows.map((row) => createAt(org, MODULE[obj], apiValues(row), at).id),
    deleteAt: (obj, id, at) => deleteAt(org, MODULE[obj], id, at),
    changedAfter: (obj, after) => changedAfter(org, MODULE[obj], after),
    // A deal's contact is its Contact_Name lookup: the CRM user sets it.
    associate: (contactId, dealId) => {
      updateAt(org, 'Deals', dealId, { Contact_Name: { id: contactId } }, org.now());
    },
    associated(from, id) {
      if (from === 'deal') {
        const contact = lookupId(fieldOfRecord(org, 'Deals', id, 'Contact_Name'));
        return typeof contact === 'string' ? [contact] : [];
      }
      return deals().flatMap((d) =>
        lookupId(fieldOfRecord(org, 'Deals', d.id, 'Contact_Name')) === id ? [d.id] : [],
      );
    },
    field: (obj, id, name) => lookupId(fieldOfRecord(org, MODULE[obj], id, name)),
    now: () => org.now(),
    ...sandboxControls(live.baseUrl, stores, connection.id, events),
    async close() {
      if (!options.shared) await live.close();
      await stores.close();
    },
  };
}

/** `METHOD route` keys of the CRM API on any DC's API domain. */
const api = (method: string, path: string) => new RegExp(`^${method} /dc/:dc/api/crm/v8${path}$`);

export const zohoTarget: ConformanceTarget<ZohoConformanceSandbox> = {
  crm: CRM,
  start: ({ counts, retry, settings }) => startZohoConformance({ counts, retry, settings }),
  routes: {
    // Reads by id: one module list with `ids` (≤ 100) per batch.
    bulkRead: () => api('GET', '/:module'),
    // Writes: an update, an upsert by the gateway key or an insert of up to 100 records per call.
    bulkWrite: () => api('(?:POST|PUT)', '/:module(?:/upsert)?'),
    // Deal → contact: the deals by `ids`; contact → deals: one COQL query per 50 contacts.
    associations: (from) => (from === 'deal' ? api('GET', '/:module') : api('POST', '/coql')),
    token: /^POST \/dc\/:dc\/accounts\/oauth\/v2\/token$/,
  },
  // Contact → deals: one COQL `in` per 50 contacts (the declaration's contactDeals).
  associationCalls: (from, _to, n, readBatch) => Math.ceil(n / (from === 'contact' ? 50 : readBatch)),
  oneContactPerDeal: true,
  samples: {
    newRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { First_Name: `First${n}`, Last_Name: 'Conformance', Email: `contact${n}@conformance.test` }
        : { Deal_Name: `Deal ${n}`, Amount: 1000.5, Stage: 'Qualification', Closing_Date: '2026-12-31' },
    invalidRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { Last_Name: `Invalid${n}`, Email: 'not-an-email' }
        : { Deal_Name: `Invalid ${n}`, Stage: 'Qualification', Amount: 'a lot' },
    invalidContactCode: 'INVALID_DATA',
    update: (obj) =>
      obj === 'contact'
        ? { field: 'Phone', value: '+1 555 0100' }
        : { field: 'Deal_Name', value: 'Renamed deal' },
    unknownId: () => '1000000000000000001',
    email: { field: 'Email', type: 'email' },
    contactExternalId: 'Gateway_Key',
    custom: { field: 'Lifetime_Score', type: 'integer', value: 9, picklist: 'Customer_Tier' },
  },
  // The window's start is floored to the second: a feed may reach up to a second before `since`.
  changesLookbackMs: 1000,
  changesWindowMs: 60 * DAY_MS,
  // Zoho stamps whole seconds.
  stampResolutionMs: 1000,
  storms: [
    {
      // Over the concurrency or credit limit: 429 TOO_MANY_REQUESTS, no Retry-After.
      name: '429 TOO_MANY_REQUESTS without a wait',
      status: 429,
      waitTold: false,
      start: (sb, ms) => sb.setFaults({ rateLimitStormMs: ms }),
    },
  ],
  unthrottle: (sb) => sb.setSettings(UNTHROTTLED),
  // No header states the credits: the operator sets the org's allocation, which the budget keeps to.
  allocation: {
    budget: 'credits',
    headers: false,
    set: (sb, perWindow) => sb.setSettings({ creditLimit: perWindow }),
  },
};
