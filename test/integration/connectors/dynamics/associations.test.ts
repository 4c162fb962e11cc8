import { type DynamicsHarness, startHarness } from './harness';

describe('Dynamics deal ↔ contact associations against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 6, opportunity: 12, account: 2 });
  });
  afterAll(() => h.close());

  const ids = (table: 'contact') =>
    [...h.server.org().state.store.table(table).keys()].map((id) => id.toLowerCase());

  it('links through parentcontactid, reads both ways, and unlinks only a pair that is linked', async () => {
    const connector = h.connector();
    const [c1, c2] = ids('contact');
    // Closed deals are read-only (docs/vendors/dynamics.md "Opportunities"): link open ones.
    const [d1, d2, d3] = [...h.server.org().state.store.table('opportunity').values()]
      .filter((r) => r.values.statecode === 0)
      .map((r) => r.id.toLowerCase());
    const missing = '00000000-0000-4000-8000-0000000000ff';
    const linked = await connector.linkRecords('contact', 'deal', [
      { ref: 'a', fromId: c1, toId: d1 },
      { ref: 'b', fromId: c1, toId: d2 },
      { ref: 'c', fromId: c2, toId: d3 },
      { ref: 'd', fromId: c2, toId: missing },
    ]);
    expect(linked.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok', 'ok', 'NOT_FOUND']);
    const byContact = await connector.getAssociations('contact', [c1, c2], 'deal');
    // Seeded deals may name these contacts too.
    expect(byContact.get(c1)).toEqual(expect.arrayContaining([d1, d2]));
    expect(byContact.get(c2)).toEqual(expect.arrayContaining([d3]));
    expect(byContact.get(c2)).not.toContain(d1);
    const byDeal = await connector.getAssociations('deal', [d1, d3], 'contact');
    expect(Object.fromEntries(byDeal)).toEqual({ [d1]: [c1], [d3]: [c2] });

    const unlinked = await connector.unlinkRecords('deal', 'contact', [
      { ref: 'x', fromId: d1, toId: c1 },
      { ref: 'y', fromId: d3, toId: c1 },
      { ref: 'z', fromId: missing, toId: c1 },
    ]);
    expect(unlinked.every((r) => r.ok)).toBe(true);
    // Every asked id answers, an unlinked one with none.
    const after = await connector.getAssociations('deal', [d1, d3], 'contact');
    expect(Object.fromEntries(after)).toEqual({ [d1]: [], [d3]: [c2] });
  });
});
