import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { liveIds, startHubSpot, type Caller } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;

beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 80, deals: 30 }));
  // Search allows 5 requests per second; tests that page quickly lift it (one test puts it back).
  await call('PATCH', '/__sandbox/orgs/default/settings', { searchPerSecond: 1000 }, null);
});
afterEach(async () => {
  await live.close();
});

const S = '/crm/v3/objects/contacts/search';

describe('search (B6)', () => {
  it('finds by email (case-insensitive EQ) and returns total, default properties and no rate-limit headers', async () => {
    const id = liveIds(server, 'contacts')[4] as string;
    const email = server.org().state.store.get('contacts', id)?.properties.email as string;
    const res = await call('POST', S, {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: email.toUpperCase() }] }],
    });
    expect(res.status).toBe(200);
    expect(res.json.total).toBe(1);
    expect(res.json.results[0].id).toBe(id);
    expect(Object.keys(res.json.results[0].properties).sort()).toEqual(
      ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
    );
    expect(res.json).not.toHaveProperty('paging');
    expect([...res.headers.keys()].filter((h) => h.startsWith('x-hubspot-ratelimit'))).toEqual([]);
    expect(res.headers.get('x-hubspot-correlation-id')).toEqual(expect.any(String));
  });

  it('pages a modified-since query sorted ascending to the end with `after` offsets', async () => {
    const store = server.org().state.store;
    const all = liveIds(server, 'contacts').map((i) => store.get('contacts', i)!);
    const since = [...all].sort((a, b) => a.updatedAt - b.updatedAt)[20]!.updatedAt;
    const expected = all.filter((r) => r.updatedAt >= since);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const res = await call('POST', S, {
        filterGroups: [
          { filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: String(since) }] },
        ],
        sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
        properties: ['email', 'lastmodifieddate'],
        limit: 7,
        ...(after ? { after } : {}),
      });
      expect(res.json.total).toBe(expected.length);
      const times = res.json.results.map((r: { properties: { lastmodifieddate: string } }) =>
        Date.parse(r.properties.lastmodifieddate),
      );
      expect(times).toEqual([...times].sort((a, b) => a - b));
      seen.push(...res.json.results.map((r: { id: string }) => r.id));
      after = res.json.paging?.next?.after;
    } while (after);
    expect(seen.sort()).toEqual(expected.map((r) => r.id).sort());
  });

  it('ORs filter groups, ANDs filters, and supports IN, BETWEEN, HAS_PROPERTY, CONTAINS_TOKEN and string sorts', async () => {
    const res = await call('POST', S, {
      filterGroups: [
        {
          filters: [
            { propertyName: 'customer_tier', operator: 'IN', values: ['gold'] },
            { propertyName: 'nps_score', operator: 'HAS_PROPERTY' },
          ],
        },
        { filters: [{ propertyName: 'nps_score', operator: 'BETWEEN', value: '9', highValue: '10' }] },
      ],
      sorts: ['-nps_score'],
      properties: ['customer_tier', 'nps_score'],
      limit: 200,
    });
    expect(res.status).toBe(200);
    expect(res.json.total).toBeGreaterThan(0);
    for (const r of res.json.results) {
      const p = r.properties;
      expect((p.customer_tier === 'gold' && p.nps_score !== null) || Number(p.nps_score) >= 9).toBe(true);
    }
    const scores = res.json.results.map((r: { properties: { nps_score: string | null } }) =>
      Number(r.properties.nps_score ?? -1),
    );
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    const domain = await call('POST', S, {
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@example.com' }] },
      ],
    });
    expect(domain.json.total).toBe(liveIds(server, 'contacts').length);
  });

  it('finds contacts associated with a deal through associations.deal', async () => {
    const store = server.org().state.store;
    const deal = liveIds(server, 'deals').find((d) => store.associated('deals', d).length > 0) as string;
    const res = await call('POST', S, {
      filterGroups: [{ filters: [{ propertyName: 'associations.deal', operator: 'EQ', value: deal }] }],
    });
    expect(res.json.results.map((r: { id: string }) => r.id).sort()).toEqual(
      store.associated('deals', deal).sort(),
    );
  });

  it('refuses paging beyond 10,000 results, a limit above 200 and too many filters, with 400', async () => {
    expect((await call('POST', S, { limit: 200, after: '9800' })).status).toBe(200);
    const past = await call('POST', S, { limit: 200, after: '9801' });
    expect(past.status).toBe(400);
    expect(past.json.category).toBe('VALIDATION_ERROR');
    expect((await call('POST', S, { limit: 201 })).status).toBe(400);
    const filter = { propertyName: 'email', operator: 'HAS_PROPERTY' };
    expect((await call('POST', S, { filterGroups: [{ filters: Array(7).fill(filter) }] })).status).toBe(400);
    expect((await call('POST', S, { filterGroups: Array(6).fill({ filters: [filter] }) })).status).toBe(400);
    expect(
      (await call('POST', S, { filterGroups: Array(4).fill({ filters: Array(5).fill(filter) }) })).status,
    ).toBe(400);
    expect((await call('POST', S, { sorts: ['email', 'firstname'] })).status).toBe(400);
  });

  it('never returns archived records', async () => {
    const id = liveIds(server, 'contacts')[0] as string;
    await call('DELETE', `/crm/v3/objects/contacts/${id}`);
    const res = await call('POST', S, {
      filterGroups: [{ filters: [{ propertyName: 'hs_object_id', operator: 'EQ', value: id }] }],
    });
    expect(res.json.total).toBe(0);
  });

  it('has its own per-second limit answering 429 "secondly limit"', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { searchPerSecond: 5 }, null);
    const results = await Promise.all(Array.from({ length: 8 }, () => call('POST', S, { limit: 1 })));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(limited[0]!.json).toMatchObject({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
    });
    expect(limited[0]!.headers.get('x-hubspot-ratelimit-remaining')).toBeNull();
  });
});

describe('fault knob indexLagMs (B6 eventual consistency)', () => {
  it('keeps new and changed records out of search until the lag has passed', async () => {
    await call('PATCH', '/__sandbox/orgs/default/faults', { indexLagMs: 60_000 }, null);
    const created = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'lagging@example.org' },
    });
    const find = {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'lagging@example.org' }] }],
    };
    expect((await call('POST', S, find)).json.total).toBe(0);
    expect((await call('GET', `/crm/v3/objects/contacts/${created.json.id}`)).status).toBe(200);
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 61_000 }, null);
    const res = await call('POST', S, find);
    expect(res.json.total).toBe(1);
    await call('PATCH', `/crm/v3/objects/contacts/${created.json.id}`, {
      properties: { firstname: 'Renamed' },
    });
    const stale = await call('POST', S, { ...find, properties: ['firstname'] });
    expect(stale.json.results[0].properties.firstname).toBeNull();
  });
});
