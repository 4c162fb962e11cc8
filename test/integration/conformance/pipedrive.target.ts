import { connectorFor } from '../../../src/connectors/context';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { type CrmObject, type NativeValue } from '../../../src/connectors/types';
import { oauthClient, vendorAccess } from '../../../src/connectors/vendor-access';
import { type ListeningSandbox } from '../../../src/sandbox/core';
import {
  createPipedriveSandbox,
  customFieldKey,
  DEMO,
  type PipedriveOrg,
} from '../../../src/sandbox/pipedrive';
import { type PdRecord } from '../../../src/sandbox/pipedrive/store';
import { createRecord, deleteRecord, updateRecord } from '../../../src/sandbox/pipedrive/writes';
import { uniqueName } from '../../support/stores';
import { gatewayConnectors, openGatewayStores, sandboxAdmin } from './gateway-stores';
import { type ConformanceSandbox, type ConformanceTarget } from './target';

/**
 * The Pipedrive target of the conformance suite: the Pipedrive sandbox over a real socket, and a
 * connection built the way production builds one — the OAuth code flow through the sandbox's
 * authorization server, whose token names the company's `api_domain` (a path on the sandbox's origin,
 * kept by the SSRF guard for allowlisted origins), stored encrypted in the gateway's (FerretDB) store,
 * the token service with its Redis lock, Redis budgets, contexts through the registry. Records are
 * seeded and inspected through the sandbox's store as the company's admin at chosen instants, never
 * through the connector; native field names are the connector's (custom fields by label).
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const REDIRECT = 'http://127.0.0.1:9/oauth/pipedrive/callback';
const OBJECT: Record<CrmObject, 'person' | 'deal'> = { contact: 'person', deal: 'deal' };
/** Custom person fields the company's admin adds for the suite's cases, beside the seeded ones. */
const EXTRA_FIELDS = [
  { name: 'External ID', type: 'varchar' as const },
  { name: 'NPS score', type: 'double' as const },
];
const DAY_MS = 24 * 3600_000;

/** A label as the connector names it (lower-case words joined by `_`), to find a field by its native name. */
const nativeName = (label: string) =>
  label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

export interface PipedriveConformanceOptions {
  counts: Record<CrmObject, number>;
  settings?: Record<string, unknown>;
  retry?: Partial<RetryPolicyOptions>;
  /** Company settings (`src/sandbox/pipedrive/settings.ts`) from the start. */
  companySettings?: Record<string, unknown>;
}

export interface PipedriveConformanceSandbox extends ConformanceSandbox {
  org: PipedriveOrg;
  live: ListeningSandbox;
}

/** Sandbox limits lifted: the suite's cases about limits set the ones they test. */
const UNTHROTTLED = {
  dailyTokenBudget: 1_000_000_000,
  burstLimit: 1_000_000_000,
  searchBurst: 1_000_000_000,
};

const OUR_BUDGETS_LIFTED = {
  burst: { limit: 1_000_000 },
  daily: { limit: 1_000_000_000 },
  search: { limit: 1_000_000 },
};

export async function startPipedriveConformance(
  options: PipedriveConformanceOptions,
): Promise<PipedriveConformanceSandbox> {
  const server = createPipedriveSandbox({
    orgs: [
      {
        id: 'default',
        seed: 11,
        counts: { persons: options.counts.contact, deals: options.counts.deal },
        settings: { plan: 'ultimate', ...UNTHROTTLED, ...options.companySettings },
      },
    ],
  });
  const live = await server.listen();
  const org = server.org('default');
  const store = () => org.state.store;
  // The company's admin adds the custom fields the cases use.
  let fieldId = 20_000;
  for (const f of EXTRA_FIELDS) {
    store().fields.person.push({
      id: fieldId++,
      key: customFieldKey(org.state.companyId, 'person', f.name),
      name: f.name,
      type: f.type,
      custom: true,
      options: null,
      mandatory: false,
    });
  }

  const stores = await openGatewayStores('pdconf');
  const vendorUrls = { auth: live.baseUrl };
  const access = vendorAccess({ crm: 'pipedrive', vendorUrls, policy: POLICY });
  const oauth = oauthClient(
    access,
    { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, redirectUri: REDIRECT },
    { policy: POLICY },
  );
  // The sandbox's consent screen approves at once and redirects with a code.
  const authorize = await fetch(oauth.authorizeUrl('conformance-state'), { redirect: 'manual' });
  const code = new URL(authorize.headers.get('location') ?? 'http://x/').searchParams.get('code');
  if (!code) throw new Error(`sandbox authorize did not redirect with a code (HTTP ${authorize.status})`);
  const grant = await oauth.exchangeCode(code);
  if (!grant.apiBaseUrl?.includes(org.state.companyDomain)) {
    throw new Error(`the token named no company api_domain (got ${grant.apiBaseUrl ?? 'none'})`);
  }
  const connection = await stores.store.connections.create({
    tenantId: stores.tenantId,
    crm: 'pipedrive',
    displayName: 'Pipedrive conformance',
    credentials: {
      authKind: 'oauth2_code',
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      apiBaseUrl: grant.apiBaseUrl,
    },
    externalAccountId: String(org.state.companyId),
    vendorUrls,
    // Our budgets as large as the sandbox's lifted limits: the cases about limits teach them smaller
    // ones through the vendor's headers, or set their own.
    settings: { budgets: OUR_BUDGETS_LIFTED, ...options.settings },
  });
  const { deps, events } = gatewayConnectors(stores, {
    prefix: uniqueName('pdconf'),
    oauth,
    policy: POLICY,
    retry: options.retry,
  });
  const admin = sandboxAdmin(live.baseUrl);
  const meta = { source: 'app' as const, userId: org.state.userId };

  const fieldByName = (obj: CrmObject, name: string) =>
    store().fields[OBJECT[obj]].find((f) => f.custom && nativeName(f.name) === name);
  /** A v2 body from native fields as the connector names them. */
  const bodyOf = (obj: CrmObject, row: Record<string, NativeValue>): Record<string, unknown> => {
    const body: Record<string, unknown> = {};
    const custom: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(row)) {
      const field = fieldByName(obj, name);
      if (field) custom[field.key] = value;
      else if (name === 'email') body.emails = [{ value, primary: true, label: 'work' }];
      else if (name === 'phone') body.phones = [{ value, primary: true, label: 'work' }];
      else body[name] = value;
    }
    if (obj === 'contact') body.name ??= [row.first_name, row.last_name].filter(Boolean).join(' ');
    if (Object.keys(custom).length > 0) body.custom_fields = custom;
    return body;
  };
  const record = (obj: CrmObject, id: string): PdRecord | undefined => store().get(OBJECT[obj], Number(id));
  /**
   * When the CRM user changed each record the target seeded, to the millisecond: Pipedrive shows whole
   * seconds (the store keeps what it shows), while the suite's truth is the instant of the change.
   */
  const changedAt = new Map<PdRecord, number>();
  const stamp = (r: PdRecord, at: number) => {
    r.updateTime = Math.floor(at / 1000) * 1000;
    changedAt.set(r, at);
  };
  /** When a record last changed: the seeded instant while the store still shows it, else the store's stamp. */
  const lastChange = (r: PdRecord) => {
    const at = changedAt.get(r);
    return at !== undefined && Math.floor(at / 1000) * 1000 === r.updateTime ? at : r.updateTime;
  };
  const rows = (obj: CrmObject) => store().all(OBJECT[obj]);
  org.log.clear();

  return {
    org,
    live,
    connector: (priority = 'interactive') => connectorFor(connection, priority, deps),
    calls: (route) => org.log.count((key) => route.test(key)),
    clearLog: () => org.log.clear(),
    log: () => org.log.snapshot(org.log.total).entries,
    liveIds: (obj) => rows(obj).flatMap((r) => (r.deletedAt === null ? [String(r.id)] : [])),
    // Deals deleted in the last 30 days list with status=deleted; v2 lists no deleted person.
    deletedIds: (obj) =>
      obj === 'deal' ? rows(obj).flatMap((r) => (r.deletedAt !== null ? [String(r.id)] : [])) : [],
    createAt(obj, bodies, at) {
      return bodies.map((row) => {
        const created = createRecord(store(), OBJECT[obj], bodyOf(obj, row), meta, at);
        created.addTime = Math.floor(at / 1000) * 1000;
        stamp(created, at);
        return String(created.id);
      });
    },
    deleteAt(obj, id, at) {
      const r = record(obj, id);
      if (!r) throw new Error(`the sandbox has no ${obj} ${id}`);
      deleteRecord(store(), r, meta);
      r.deletedAt = at;
      stamp(r, at);
    },
    changedAfter(obj, after) {
      return {
        upserted: rows(obj).flatMap((r) =>
          r.deletedAt === null && lastChange(r) > after ? [String(r.id)] : [],
        ),
        deleted: rows(obj).flatMap((r) =>
          r.deletedAt !== null && r.deletedAt > after ? [String(r.id)] : [],
        ),
      };
    },
    // A deal has one contact person: the CRM user sets it.
    associate(contactId, dealId) {
      const deal = record('deal', dealId);
      if (!deal) throw new Error(`the sandbox has no deal ${dealId}`);
      updateRecord(store(), deal, { person_id: Number(contactId) }, meta, org.now());
    },
    associated(from, id) {
      const live = rows('deal').filter((d) => d.deletedAt === null);
      if (from === 'deal') {
        const person = live.find((d) => String(d.id) === id)?.values.person_id;
        return typeof person === 'number' ? [String(person)] : [];
      }
      return live.filter((d) => String(d.values.person_id) === id).map((d) => String(d.id));
    },
    field(obj, id, name) {
      const r = record(obj, id);
      if (!r) return undefined;
      const custom = fieldByName(obj, name);
      if (custom) return r.custom[custom.key];
      if (name === 'email' || name === 'phone') {
        const points = (r.values[`${name}s`] ?? []) as { value: string; primary: boolean }[];
        return (points.find((p) => p.primary) ?? points[0])?.value;
      }
      return r.values[name];
    },
    now: () => org.now(),
    setFaults: (patch) => admin('PATCH', '/faults', patch),
    setSettings: (patch) => admin('PATCH', '/settings', patch),
    expireAccessTokens: () => admin('POST', '/tokens/expire'),
    revokeRefreshTokens: () => admin('POST', '/tokens/revoke'),
    connectionStatus: async () => (await stores.store.connections.getById(connection.id)).status,
    connectionId: connection.id,
    events,
    async close() {
      await live.close();
      await stores.close();
    },
  };
}

/** `METHOD route` keys of the v2 API on the company's host. */
const v2 = (method: string, path: string) => new RegExp(`^${method} (?:/c/:\\w+)?/api/v2${path}$`);

export const pipedriveTarget: ConformanceTarget<PipedriveConformanceSandbox> = {
  crm: 'pipedrive',
  start: ({ counts, retry, settings }) => startPipedriveConformance({ counts, retry, settings }),
  routes: {
    // Reads by id: one v2 list with `ids` (≤ 100) per batch.
    bulkRead: (obj) => v2('GET', obj === 'contact' ? '/persons' : '/deals'),
    // Writes: one call per record (Pipedrive has no batch write).
    bulkWrite: (obj) => v2('(?:POST|PATCH)', obj === 'contact' ? '/persons(?:/:id)?' : '/deals(?:/:id)?'),
    // Deal → person: the deals by `ids`; person → deals: the deals of each person.
    associations: () => v2('GET', '/deals'),
    token: /^POST \/oauth\/token$/,
    // No upsert: an upsert by key searches the key first (`writes.ts`).
    keyLookup: v2('GET', '/persons/search'),
  },
  // A filtered page through search: the search, then one read of its ids.
  filteredPageCalls: 2,
  // Person → deals has no batch: one deals list per person; deal → person reads 100 deals per call.
  associationCalls: (from, _to, n, readBatch) => (from === 'contact' ? n : Math.ceil(n / readBatch)),
  oneContactPerDeal: true,
  samples: {
    newRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { first_name: `First${n}`, last_name: 'Conformance', email: `contact${n}@conformance.test` }
        : { title: `Deal ${n}`, value: 1000.5, currency: 'EUR', expected_close_date: '2026-12-31' },
    // v2 validates strictly: a name over 255 characters, a currency that is not an ISO code.
    invalidRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { first_name: 'x'.repeat(300), last_name: `Invalid${n}` }
        : { title: `Invalid ${n}`, currency: 'euros' },
    invalidContactCode: 'ERR_SCHEMA_VALIDATION_FAILED',
    update: (obj) =>
      obj === 'contact'
        ? { field: 'phone', value: '+1 555 0100' }
        : { field: 'title', value: 'Renamed deal' },
    unknownId: () => '987654321',
    email: { field: 'email', type: 'email' },
    contactExternalId: 'external_id',
    custom: { field: 'nps_score', type: 'decimal', value: 9, picklist: 'tier' },
  },
  // `updated_since` is floored to the second: a feed may reach up to a second before `since`.
  changesLookbackMs: 1000,
  changesWindowMs: 30 * DAY_MS,
  // Pipedrive stamps whole seconds.
  stampResolutionMs: 1000,
  storms: [
    {
      // The burst limit: 429 with x-ratelimit-reset (seconds) and no Retry-After.
      name: '429 burst limit with x-ratelimit-reset',
      status: 429,
      waitTold: true,
      start: (sb, ms) => sb.setFaults({ rateLimitStormMs: ms }),
    },
  ],
  unthrottle: (sb) => sb.setSettings(UNTHROTTLED),
  // The 2-second burst, stated in x-ratelimit-limit and x-ratelimit-remaining.
  allocation: {
    budget: 'burst',
    set: (sb, perWindow) => sb.setSettings({ burstLimit: perWindow }),
  },
};
