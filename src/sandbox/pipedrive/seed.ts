// Seed data of one company: users, two pipelines with stages, persons with emails and phones, deals
// on those persons, custom values in every documented shape, and clusters of equal `update_time`
// so incremental-sync cursors must tie-break.
import { fakeCompany, fakePerson, Prng, timestampPlan } from '../core';
import { type FieldDef } from './fields';
import { CompanyStore } from './store';

const PIPELINES: [string, string[]][] = [
  ['Sales', ['Qualified', 'Contact made', 'Proposal made', 'Negotiations started']],
  ['Renewals', ['Due', 'In review', 'Signed']],
];
const CURRENCIES = ['USD', 'EUR', 'GBP'];

export interface SeedOptions {
  companyId: number;
  seed: number;
  persons: number;
  deals: number;
  now: () => number;
  /** The API token's user first; two more users own some records. */
  userId: number;
}

function sampleCustom(rng: Prng, fields: FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!field.custom || rng.chance(0.3)) continue;
    const options = field.options ?? [];
    if (field.type === 'enum') out[field.key] = rng.pick(options).id;
    else if (field.type === 'set')
      out[field.key] = rng
        .shuffle(options)
        .slice(0, rng.int(1, options.length))
        .map((o) => o.id)
        .sort((a, b) => a - b);
    else if (field.type === 'monetary')
      out[field.key] = { value: rng.int(1, 500) * 100, currency: rng.pick(CURRENCIES) };
    else if (field.type === 'date')
      out[field.key] =
        `2026-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
    else if (field.type === 'double') out[field.key] = rng.int(0, 1000) / 10;
    else out[field.key] = `${fakeCompany(rng)} account`;
  }
  return out;
}

export function seedCompany(options: SeedOptions): CompanyStore {
  const store = new CompanyStore(options.companyId, options.now);
  const rng = new Prng(options.seed);
  store.users.push(
    { id: options.userId, name: 'Sandbox Admin', email: 'admin@sandbox.example.com' },
    { id: options.userId + 1, name: 'Riley Seller', email: 'riley@sandbox.example.com' },
    { id: options.userId + 2, name: 'Sam Closer', email: 'sam@sandbox.example.com' },
  );
  let stageId = 1;
  PIPELINES.forEach(([name, stages], i) => {
    const pipelineId = i + 1;
    store.pipelines.set(pipelineId, {
      id: pipelineId,
      name,
      order_nr: i,
      is_deal_probability_enabled: false,
    });
    stages.forEach((stage, order) => {
      store.stages.set(stageId, {
        id: stageId,
        pipeline_id: pipelineId,
        name: stage,
        order_nr: order + 1,
        deal_probability: 100,
      });
      stageId++;
    });
  });
  const now = options.now();
  const plan = (count: number, label: string): number[] =>
    timestampPlan(rng.fork(label), count, { startMs: now - 400 * 24 * 3600_000, endMs: now - 3600_000 });
  const personTimes = plan(options.persons, 'person-times');
  const personRng = rng.fork('persons');
  for (let n = 0; n < options.persons; n++) {
    const p = fakePerson(personRng, n);
    const emails = [{ value: p.email, primary: true, label: 'work' }];
    if (personRng.chance(0.3))
      emails.push({
        value: `${p.firstName.toLowerCase()}.${n}@home.example.net`,
        primary: false,
        label: 'home',
      });
    store.insertSeed(
      'person',
      {
        name: `${p.firstName} ${p.lastName}`,
        first_name: p.firstName,
        last_name: p.lastName,
        owner_id: store.users[personRng.int(0, 2)]?.id,
        org_id: null,
        emails,
        phones: [{ value: p.phone, primary: true, label: 'mobile' }],
        visible_to: 3,
        label_ids: [],
      },
      sampleCustom(personRng, store.fields.person),
      personTimes[n] as number,
    );
  }
  const dealTimes = plan(options.deals, 'deal-times');
  const dealRng = rng.fork('deals');
  const stages = [...store.stages.values()];
  for (let n = 0; n < options.deals; n++) {
    const stage = dealRng.pick(stages);
    const status = dealRng.pick(['open', 'open', 'open', 'won', 'lost']);
    const at = dealTimes[n] as number;
    store.insertSeed(
      'deal',
      {
        title: `${fakeCompany(dealRng)} deal`,
        owner_id: store.users[dealRng.int(0, 2)]?.id,
        person_id: options.persons > 0 ? dealRng.int(1, options.persons) : null,
        org_id: null,
        pipeline_id: stage.pipeline_id,
        stage_id: stage.id,
        value: dealRng.int(1, 200) * 250,
        currency: dealRng.pick(CURRENCIES),
        status,
        stage_change_time: at,
        won_time: status === 'won' ? at : null,
        lost_time: status === 'lost' ? at : null,
        close_time: status === 'open' ? null : at,
        lost_reason: status === 'lost' ? 'Price' : null,
        probability: null,
        expected_close_date: null,
        visible_to: 3,
        label_ids: [],
      },
      sampleCustom(dealRng, store.fields.deal),
      at,
    );
  }
  return store;
}
