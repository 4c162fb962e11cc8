import { type Prng } from './prng';

// Small fixed word lists: enough variety for realistic lists and LIKE/search queries, small enough to
// keep seeding fast. Vendors build their records from these so every sandbox looks alike.
export const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Dennis',
  'Barbara',
  'Ken',
  'Frances',
  'John',
  'Radia',
  'Tim',
  'Hedy',
  'Edsger',
  'Katherine',
  'Donald',
  'Sophie',
  'Niklaus',
  'Annie',
  'Guido',
  'Karen',
  'Bjarne',
  'Jean',
  'Brian',
  'Shafi',
  'Vint',
  'Mary',
  'Leslie',
  'Joan',
  'Robert',
] as const;
export const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Ritchie',
  'Liskov',
  'Thompson',
  'Allen',
  'McCarthy',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Dijkstra',
  'Johnson',
  'Knuth',
  'Wilson',
  'Wirth',
  'Easley',
  'van Rossum',
  'Jones',
  'Stroustrup',
  'Sammet',
  'Kernighan',
  'Goldwasser',
  'Cerf',
  'Keller',
  'Lamport',
  'Clarke',
  'Tarjan',
] as const;
export const COMPANY_WORDS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Vandelay',
  'Wonka',
  'Aperture',
  'Massive',
  'Dynamic',
  'Oscorp',
  'Pied Piper',
  'Monarch',
  'Gringotts',
  'Nakatomi',
] as const;
export const COMPANY_SUFFIXES = ['Inc', 'Ltd', 'GmbH', 'LLC', 'Corp', 'Group', 'Labs', 'Systems'] as const;
export const JOB_TITLES = [
  'CEO',
  'CTO',
  'VP Sales',
  'Account Executive',
  'Engineer',
  'Product Manager',
  'Buyer',
  'Director',
  'Analyst',
  'Consultant',
  'Head of Operations',
  'Procurement Lead',
] as const;

export interface FakePerson {
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
}

/** A person whose email is unique for a given index (`n`), so upserts by email stay unambiguous. */
export function fakePerson(rng: Prng, n: number): FakePerson {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  return {
    firstName,
    lastName,
    email: `${local}.${n}@example.com`,
    phone: `+1 555 ${String(rng.int(100, 999))} ${String(rng.int(1000, 9999))}`,
    title: rng.pick(JOB_TITLES),
  };
}

export function fakeCompany(rng: Prng): string {
  return `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_SUFFIXES)}`;
}

export interface TimestampPlanOptions {
  /** Oldest timestamp (epoch ms). */
  startMs: number;
  /** Newest timestamp (epoch ms). */
  endMs: number;
  /** Share of records that belong to a cluster sharing one timestamp. @defaultValue 0.1 */
  clusterShare?: number;
  /** Records per cluster. @defaultValue 25 — larger than small page sizes, so cursors must tie-break. */
  clusterSize?: number;
}

/**
 * `count` ascending modification timestamps (whole seconds, as CRMs store them) where some runs share
 * one identical value: the case that breaks naive `modified > cursor` sync loops.
 */
export function timestampPlan(rng: Prng, count: number, options: TimestampPlanOptions): number[] {
  const clusterShare = options.clusterShare ?? 0.1;
  // Small test seeds still get one cluster, so the tie case is always present.
  const clusterSize = Math.min(Math.max(2, options.clusterSize ?? 25), Math.max(2, Math.floor(count / 4)));
  const span = Math.max(1, options.endMs - options.startMs);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Math.floor((options.startMs + rng.next() * span) / 1000) * 1000);
  }
  out.sort((a, b) => a - b);
  const clusters =
    count >= 4 && clusterShare > 0 ? Math.max(1, Math.floor((count * clusterShare) / clusterSize)) : 0;
  for (let c = 0; c < clusters; c++) {
    const at = rng.int(0, Math.max(0, count - clusterSize));
    const value = out[at] as number;
    for (let k = at; k < at + clusterSize && k < count; k++) out[k] = value;
  }
  // Flattening a run can leave a later cluster value below an earlier one; keep the order ascending.
  for (let i = 1; i < out.length; i++)
    if ((out[i] as number) < (out[i - 1] as number)) out[i] = out[i - 1] as number;
  return out;
}
