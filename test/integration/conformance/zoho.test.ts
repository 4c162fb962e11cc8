import { type ListeningSandbox } from '../../../src/sandbox/core';
import { createZohoSandbox } from '../../../src/sandbox/zoho';
import { liveIds } from '../../../src/sandbox/zoho/admin';
import { startZohoConformance, type ZohoConformanceSandbox, zohoTarget } from './zoho.target';
import { describeConformance } from './suite';

/**
 * Zoho CRM conformance: the shared suite against the Zoho sandbox (its org in the EU data centre), then
 * what only Zoho has — accounts in eight data centres, each connection bound to its own.
 */

describeConformance(zohoTarget);

describe('zoho only', () => {
  const opened: ZohoConformanceSandbox[] = [];
  let shared: ListeningSandbox | undefined;
  afterAll(async () => {
    // The connections' stores first, then the one listener they share.
    for (const sb of opened) await sb.close();
    await shared?.close();
  });

  it('uses an EU and a US connection side by side, each only on its own data centre', async () => {
    const server = createZohoSandbox({
      orgs: [
        { id: 'eu-org', seed: 21, counts: { Contacts: 3, Deals: 1 }, settings: { dc: 'eu' } },
        { id: 'us-org', seed: 22, counts: { Contacts: 4, Deals: 1 }, settings: { dc: 'us' } },
      ],
    });
    const live = await server.listen();
    shared = live;
    const eu = await startZohoConformance({
      counts: { contact: 0, deal: 0 },
      shared: { server, live, org: 'eu-org' },
    });
    opened.push(eu);
    const us = await startZohoConformance({
      counts: { contact: 0, deal: 0 },
      shared: { server, live, org: 'us-org' },
    });
    opened.push(us);

    // Each connection learned its DC at the callback and keeps that DC's hosts.
    expect(eu.vendorUrls.api).toBe(`${live.baseUrl}/dc/eu/api`);
    expect(us.vendorUrls.api).toBe(`${live.baseUrl}/dc/us/api`);
    expect(eu.vendorUrls.auth).toBe(`${live.baseUrl}/dc/eu/accounts`);
    expect(us.vendorUrls.auth).toBe(`${live.baseUrl}/dc/us/accounts`);

    for (const [sb, own, other] of [
      [eu, 'eu-org', 'us-org'],
      [us, 'us-org', 'eu-org'],
    ] as const) {
      sb.clearLog();
      const ownIds = liveIds(server.org(own), 'Contacts');
      const otherIds = liveIds(server.org(other), 'Contacts');
      const records = await sb.connector().getRecords('contact', [...ownIds, ...otherIds]);
      // Its own org's records, none of the other org's (another DC's ids are unknown there).
      expect(records.slice(0, ownIds.length).every((r) => r !== null)).toBe(true);
      expect(records.slice(ownIds.length)).toEqual(otherIds.map(() => null));
      const page = await sb.connector().listRecords('contact', { pageSize: 10 });
      expect(page.items.map((r) => r.remoteId).sort()).toEqual([...ownIds].sort());
      // Every call of the connection went to its own DC's API domain.
      const dc = own === 'eu-org' ? 'eu' : 'us';
      const paths = sb.log().map((e) => new URL(e.url, live.baseUrl).pathname);
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(p.startsWith(`/dc/${dc}/api/`)).toBe(true);
    }
  });
});
