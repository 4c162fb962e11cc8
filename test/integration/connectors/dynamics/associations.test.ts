import { type DynamicsHarness, startHarness } from './harness';

describe('Dynamics deal ↔ contact associations against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 6, opportunity: 12, account: 2 });
  });
  afterAll(() => h.close());

  const store = () => h.server.org().state.store;
  const contacts = () => [...store().table('contact').keys()].map((id) => id.toLowerCase());
  const connectionsOf = (id: string) =>
    [...store().table('connection').values()].filter(
      (c) => (c.values.record1id as { id?: string } | null)?.id === id,
    );

  it('links the primary contact through parentcontactid and more through connections; reads both; unlinks each', async () => {
    const connector = h.connector();
    const [c1, c2] = contacts();
    // Open deals with no contact yet (closed deals are read-only, docs/vendors/dynamics.md "Opportunities").
    const [d1, d2, d3] = [...store().table('opportunity').values()]
      .filter((r) => r.values.statecode === 0)
      .slice(0, 3)
      .map((r) => {
        store().update('opportunity', r.id, { parentcontactid: null }, { userId: 'seed', now: Date.now() });
        return r.id.toLowerCase();
      });
    const missing = '00000000-0000-4000-8000-0000000000ff';
    const linked = await connector.linkRecords('contact', 'deal', [
      { ref: 'a', fromId: c1, toId: d1 },
      { ref: 'b', fromId: c1, toId: d2 },
      { ref: 'c', fromId: c2, toId: d3 },
      { ref: 'd', fromId: c2, toId: d1 },
      { ref: 'e', fromId: c2, toId: missing },
    ]);
    expect(linked.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok', 'ok', 'ok', 'NOT_FOUND']);
    // The first contact of d1 became its primary; the second, a connection (with its reciprocal).
    expect(store().get('opportunity', d1)?.values.parentcontactid).toMatchObject({ id: c1 });
    expect(connectionsOf(d1).map((c) => (c.values.record2id as { id: string }).id)).toEqual([c2]);
    expect(connectionsOf(c2).map((c) => (c.values.record2id as { id: string }).id)).toEqual([d1]);

    const byContact = await connector.getAssociations('contact', [c1, c2], 'deal');
    expect(byContact.get(c1)).toEqual(expect.arrayContaining([d1, d2]));
    expect(byContact.get(c2)).toEqual(expect.arrayContaining([d1, d3]));
    const byDeal = await connector.getAssociations('deal', [d1, d3], 'contact');
    expect(byDeal.get(d1)?.sort()).toEqual([c1, c2].sort());
    expect(byDeal.get(d3)).toEqual([c2]);

    // Linking again writes nothing new.
    expect(
      (await connector.linkRecords('deal', 'contact', [{ ref: 'x', fromId: d1, toId: c2 }]))[0]?.ok,
    ).toBe(true);
    expect(connectionsOf(d1)).toHaveLength(1);

    const unlinked = await connector.unlinkRecords('deal', 'contact', [
      { ref: 'x', fromId: d1, toId: c1 },
      { ref: 'y', fromId: d1, toId: c2 },
      { ref: 'z', fromId: d3, toId: c1 },
      { ref: 'w', fromId: missing, toId: c1 },
    ]);
    expect(unlinked.every((r) => r.ok)).toBe(true);
    expect(connectionsOf(d1)).toEqual([]);
    expect(connectionsOf(c2)).toEqual([]);
    // Every asked id answers, an unlinked one with none.
    const after = await connector.getAssociations('deal', [d1, d3], 'contact');
    expect(Object.fromEntries(after)).toEqual({ [d1]: [], [d3]: [c2] });
  });
});
