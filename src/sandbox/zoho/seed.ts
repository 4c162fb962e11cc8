// Seed data of one org: three users, contacts with emails, phones and custom values (a unique
// Gateway_Key on some), deals on those contacts through Contact_Name and contact roles, across both
// pipelines and every stage, with clusters of equal Modified_Time so incremental-sync cursors must
// tie-break. The same seed and DC give the same data.
import { fakeCompany, fakePerson, Prng, timestampPlan } from '../core';
import { type DcId } from './constants';
import { PIPELINES, STAGES } from './fields';
import { OrgStore } from './store';

export interface SeedOptions {
  idPrefix: string;
  seed: number;
  dc: DcId;
  contacts: number;
  deals: number;
  now: () => number;
}

/** docs/vendors/zoho.md "Contact roles": the roles a new org has. */
const ROLE_NAMES = ['Purchasing', 'Technical Buyer', 'Evaluator', 'Decision Maker', 'Executive Sponsor'];

/** The org's currency follows its DC, so a side-by-side EU/US test sees two currencies. */
export const DC_CURRENCY: Record<DcId, { iso: string; symbol: string; name: string }> = {
  us: { iso: 'USD', symbol: '$', name: 'US Dollar - USD' },
  eu: { iso: 'EUR', symbol: '€', name: 'Euro - EUR' },
  in: { iso: 'INR', symbol: '₹', name: 'Indian Rupee - INR' },
  au: { iso: 'AUD', symbol: 'A$', name: 'Australian Dollar - AUD' },
  jp: { iso: 'JPY', symbol: '¥', name: 'Japanese Yen - JPY' },
  cn: { iso: 'CNY', symbol: '¥', name: 'Chinese Yuan - CNY' },
  ca: { iso: 'CAD', symbol: 'C$', name: 'Canadian Dollar - CAD' },
  sa: { iso: 'SAR', symbol: 'SAR', name: 'Saudi Riyal - SAR' },
};

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function seedOrg(options: SeedOptions): OrgStore {
  const store = new OrgStore(options.idPrefix, options.now);
  // The DC joins the seed: two orgs with the same seed in two DCs hold different data.
  const rng = new Prng(options.seed).fork(`dc:${options.dc}`);
  store.users.push(
    { id: store.nextId(), full_name: 'Sandbox Admin', email: 'admin@sandbox.example.com' },
    { id: store.nextId(), full_name: 'Riley Seller', email: 'riley@sandbox.example.com' },
    { id: store.nextId(), full_name: 'Sam Closer', email: 'sam@sandbox.example.com' },
  );
  ROLE_NAMES.forEach((name, i) => store.roleDefs.push({ id: store.nextId(), name, sequence_number: i + 1 }));
  const now = options.now();
  const plan = (count: number, label: string): number[] =>
    timestampPlan(rng.fork(label), count, { startMs: now - 400 * 24 * 3600_000, endMs: now - 3600_000 });
  const owner = (r: Prng): string => (store.users[r.int(0, 2)] ?? store.users[0])!.id;

  const contactTimes = plan(options.contacts, 'contact-times');
  const cRng = rng.fork('contacts');
  const contactIds: string[] = [];
  for (let n = 0; n < options.contacts; n++) {
    const p = fakePerson(cRng, n);
    const values: Record<string, unknown> = {
      First_Name: p.firstName,
      Last_Name: p.lastName,
      Email: p.email,
      Phone: p.phone,
      Title: p.title,
      Mailing_City: cRng.pick(['Berlin', 'Austin', 'Pune', 'Sydney', 'Osaka', 'Toronto', 'Riyadh']),
      Email_Opt_Out: cRng.chance(0.1),
    };
    if (cRng.chance(0.5)) values.Gateway_Key = `seed-contact-${options.dc}-${n}`;
    if (cRng.chance(0.6)) values.Customer_Tier = cRng.pick(['Gold', 'Silver', 'Bronze']);
    if (cRng.chance(0.5)) values.Lifetime_Score = cRng.int(0, 1000);
    contactIds.push(store.insertSeed('Contacts', values, owner(cRng), contactTimes[n] as number).id);
  }

  const dealTimes = plan(options.deals, 'deal-times');
  const dRng = rng.fork('deals');
  for (let n = 0; n < options.deals; n++) {
    const pipeline = dRng.pick(PIPELINES);
    const stageName = dRng.pick(pipeline.stages);
    const stage = STAGES.find((s) => s.actual_value === stageName)!;
    const at = dealTimes[n] as number;
    const values: Record<string, unknown> = {
      Deal_Name: `${fakeCompany(dRng)} deal ${n + 1}`,
      Amount: dRng.int(1, 400) * 125 + (dRng.chance(0.3) ? 0.5 : 0),
      Closing_Date: isoDate(at + dRng.int(-60, 120) * 24 * 3600_000),
      Stage: stage.actual_value,
      Pipeline: pipeline.name,
      Probability: stage.probability,
      Type: dRng.pick(['New Business', 'Existing Business']),
    };
    if (contactIds.length > 0 && dRng.chance(0.85)) values.Contact_Name = { id: dRng.pick(contactIds) };
    if (dRng.chance(0.5)) values.Gateway_Key = `seed-deal-${options.dc}-${n}`;
    if (dRng.chance(0.5)) values.Region = dRng.pick(['EMEA', 'Americas', 'APAC']);
    const deal = store.insertSeed('Deals', values, owner(dRng), at);
    // Contact roles: the deal's own contact often has one, and a few more contacts join some deals.
    const roles = new Map<string, string>();
    const primary = (values.Contact_Name as { id: string } | undefined)?.id;
    if (primary && dRng.chance(0.7)) roles.set(primary, dRng.pick(store.roleDefs).id);
    if (contactIds.length > 1 && dRng.chance(0.3))
      for (let k = dRng.int(1, 2); k > 0; k--) roles.set(dRng.pick(contactIds), dRng.pick(store.roleDefs).id);
    if (roles.size > 0) store.contactRoles.set(deal.id, roles);
  }
  return store;
}
