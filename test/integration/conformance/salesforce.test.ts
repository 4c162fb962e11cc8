import { createSalesforceConnector } from '../../../src/connectors/salesforce/salesforce.connector';
import { type NativeChange, type RecordWrite, type CrmConnector } from '../../../src/connectors/types';
import { type CrmError } from '../../../src/errors';
import { type RequestLogEntry } from '../../../src/sandbox/core';
import { type SalesforceConformanceSandbox, startSalesforceConformance } from './salesforce.target';
import { rejection } from '../../support/connector-doubles';

/**
 * The Salesforce entry of the conformance suite: the registered connector against the Salesforce
 * sandbox over real sockets, with the real token service, budget gate and shared HTTP client. Vendor
 * calls are counted from the sandbox's request log (`METHOD route` keys).
 */

const QUERY = /^GET \/services\/data\/:version\/query(All)?(\/:locator)?$/;
const RETRIEVE = /^POST \/services\/data\/:version\/composite\/sobjects\/:type$/;
const UPSERT = /^PATCH \/services\/data\/:version\/composite\/sobjects\/:type\/:field$/;
const TOKEN = /^POST \/services\/oauth2\/token$/;
const SETTINGS = { fields: { contact: ['External_Id__c', 'NPS_Score__c'] } };

let sb: SalesforceConformanceSandbox;
afterEach(async () => {
  await sb?.close();
});

async function allChanges(connector: CrmConnector, since: Date, pageSize: number): Promise<NativeChange[]> {
  const out: NativeChange[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const page = await connector.listChanges('contact', { since, cursor, pageSize });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('listChanges did not end within 1000 pages');
}

describe('salesforce connector conformance', () => {
  it('lists every live contact to the end across several pages, each once', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 2300, Opportunity: 20 },
    });
    const connector = sb.connector();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await connector.listRecords('contact', { pageSize: 500, cursor });
      seen.push(...page.items.map((r) => r.remoteId));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(seen.length).toBe(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(sb.liveIds('contact')));
  });

  it('reads 500 ids in ⌈500 / readBatch⌉ calls, one result per id in order, misses as null', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 600, Opportunity: 600 },
    });
    const connector = sb.connector();
    const { readBatch } = connector.limits;
    for (const obj of ['contact', 'deal'] as const) {
      const ids = sb.liveIds(obj).slice(0, 500);
      expect(ids).toHaveLength(500);
      sb.clearLog();
      const got: (string | null)[] = [];
      for (let i = 0; i < ids.length; i += readBatch) {
        const records = await connector.getRecords(obj, ids.slice(i, i + readBatch));
        got.push(...records.map((r) => r?.remoteId ?? null));
      }
      expect(got).toEqual(ids);
      // Contacts read Account.Name, so they go through SOQL; opportunities through Collections retrieve.
      expect(sb.calls(obj === 'contact' ? QUERY : RETRIEVE)).toBe(Math.ceil(500 / readBatch));
      expect(sb.log()).toHaveLength(Math.ceil(500 / readBatch));
    }
    const [missing] = await connector.getRecords('deal', ['006000000000000AAA']);
    expect(missing).toBeNull();
  });

  it('reports changes since T: records sharing a timestamp across page boundaries once each, and deletions', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 200, Opportunity: 10 },
    });
    const t = sb.now() - 60_000;
    const same = t + 1_000;
    const created = sb.createAt(
      'contact',
      Array.from({ length: 250 }, (_, i) => ({ LastName: `Same${i}`, Email: `same${i}@ts.test` })),
      same,
    );
    const doomed = sb.liveIds('contact').slice(0, 3);
    for (const id of doomed) sb.deleteAt('contact', id, t + 2_000);
    const changes = await allChanges(sb.connector('background'), new Date(t), 100);
    const upserted = changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId);
    const deleted = changes.filter((c) => c.kind === 'DELETED').map((c) => c.remoteId);
    expect(upserted).toHaveLength(250);
    expect(new Set(upserted)).toEqual(new Set(created));
    expect(new Set(deleted)).toEqual(new Set(doomed));
    const one = changes.find((c) => c.remoteId === created[0]);
    expect(one?.record?.fields.Email).toBe('same0@ts.test');
    expect(Date.parse(one?.occurredAt ?? '')).toBe(same);
    // Nothing after the last change (`since` is rounded down to the second, hence + 1 s).
    const after = await sb.connector('background').listChanges('contact', { since: new Date(t + 3_000) });
    expect(after.items).toEqual([]);
  });

  it('describes custom fields and round-trips a custom value through upsert and read', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 10, Opportunity: 10 },
      settings: SETTINGS,
    });
    const connector = sb.connector();
    const fields = await connector.describeFields('contact');
    expect(fields.find((f) => f.name === 'NPS_Score__c')).toMatchObject({ custom: true, type: 'decimal' });
    expect(fields.find((f) => f.name === 'Customer_Tier__c')?.picklistValues?.length).toBeGreaterThan(0);
    expect(fields.find((f) => f.name === 'Email')).toMatchObject({ custom: false, type: 'email' });
    const [res] = await connector.upsertRecords('contact', [
      {
        ref: 'c1',
        externalId: { field: 'External_Id__c', value: 'CUSTOM-1' },
        fields: { LastName: 'Custom', NPS_Score__c: 9 },
      },
    ]);
    expect(res).toMatchObject({ ok: true, created: true });
    const [read] = await connector.getRecords('contact', [res?.ok ? res.remoteId : '']);
    expect(read?.fields.NPS_Score__c).toBe(9);
    expect(read?.fields.External_Id__c).toBe('CUSTOM-1');
  });

  it('reads associations through OpportunityContactRole in batches, matching the vendor', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 300, Opportunity: 30 },
    });
    const contacts = sb.liveIds('contact').slice(0, 250);
    const deals = sb.liveIds('deal');
    const now = sb.now();
    sb.createAt(
      'OpportunityContactRole',
      contacts.map((c, i) => ({ ContactId: c, OpportunityId: deals[i % deals.length] })),
      now,
    );
    const connector = sb.connector();
    sb.clearLog();
    const byContact = await connector.getAssociations('contact', contacts, 'deal');
    expect(sb.calls(QUERY)).toBe(Math.ceil(250 / connector.limits.readBatch));
    contacts.forEach((c, i) => expect(byContact.get(c)).toContain(deals[i % deals.length]));
    const byDeal = await connector.getAssociations('deal', [deals[0]], 'contact');
    const expected = contacts.filter((_, i) => i % deals.length === 0);
    expect(byDeal.get(deals[0])).toEqual(expect.arrayContaining(expected));
  });

  it('upserts 1,000 records in ⌈1,000 / writeBatch⌉ calls; the invalid ones fail alone, per record', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 10, Opportunity: 10 },
      settings: SETTINGS,
    });
    const connector = sb.connector('background');
    const { writeBatch } = connector.limits;
    const bad = new Set([3, 250, 251, 777, 999]);
    const writes: RecordWrite[] = Array.from({ length: 1000 }, (_, i) => ({
      ref: `w${i}`,
      externalId: { field: 'External_Id__c', value: `conf-${i}` },
      fields: { LastName: `Conf${i}`, Email: bad.has(i) ? `not an email ${i}` : `conf${i}@example.com` },
    }));
    sb.clearLog();
    const results = await connector.upsertRecords('contact', writes);
    expect(sb.calls(UPSERT)).toBe(Math.ceil(1000 / writeBatch));
    expect(results.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => r.ref)).toEqual([...bad].map((i) => `w${i}`));
    for (const f of failed)
      if (!f.ok) expect(f.error).toMatchObject({ code: 'VALIDATION', vendorCode: 'INVALID_EMAIL_ADDRESS' });
    const okIds = results.flatMap((r) => (r.ok ? [r.remoteId] : []));
    expect(new Set(okIds).size).toBe(995);
    expect(sb.field('contact', okIds[0], 'External_Id__c')).toBe('conf-0');
    // The same keys again: nothing new is created.
    const again = await connector.upsertRecords(
      'contact',
      writes.slice(0, writeBatch).filter((_, i) => !bad.has(i)),
    );
    expect(again.every((r) => r.ok && !r.created)).toBe(true);
  });

  it('upserts 1,000 records through one Bulk API 2.0 job when the connection sets the threshold', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 10, Opportunity: 10 },
      settings: { ...SETTINGS, bulkThreshold: 500, bulkPollIntervalMs: 50 },
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
    expect(results.filter((r) => !r.ok).map((r) => r.ref)).toEqual(['b500']);
    const first = results[0];
    expect(first).toMatchObject({ ok: true, created: true });
    expect(sb.field('contact', first?.ok ? first.remoteId : '', 'LastName')).toBe('Bulk, "0"');
  });

  it('survives a limit storm with no failure and no call before the wait it was told', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 50, Opportunity: 10 },
      // REQUEST_LIMIT_EXCEEDED carries no wait; the policy's wait for it is shortened for the test.
      retry: { budgetExhaustedWaitMs: 700 },
    });
    const ids = sb.liveIds('contact').slice(0, 10);
    const told: { at: number; waitMs: number }[] = [];
    await sb.setFaults({ rateLimitStormMs: 1500 });
    sb.clearLog();
    const started = Date.now();
    let records: unknown[] | null = null;
    while (!records && Date.now() - started < 20_000) {
      try {
        records = await sb.connector('background').getRecords('contact', ids);
      } catch (err) {
        const e = err as CrmError;
        expect(e.code).toBe('RATE_LIMITED');
        expect(e.retryAfterMs).toBeGreaterThan(0);
        // What the queue does: come back after the wait it was told.
        told.push({ at: sb.now(), waitMs: e.retryAfterMs ?? 0 });
        await new Promise((resolve) => setTimeout(resolve, e.retryAfterMs ?? 0));
      }
    }
    expect(records).toHaveLength(10);
    const entries = sb.log();
    const limited = entries.filter((e) => e.fault === 'rateLimit');
    expect(limited.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.fault === 'rateLimit' && e.status !== 403)).toEqual([]);
    for (let i = 0; i < entries.length - 1; i += 1) {
      const e = entries[i] as RequestLogEntry;
      if (e.fault !== 'rateLimit') continue;
      const wait = told.find((t) => t.at >= e.at)?.waitMs ?? 0;
      expect((entries[i + 1] as RequestLogEntry).at - e.at).toBeGreaterThanOrEqual(wait - 25);
    }
  });

  it('keeps to the org allocation Sforce-Limit-Info reports: stops calling before Salesforce refuses', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 20, Opportunity: 10 },
    });
    // The declared default is 15,000 a day; this org reports 30. One call teaches the budget.
    await sb.setSettings({ dailyApiRequests: 30 });
    sb.clearLog();
    const ids = sb.liveIds('deal').slice(0, 3);
    let served = 0;
    let refusal: CrmError | null = null;
    for (let i = 0; i < 40 && !refusal; i += 1) {
      try {
        await sb.connector('background').getRecords('deal', ids);
        served += 1;
      } catch (err) {
        refusal = err as CrmError;
      }
    }
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refusal?.retryAfterMs).toBeGreaterThan(0);
    // Background work leaves the interactive share (20 %) alone, and the vendor never had to say no.
    expect(served).toBeGreaterThan(10);
    expect(served).toBeLessThanOrEqual(30 * 0.8);
    expect(sb.log().filter((e) => e.status === 403)).toEqual([]);
    expect(sb.calls(RETRIEVE)).toBe(served);
    // The interactive share is still there for a query a user waits on.
    await expect(sb.connector('interactive').getRecords('deal', ids)).resolves.toHaveLength(3);
  });

  it('refreshes an access token that expires mid-run, once, and carries on', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 500, Opportunity: 10 },
    });
    const connector = sb.connector();
    const first = await connector.listRecords('contact', { pageSize: 200 });
    await sb.expireAccessTokens();
    sb.clearLog();
    const pages = await Promise.all([
      connector.listRecords('contact', { pageSize: 200, cursor: first.nextCursor }),
      sb.connector().getRecords('deal', sb.liveIds('deal').slice(0, 5)),
    ]);
    expect(pages[0].items).toHaveLength(200);
    expect(pages[1].filter((r) => r !== null)).toHaveLength(5);
    expect(sb.calls(TOKEN)).toBe(1);
    expect(await sb.connectionStatus()).toBe('ACTIVE');
  });

  it('runs on a client-credentials connection, taking a new token when the old one expires', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 300, Opportunity: 10 },
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

  it('moves the connection to NEEDS_REAUTH when the refresh token is revoked', async () => {
    sb = await startSalesforceConformance(createSalesforceConnector, {
      counts: { Contact: 10, Opportunity: 10 },
    });
    await sb.revokeRefreshTokens();
    await sb.expireAccessTokens();
    const err = await rejection(sb.connector().listRecords('contact', { pageSize: 5 }));
    expect(err.code).toBe('NEEDS_REAUTH');
    expect(await sb.connectionStatus()).toBe('NEEDS_REAUTH');
    expect(sb.events.map((e) => e.status)).toEqual(['NEEDS_REAUTH']);
  });
});
