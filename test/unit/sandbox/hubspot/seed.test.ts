import { seedPortal } from '../../../../src/sandbox/hubspot/seed';
import { PortalStore } from '../../../../src/sandbox/hubspot/store';

const NOW = Date.parse('2026-11-27T00:00:00.000Z');

function seeded(seed: number, contacts?: number, deals?: number): PortalStore {
  const store = new PortalStore({ now: () => NOW });
  seedPortal(store, { seed, contacts, deals });
  return store;
}

function snapshot(store: PortalStore): unknown {
  return (['contacts', 'deals'] as const).map((t) =>
    store.order[t].map((id) => {
      const r = store.get(t, id);
      return [id, r?.properties, r?.archived, store.associated(t, id)];
    }),
  );
}

describe('HubSpot seed data', () => {
  it('defaults to 3,000 contacts and 800 deals, some archived, most deals associated', () => {
    const store = seeded(42);
    expect(store.order.contacts).toHaveLength(3000);
    expect(store.order.deals).toHaveLength(800);
    const archived = store.order.contacts.filter((id) => store.get('contacts', id)?.archived).length;
    expect(archived).toBeGreaterThan(30);
    expect(archived).toBeLessThan(200);
    const withContacts = store.order.deals.filter((id) => store.associated('deals', id).length > 0).length;
    expect(withContacts).toBeGreaterThan(700);
  });

  it('is deterministic per seed and differs between seeds', () => {
    expect(snapshot(seeded(7, 50, 20))).toEqual(snapshot(seeded(7, 50, 20)));
    expect(snapshot(seeded(8, 50, 20))).not.toEqual(snapshot(seeded(7, 50, 20)));
  });

  it('has clusters of records sharing one lastmodifieddate / hs_lastmodifieddate', () => {
    const store = seeded(42, 600, 300);
    for (const [type, prop] of [
      ['contacts', 'lastmodifieddate'],
      ['deals', 'hs_lastmodifieddate'],
    ] as const) {
      const counts = new Map<string, number>();
      for (const id of store.order[type]) {
        const v = store.get(type, id)?.properties[prop] as string;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
      expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(10);
    }
  });

  it('fills the custom properties, with a unique external id per record', () => {
    const store = seeded(42, 100, 40);
    const ext = store.order.contacts.map((id) => store.get('contacts', id)?.properties.crm_external_id);
    expect(new Set(ext).size).toBe(100);
    expect(store.findByUnique('contacts', 'crm_external_id', 'EXT-C-000001')?.id).toBe(
      store.order.contacts[0],
    );
    const deal = store.get('deals', store.order.deals[0] as string);
    expect(deal?.properties).toMatchObject({
      deal_external_id: 'EXT-D-000001',
      pipeline: expect.any(String),
      dealstage: expect.any(String),
    });
  });

  it('raises no change events while seeding, but does for later writes', () => {
    const store = new PortalStore({ now: () => NOW });
    const events: string[] = [];
    seedPortal(store, { seed: 1, contacts: 10, deals: 5 });
    store.onChange((e) => events.push(e.kind));
    store.create('contacts', { email: 'later@example.org' }, 'API');
    expect(events).toEqual(['creation', 'propertyChange']);
  });
});
