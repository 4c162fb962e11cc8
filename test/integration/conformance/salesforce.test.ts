import { type RecordWrite } from '../../../src/connectors/types';
import {
  type SalesforceConformanceSandbox,
  salesforceTarget,
  startSalesforceConformance,
} from './salesforce.target';
import { describeConformance } from './suite';

/**
 * Salesforce conformance: the shared suite against the Salesforce sandbox, then what only Salesforce
 * has — Bulk API 2.0 for large upserts and client-credentials connections. (The window deleted records
 * stay visible in is a shared case: `changesWindowMs`.)
 */

describeConformance(salesforceTarget);

const UPSERT = /^PATCH \/services\/data\/:version\/composite\/sobjects\/:type\/:field$/;
const TOKEN = salesforceTarget.routes.token;

describe('salesforce only', () => {
  let sb: SalesforceConformanceSandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('takes 1,000 upserts in one call below the Bulk threshold, in ⌈1,000 / writeBatch⌉ Collections calls', async () => {
    sb = await startSalesforceConformance({ counts: { contact: 10, deal: 10 } });
    const connector = sb.connector('background');
    const writes: RecordWrite[] = Array.from({ length: 1000 }, (_, i) => ({
      ref: `c${i}`,
      externalId: { field: 'External_Id__c', value: `one-call-${i}` },
      fields: { LastName: `OneCall${i}`, Email: i === 7 ? 'not an email' : `one${i}@example.com` },
    }));
    sb.clearLog();
    const results = await connector.upsertRecords('contact', writes);
    expect(sb.calls(UPSERT)).toBe(Math.ceil(1000 / connector.limits.writeBatch));
    expect(sb.log()).toHaveLength(Math.ceil(1000 / connector.limits.writeBatch));
    expect(results.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
    expect(results.filter((r) => !r.ok).map((r) => r.ref)).toEqual(['c7']);
  });

  it('links 200 pairs with one role query and one Collections POST; linking them again writes no second role', async () => {
    sb = await startSalesforceConformance({ counts: { contact: 10, deal: 10 } });
    const connector = sb.connector('background');
    const at = sb.now();
    const contacts = sb.createAt(
      'contact',
      Array.from({ length: 200 }, (_, i) => ({ LastName: `Linked${i}` })),
      at,
    );
    const deals = sb.createAt(
      'deal',
      Array.from({ length: 4 }, (_, i) => ({
        Name: `Linked${i}`,
        StageName: 'Prospecting',
        CloseDate: '2026-12-31',
      })),
      at,
    );
    const pairs = contacts.map((c, i) => ({ ref: `p${i}`, fromId: c, toId: deals[i % 4]! }));
    sb.clearLog();
    const first = await connector.linkRecords('contact', 'deal', pairs);
    expect(first.every((r) => r.ok)).toBe(true);
    expect(sb.log().map((e) => `${e.method} ${e.route}`)).toEqual([
      'GET /services/data/:version/query',
      'POST /services/data/:version/composite/sobjects',
    ]);
    sb.clearLog();
    const again = await connector.linkRecords('contact', 'deal', pairs);
    expect(again.every((r) => r.ok)).toBe(true);
    expect(sb.log().map((e) => `${e.method} ${e.route}`)).toEqual(['GET /services/data/:version/query']);
  });

  it('upserts 1,000 records through one Bulk API 2.0 job when the connection sets the threshold', async () => {
    sb = await startSalesforceConformance({
      counts: { contact: 10, deal: 10 },
      settings: { bulkThreshold: 500, bulkPollIntervalMs: 50 },
    });
    const connector = sb.connector('background');
    const writes: RecordWrite[] = Array.from({ length: 1000 }, (_, i) => ({
      ref: `b${i}`,
      externalId: { field: 'External_Id__c', value: `bulk-${i}` },
      fields: { LastName: `Bulk, "${i}"`, Email: i === 500 ? 'broken' : `bulk${i}@example.com` },
    }));
    sb.clearLog();
    const results = await connector.upsertRecords('contact', writes);
    expect(sb.calls(/^POST \/services\/data\/:version\/jobs\/ingest$/)).toBe(1);
    expect(sb.calls(UPSERT)).toBe(0);
    expect(results.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
    expect(results.filter((r) => !r.ok).map((r) => r.ref)).toEqual(['b500']);
    const first = results[0];
    expect(first).toMatchObject({ ok: true, created: true });
    expect(sb.field('contact', first?.ok ? first.remoteId : '', 'LastName')).toBe('Bulk, "0"');
  });

  it('exports above the threshold through one query job: one COUNT(), one create, one results call per page, every record once', async () => {
    sb = await startSalesforceConformance({
      counts: { contact: 1200, deal: 10 },
      settings: { exportBulkThreshold: 1000, bulkPollIntervalMs: 20 },
    });
    const live = sb.liveIds('contact');
    sb.clearLog();
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      // A connector per page: each page could run in another worker.
      const page = await sb.connector('background').exportRecords!('contact', { pageSize: 500, cursor });
      expect(page.total).toBe(live.length);
      ids.push(...page.items.map((r) => r.remoteId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect([...ids].sort()).toEqual([...live].sort());
    expect(pages).toBe(Math.ceil(live.length / 500));
    expect(sb.calls(/^GET \/services\/data\/:version\/query$/)).toBe(1);
    expect(sb.calls(/^POST \/services\/data\/:version\/jobs\/query$/)).toBe(1);
    expect(sb.calls(/^GET \/services\/data\/:version\/jobs\/query\/:id\/results$/)).toBe(pages);
  });

  it('runs on a client-credentials connection, taking a new token when the old one expires', async () => {
    sb = await startSalesforceConformance({
      counts: { contact: 300, deal: 10 },
      auth: 'oauth2_client_credentials',
    });
    const connector = sb.connector();
    const first = await connector.listRecords('contact', { pageSize: 200 });
    await sb.expireAccessTokens();
    sb.clearLog();
    const second = await connector.listRecords('contact', { pageSize: 200, cursor: first.nextCursor });
    expect(second.items).toHaveLength(sb.liveIds('contact').length - 200);
    expect(second.items.length).toBeGreaterThan(0);
    expect(sb.calls(TOKEN)).toBe(1);
    expect(await sb.connectionStatus()).toBe('ACTIVE');
  });
});
