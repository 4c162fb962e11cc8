import { recordOf } from '../../src/sandbox/zoho/admin';
import crypto from 'node:crypto';
import { CRMS } from '../../src/connectors/registry';
import { loadEnv } from '../../src/config/env';
import { type ReadOptions } from '../../src/reads/read-loaders';
import { createLogger } from '../../src/logger';
import { type AppContext, createAppContext } from '../../src/runtime/context';
import { connectDemoSandboxes } from '../../src/runtime/demo-connections';
import { freePort } from '../../src/runtime/services';
import { type OrgOptions, type RequestLogEntry } from '../../src/sandbox/core';
import { type RunningSandboxes, startAllSandboxes } from '../../src/sandbox';
import { type ApiKeyScope } from '../../src/security/api-keys';
import { KeyRing } from '../../src/security/credentials-cipher';
import {
  type GatewayServer,
  type GatewayServerOptions,
  startGatewayServer,
} from '../../src/server/http-server';

/**
 * The read path as production composes it, for e2e tests and `bench:reads`: the sandboxes of every
 * registered CRM over real sockets, a gateway whose env names the sandboxes' demo OAuth apps and
 * allows loopback vendor URLs (as `npm start` does), and tenants connected through the gateway's own
 * OAuth routes. Vendor calls are counted from the sandboxes' request logs.
 */

export const READ_CRMS = ['salesforce', 'hubspot', 'dynamics', 'pipedrive', 'zoho'] as const;
export type ReadCrm = (typeof READ_CRMS)[number];

export interface ReadStackOptions {
  mongodbUri: string;
  redisUrl: string;
  /** Unique per run: database name and Redis prefix. */
  name: string;
  /** Sandbox orgs per CRM; a CRM not named gets a small org ({@link smallOrgs}). */
  orgs?: Partial<Record<ReadCrm, OrgOptions[]>>;
  gateway?: Omit<Partial<GatewayServerOptions>, 'host' | 'port'>;
  /** Environment variables of the gateway besides the stack's own (e.g. GRAPHQL_MAX_PAGE_SIZE). */
  env?: Record<string, string>;
  /** The credentials key ring; a random one by default (give one to run a gateway in another process). */
  keyRing?: KeyRing;
}

export interface ReadTenant {
  tenantId: string;
  key: string;
  connections: Record<ReadCrm, string>;
}

export interface ReadStack {
  ctx: AppContext;
  gateway: GatewayServer;
  url: string;
  sandboxes: RunningSandboxes;
  /** A tenant with a key of `scope`, connected to every sandbox. */
  tenant(name: string, scope?: ApiKeyScope): Promise<ReadTenant>;
  /**
   * The environment of this stack's gateways on `port` (sandbox OAuth apps, loopback vendor URLs): what
   * a gateway in another process over the same stores and key ring is started with.
   */
  gatewayEnv(port: number): Record<string, string>;
  /** Vendor API calls a sandbox logged since the last clear (OAuth and admin routes excluded). */
  calls(crm: ReadCrm, route?: RegExp): number;
  /** Logged `METHOD route` keys with their counts since the last clear. */
  callLog(crm: ReadCrm): Record<string, number>;
  /** The logged API requests themselves since the last clear (the sandbox keeps the last 2,000). */
  callEntries(crm: ReadCrm): RequestLogEntry[];
  clearLogs(): void;
  /** Records of `object` the sandbox holds that are not deleted/archived. */
  liveCount(crm: ReadCrm, object: 'contact' | 'deal'): number;
  /**
   * Live records of `object` per value of the vendor field `field` (a Salesforce field name, a HubSpot
   * property): a key the writer set once per intended record (an email, the gateway key) counted more
   * than once is a duplicate. Records without the field are not counted.
   */
  recordsBy(crm: ReadCrm, object: 'contact' | 'deal', field: string): Map<string, number>;
  setFaults(crm: ReadCrm, patch: Record<string, unknown> | null): Promise<void>;
  /**
   * Another gateway of the same deployment: its own process context over the same stores, Redis
   * prefix and key ring, on its own port — what a load balancer's second instance is.
   */
  peer(): Promise<{ url: string; close(): Promise<void> }>;
  /** Lifts every vendor limit of `crm` for the tenant's connection: the sandbox's and our budgets. */
  unthrottle(crm: ReadCrm, connectionId: string): Promise<void>;
  close(): Promise<void>;
}

/** The slices of each sandbox's state the tests read (vendor-specific, so kept here in test support). */
interface SandboxStates {
  salesforce: { store: { table(name: string): Map<string, Record<string, unknown>> } };
  dynamics: { store: { table(entity: string): Map<string, { values: Record<string, unknown> }> } };
  pipedrive: {
    store: {
      all(object: 'person' | 'deal'): {
        values: Record<string, unknown>;
        custom: Record<string, unknown>;
        deletedAt: number | null;
      }[];
    };
  };
  zoho: { store: { all(module: 'Contacts' | 'Deals'): { id: string }[] } };
  hubspot: {
    store: {
      order: Record<'contacts' | 'deals', string[]>;
      get(
        type: 'contacts' | 'deals',
        id: string,
      ): { archived: boolean; properties: Record<string, string> } | undefined;
    };
  };
}

/**
 * Orgs `ids` in both sandboxes with a handful of records each (seeded from `seed` on): for writes,
 * which need a connection, not data to read.
 */
export function smallOrgs(ids: readonly string[], seed: number): Record<ReadCrm, OrgOptions[]> {
  return {
    salesforce: ids.map((id, i) => ({
      id,
      seed: seed + i,
      counts: { Contact: 5, Opportunity: 2, Account: 2 },
    })),
    hubspot: ids.map((id, i) => ({ id, seed: seed + i, counts: { contacts: 5, deals: 2 } })),
    dynamics: ids.map((id, i) => ({
      id,
      seed: seed + i,
      counts: { contact: 5, opportunity: 2, account: 2 },
    })),
    pipedrive: ids.map((id, i) => ({ id, seed: seed + i, counts: { persons: 5, deals: 2 } })),
    zoho: ids.map((id, i) => ({ id, seed: seed + i, counts: { Contacts: 5, Deals: 2 } })),
  };
}

/** Sandbox account settings that lift every limit it enforces. */
const UNTHROTTLED: Record<ReadCrm, Record<string, unknown>> = {
  salesforce: { dailyApiRequests: 10_000_000 },
  hubspot: { oauthBurst: 1_000_000, burst: 1_000_000, searchPerSecond: 1_000_000 },
  dynamics: {
    requestsPerWindow: 10_000_000,
    executionTimeMsPerWindow: 1_000_000_000,
    concurrentRequests: 10_000,
  },
  pipedrive: { dailyTokenBudget: 1_000_000_000, burstLimit: 1_000_000, searchBurst: 1_000_000 },
  zoho: { creditLimit: 1_000_000_000, concurrencyLimit: 10_000 },
};

const NOT_API = /oauth|token|__sandbox|authorize|login|services\/oauth2|identity/i;

export async function startReadStack(options: ReadStackOptions): Promise<ReadStack> {
  // A CRM the options do not name gets a small org: a test names the data it reads.
  const orgs = { ...smallOrgs(['default'], 1), ...options.orgs };
  const sandboxes = await startAllSandboxes({ vendors: [...READ_CRMS], orgs });
  const apps = Object.fromEntries(
    Object.values(sandboxes.sandboxes).map((s) => {
      const creds = s.credentials.default ?? {};
      return [s.vendor, { clientId: String(creds.clientId), clientSecret: String(creds.clientSecret) }];
    }),
  );
  const keyRing = options.keyRing ?? new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]);
  const gatewayEnv = (port: number): Record<string, string> => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    CRM_OAUTH_APPS: JSON.stringify(apps),
    ALLOW_VENDOR_URL_OVERRIDES: 'true',
    VENDOR_URL_ALLOWLIST: 'http://127.0.0.1:*',
    // The read path's tests page and fuzz at hundreds of requests a second on one key: the per-key
    // and per-tenant request limits have their own tests (test/e2e/rate-limit.test.ts).
    KEY_REQUESTS_PER_SECOND: '0',
    KEY_REQUESTS_PER_MINUTE: '0',
    TENANT_REQUESTS_PER_MINUTE: '0',
    ...options.env,
  });
  const context = (port: number): Promise<AppContext> =>
    createAppContext({
      env: loadEnv(gatewayEnv(port)),
      logger: createLogger({ level: 'silent' }),
      keyRing,
      mongodbUri: options.mongodbUri,
      redisUrl: options.redisUrl,
      dbName: options.name,
      redisPrefix: options.name,
    });
  const port = await freePort();
  const ctx = await context(port);
  const gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port, ...options.gateway });
  const org = (crm: ReadCrm) => sandboxes.sandboxes[crm]!.server.org('default');
  /** The fields of each live (not deleted/archived) record of `object`: HubSpot's properties. */
  const liveFields = (crm: ReadCrm, object: 'contact' | 'deal'): Record<string, unknown>[] => {
    const state = org(crm).state as SandboxStates[ReadCrm];
    if (crm === 'salesforce') {
      const table = (state as SandboxStates['salesforce']).store.table(
        object === 'contact' ? 'Contact' : 'Opportunity',
      );
      return [...table.values()].filter((r) => r.IsDeleted !== true);
    }
    if (crm === 'dynamics') {
      // Dataverse deletes rows outright: every row in the table is live.
      const table = (state as SandboxStates['dynamics']).store.table(
        object === 'contact' ? 'contact' : 'opportunity',
      );
      return [...table.values()].map((r) => r.values);
    }
    if (crm === 'pipedrive') {
      // Deletion only marks a record; custom fields are keyed by their per-company hash.
      return (state as SandboxStates['pipedrive']).store
        .all(object === 'contact' ? 'person' : 'deal')
        .filter((r) => r.deletedAt === null)
        .map((r) => ({ ...r.values, ...r.custom }));
    }
    if (crm === 'zoho') {
      // Deleted records leave the module for the recycle bin: every stored record is live.
      const org = sandboxes.sandboxes.zoho!.server.org('default') as Parameters<typeof recordOf>[0];
      return (state as SandboxStates['zoho']).store
        .all(object === 'contact' ? 'Contacts' : 'Deals')
        .map((r) => recordOf(org, object === 'contact' ? 'Contacts' : 'Deals', r.id) ?? {});
    }
    const store = (state as SandboxStates['hubspot']).store;
    const type = object === 'contact' ? 'contacts' : 'deals';
    return store.order[type].flatMap((id) => {
      const r = store.get(type, id);
      return r && !r.archived ? [r.properties] : [];
    });
  };
  let n = 0;
  return {
    ctx,
    gateway,
    url: gateway.url,
    sandboxes,
    gatewayEnv,
    async tenant(name, scope = 'read_write') {
      n += 1;
      const tenant = await ctx.store.tenants.create(`${name}-${n}-${crypto.randomUUID()}`);
      const { key } = await ctx.store.apiKeys.create(tenant.id, `${name} key`, scope);
      const connected = await connectDemoSandboxes({
        store: ctx.store,
        tenantId: tenant.id,
        gatewayUrl: gateway.url,
        sandboxes,
      });
      const byCrm = Object.fromEntries(connected.map((c) => [c.crm, c.connectionId]));
      for (const crm of READ_CRMS) {
        if (!byCrm[crm])
          throw new Error(`the ${crm} sandbox was not connected: ${JSON.stringify(connected)}`);
      }
      return { tenantId: tenant.id, key, connections: byCrm as Record<ReadCrm, string> };
    },
    calls: (crm, route) => org(crm).log.count((k) => !NOT_API.test(k) && (!route || route.test(k))),
    callLog(crm) {
      const counters = org(crm).log.snapshot(0).counters;
      return Object.fromEntries(Object.entries(counters).filter(([k]) => !NOT_API.test(k)));
    },
    callEntries(crm) {
      const { entries } = org(crm).log.snapshot(Number.MAX_SAFE_INTEGER);
      return entries.filter((e) => !NOT_API.test(`${e.method} ${e.route}`));
    },
    liveCount: (crm, object) => liveFields(crm, object).length,
    recordsBy(crm, object, field) {
      const counts = new Map<string, number>();
      for (const r of liveFields(crm, object)) {
        const v = r[field];
        if (v === undefined || v === null || v === '') continue;
        counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      }
      return counts;
    },
    clearLogs() {
      for (const crm of READ_CRMS) org(crm).log.clear();
    },
    async setFaults(crm, patch) {
      if (patch === null) org(crm).faults.clear();
      else org(crm).faults.patch(patch);
    },
    async peer() {
      const peerPort = await freePort();
      const peerCtx = await context(peerPort);
      const peerGateway = await startGatewayServer(peerCtx, {
        host: '127.0.0.1',
        port: peerPort,
        ...options.gateway,
      });
      return {
        url: peerGateway.url,
        async close() {
          await peerGateway.close();
          await peerCtx.close();
        },
      };
    },
    async unthrottle(crm, connectionId) {
      sandboxes.sandboxes[crm]!.server.patchSettings('default', UNTHROTTLED[crm]);
      const connection = await ctx.store.connections.getById(connectionId);
      const budgets = Object.fromEntries(CRMS[crm].budgets.map((b) => [b.name, { limit: 1_000_000 }]));
      await ctx.store.connections.update(connectionId, { settings: { ...connection.settings, budgets } });
    },
    async close() {
      await gateway.close();
      await ctx.store.conn.dropDatabase().catch(() => undefined);
      await ctx.close();
      await sandboxes.close();
    },
  };
}

/** Options for the read loaders (e.g. `batching: false`), for a bench's own Apollo server. */
export type { ReadOptions };
