import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { CRMS } from '../../../src/connectors/registry';
import { type ConnectorDeps, connectorFor } from '../../../src/connectors/context';
import { type AccessToken, type CallPriority } from '../../../src/connectors/http/http.types';
import { type ConnectionInfo, type CrmConnector } from '../../../src/connectors/types';
import { type CrmError } from '../../../src/errors';
import { createLogger } from '../../../src/logger';
import { metricsRegistry } from '../../../src/metrics';
import { budgetKey } from '../../../src/ratelimit/budget-gate';
import { type ListeningSandbox } from '../../../src/sandbox/core';
import { DEMO, type HubSpotServer, createHubSpotSandbox } from '../../../src/sandbox/hubspot';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * HubSpot search's own limit (5/s per portal) as a Redis budget: two connections of one portal, each
 * with its own Redis client as two processes would have, against the HubSpot sandbox over a socket.
 */

const [burst, , search] = CRMS.hubspot.budgets;
const SINCE = new Date(Date.now() - 3_600_000);

let server: HubSpotServer;
let live: ListeningSandbox;
const clients: RedisClient[] = [];

beforeAll(async () => {
  server = createHubSpotSandbox({ orgs: [{ id: 'default', seed: 5, counts: { contacts: 5, deals: 0 } }] });
  live = await server.listen();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await live.close();
});

/** One connection of the demo portal, as one process builds it: its own Redis client and context. */
function processOf(prefix: string, id: string, settings: Record<string, unknown> = {}) {
  const redis = createRedisClient(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  clients.push(redis);
  const token: AccessToken = { value: DEMO.privateAppToken, expiresAt: null };
  const deps: ConnectorDeps = {
    redis,
    prefix,
    tokensFor: () => ({ get: async () => token, refreshAfterRejection: async () => token }),
    policy: { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] },
    logger: createLogger({ level: 'silent' }),
  };
  const connection: ConnectionInfo = {
    id,
    tenantId: 't1',
    crm: 'hubspot',
    externalAccountId: String(DEMO.portalId),
    vendorUrls: { api: live.baseUrl, auth: live.baseUrl },
    settings,
  };
  return {
    connection,
    connector: (priority: CallPriority): CrmConnector => connectorFor(connection, priority, deps),
  };
}

const entries = () => server.org('default').log.snapshot(10_000).entries;
const searchCalls = (): number => entries().filter((e) => /\/search$/.test(e.route)).length;
const refusedByVendor = (): number => entries().filter((e) => e.status === 429).length;

async function settle(calls: Promise<unknown>[]) {
  const settled = await Promise.allSettled(calls);
  const errors = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason as CrmError);
  return { admitted: settled.length - errors.length, errors };
}

describe('HubSpot search budget (Redis, per portal)', () => {
  it('is declared per portal at the documented 5 requests per second, drawn only when named', () => {
    expect(search).toMatchObject({ name: 'search', scope: 'account', limit: 5, windowMs: 1000 });
    expect(search.namedOnly).toBe(true);
  });

  it('is one count for two processes of one portal, keeps the interactive reserve, and never sleeps in background work', async () => {
    const prefix = uniqueName('hssearch');
    // A minute-long window (same limit) so that a slow machine cannot spread the calls over two windows.
    const settings = { budgets: { search: { windowMs: 60_000 } } };
    const a = processOf(prefix, 'conn-a', settings);
    const b = processOf(prefix, 'conn-b', settings);
    server.org('default').log.clear();

    // 12 background change polls, 6 per process: 4 searches fit (5 less the 20% interactive reserve).
    const background = await settle(
      Array.from({ length: 12 }, (_, i) =>
        (i % 2 ? a : b).connector('background').listChanges('contact', { since: SINCE }),
      ),
    );
    expect(background.admitted).toBe(4);
    expect(searchCalls()).toBe(4);
    // Each refusal is counted on /metrics, per connection and budget.
    const refusals =
      (await metricsRegistry.getSingleMetric('cgw_budget_refusals_total')?.get())?.values ?? [];
    const searchRefusals = refusals
      .filter((v) => v.labels.budget === 'search' && v.labels.priority === 'background')
      .filter((v) => v.labels.connection === 'conn-a' || v.labels.connection === 'conn-b');
    expect(searchRefusals.reduce((n, v) => n + v.value, 0)).toBe(8);
    for (const e of background.errors) {
      expect(e).toMatchObject({ code: 'RATE_LIMITED', vendorCode: 'BUDGET', details: { budget: 'search' } });
      // Told to come back when the window frees a slot, not slept on.
      expect(e.retryAfterMs).toBeGreaterThan(2000);
      expect(e.retryAfterMs).toBeLessThanOrEqual(60_000 + 3000);
    }

    // The reserve is left for an interactive read, whichever process asks.
    await expect(a.connector('interactive').listChanges('contact', { since: SINCE })).resolves.toBeDefined();
    expect(searchCalls()).toBe(5);
    // Then the portal's 5 are spent for both: no wait helps within 2 s, so RATE_LIMITED at once.
    const err = await b
      .connector('interactive')
      .listChanges('contact', { since: SINCE })
      .then(
        () => null,
        (e: CrmError) => e,
      );
    expect(err).toMatchObject({ code: 'RATE_LIMITED', details: { budget: 'search' } });
    expect(err?.retryAfterMs).toBeGreaterThan(2000);
    expect(searchCalls()).toBe(5);
    // The vendor never had to refuse a search.
    expect(refusedByVendor()).toBe(0);

    // Searches took nothing from the burst budget: only the property reads drew on it.
    const hash = await clients[0].hgetall(budgetKey(prefix, a.connection, burst));
    const used = Object.entries(hash)
      .filter(([field]) => /^\d+$/.test(field))
      .reduce((n, [, v]) => n + Number(v), 0);
    const propertyReads = entries().filter((e) => /\/properties\//.test(e.route)).length;
    expect(propertyReads).toBeGreaterThan(0);
    expect(used).toBe(propertyReads);
  });

  it('at the declared rate refuses the sixth search of a second across both processes', async () => {
    const prefix = uniqueName('hssearch1s');
    const a = processOf(prefix, 'conn-c');
    const b = processOf(prefix, 'conn-d');
    // The sandbox counts the earlier test's searches in its own 1 s window (one portal): let it pass.
    await new Promise((r) => setTimeout(r, 1100));
    // Interactive reads may wait up to 2 s for the window to slide, so all complete; what the budget
    // guarantees is that the vendor never sees a sixth search within one second.
    server.org('default').log.clear();
    const interactive = await settle(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).connector('interactive').listChanges('contact', { since: SINCE }),
      ),
    );
    expect(interactive.errors.map((e) => `${e.code} ${e.message} ${e.retryAfterMs}`)).toEqual([]);
    const at = entries()
      .filter((e) => /\/search$/.test(e.route) && e.status === 200)
      .map((e) => e.at);
    expect(at).toHaveLength(8);
    // Counted on the sandbox's clock, so allow for requests arriving a little apart from when Redis
    // admitted them: no 900 ms at the vendor held more than 5 searches.
    for (const t of at) expect(at.filter((u) => u >= t && u < t + 900).length).toBeLessThanOrEqual(5);
  });
});
