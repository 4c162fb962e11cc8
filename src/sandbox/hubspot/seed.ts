// Deterministic seed data for one portal: the same seed and counts give the same records, ids and
// timestamps on every run, so tests can name records by position.
import { fakeCompany, fakePerson, timestampPlan } from '../core/fake-data';
import { Prng } from '../core/prng';
import { DEFAULT_SEED, RECYCLE_BIN_MS } from './constants';
import { type PortalStore } from './store';

export interface SeedOptions {
  seed: number;
  /** @defaultValue 3000 */
  contacts?: number;
  /** @defaultValue 800 */
  deals?: number;
  /** Share of records archived (listable with `archived=true`). @defaultValue 0.03 */
  archivedShare?: number;
}

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const CITIES: [string, string][] = [
  ['London', 'United Kingdom'],
  ['Berlin', 'Germany'],
  ['Paris', 'France'],
  ['Boston', 'United States'],
  ['Austin', 'United States'],
  ['Toronto', 'Canada'],
  ['Dublin', 'Ireland'],
  ['Sydney', 'Australia'],
];

/**
 * Fills an empty store. Modification times come from {@link timestampPlan}, so runs of records share
 * one `lastmodifieddate` / `hs_lastmodifieddate` (a bulk import's signature) and sync cursors must
 * tie-break. Seeding raises no change events: listeners are attached after it.
 */
export function seedPortal(store: PortalStore, options: SeedOptions): void {
  const root = new Prng(options.seed);
  const nContacts = options.contacts ?? DEFAULT_SEED.contacts;
  const nDeals = options.deals ?? DEFAULT_SEED.deals;
  const archivedShare = options.archivedShare ?? 0.03;
  const now = store.now();
  const contactIds = seedContacts(store, root.fork('contacts'), nContacts, now);
  const dealIds = seedDeals(store, root.fork('deals'), nDeals, now);

  const rng = root.fork('associations');
  for (const dealId of dealIds) {
    if (contactIds.length === 0) break;
    const n = rng.int(1, 3);
    for (let k = 0; k < n; k++) store.associate(rng.pick(contactIds), dealId);
  }

  const del = root.fork('archived');
  for (const [type, ids] of [
    ['contacts', contactIds],
    ['deals', dealIds],
  ] as const) {
    for (const id of ids) {
      if (!del.chance(archivedShare)) continue;
      const rec = store.get(type, id);
      if (!rec) continue;
      // Well inside the recycling bin's 90 days (a record archived earlier would be gone for good by
      // now), with room for tests that move the sandbox clock on by days.
      const at = Math.max(rec.updatedAt, now - RECYCLE_BIN_MS / 3) + 3_600_000;
      store.archive(type, id, 'CRM_UI', Math.min(now, at));
    }
  }
}

function seedContacts(store: PortalStore, rng: Prng, count: number, now: number): string[] {
  const modified = timestampPlan(rng, count, { startMs: now - YEAR_MS, endMs: now - 60_000 });
  const owners = store.owners.map((o) => o.id);
  const stages = [
    'subscriber',
    'lead',
    'marketingqualifiedlead',
    'salesqualifiedlead',
    'opportunity',
    'customer',
  ];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = fakePerson(rng, i + 1);
    const [city, country] = rng.pick(CITIES);
    const updatedAt = modified[i] as number;
    const createdAt = updatedAt - rng.int(0, 2 * YEAR_MS) - 1000;
    const props: Record<string, string> = {
      email: p.email,
      firstname: p.firstName,
      lastname: p.lastName,
      phone: p.phone,
      jobtitle: p.title,
      company: fakeCompany(rng),
      city,
      country,
      lifecyclestage: rng.pick(stages),
      hubspot_owner_id: rng.pick(owners),
      crm_external_id: `EXT-C-${String(i + 1).padStart(6, '0')}`,
      customer_tier: rng.pick(['gold', 'silver', 'bronze']),
      newsletter_opt_in: rng.chance(0.5) ? 'true' : 'false',
    };
    if (rng.chance(0.6)) props.nps_score = String(rng.int(0, 10));
    if (rng.chance(0.4))
      props.interests = rng
        .shuffle(['analytics', 'automation', 'integrations', 'security'])
        .slice(0, rng.int(1, 3))
        .join(';');
    if (rng.chance(0.3)) props.hs_lead_status = rng.pick(['NEW', 'OPEN', 'IN_PROGRESS', 'CONNECTED']);
    ids.push(store.create('contacts', props, 'IMPORT', { createdAt, updatedAt }).id);
  }
  return ids;
}

function seedDeals(store: PortalStore, rng: Prng, count: number, now: number): string[] {
  const modified = timestampPlan(rng, count, { startMs: now - YEAR_MS, endMs: now - 60_000 });
  const owners = store.owners.map((o) => o.id);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const pipeline = rng.chance(0.8) ? store.pipelines[0] : (store.pipelines[1] ?? store.pipelines[0]);
    if (!pipeline) break;
    const stage = rng.pick(pipeline.stages);
    const updatedAt = modified[i] as number;
    const createdAt = updatedAt - rng.int(0, YEAR_MS) - 1000;
    const close = new Date(createdAt + rng.int(7, 180) * 86_400_000);
    const props: Record<string, string> = {
      dealname: `${fakeCompany(rng)} — ${rng.pick(['Platform', 'Renewal', 'Expansion', 'Pilot', 'Services'])}`,
      amount: (rng.int(500, 250_000) + rng.int(0, 99) / 100).toFixed(2),
      pipeline: pipeline.id,
      dealstage: stage.id,
      closedate: close.toISOString(),
      dealtype: rng.pick(['newbusiness', 'existingbusiness']),
      hubspot_owner_id: rng.pick(owners),
      deal_currency_code: rng.pick(['USD', 'EUR', 'GBP']),
      deal_external_id: `EXT-D-${String(i + 1).padStart(6, '0')}`,
      deal_source: rng.pick(['inbound', 'outbound', 'partner']),
    };
    if (pipeline.id !== 'default') props.renewal_date = close.toISOString().slice(0, 10);
    if (rng.chance(0.3)) props.description = `Seeded deal ${i + 1}`;
    ids.push(store.create('deals', props, 'IMPORT', { createdAt, updatedAt }).id);
  }
  return ids;
}
