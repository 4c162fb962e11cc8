import crypto from 'node:crypto';
import {
  ContactCursorPageDocument,
  DealCursorPageDocument,
  type RecordFilter,
} from '../generated/operations';
import { request } from '../support/gateway';
import { namesOf, rowsOf, type SandboxRow } from '../support/sandbox-rows';
import {
  READ_CRMS,
  type ReadCrm,
  type ReadStack,
  type ReadTenant,
  startReadStack,
} from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * Lists paged to the end through GraphQL, where the gateway's sealed cursor lives, as users and
 * attackers page them: every page size around the vendors' boundaries, each filter with and without
 * deleted records, resumed from edge cursors mid-page, twelve pagers at once, a pause longer than a
 * Salesforce query cursor lives, pages alternating between two gateways; and a thousand forged or
 * foreign cursors, none of which reaches a vendor.
 */

jest.setTimeout(300_000);

type Obj = 'contact' | 'deal';
const OBJECTS: Obj[] = ['contact', 'deal'];
/** `first` values around the vendors' page boundaries (HubSpot 100, Salesforce 200); past 100 needs GRAPHQL_MAX_PAGE_SIZE. */
const SIZES = [1, 7, 99, 100, 101, 199, 200, 201];
const SEEDED = { contact: 206, deal: 204 };

let stack: ReadStack;
let t: ReadTenant;
let other: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('paging'),
    env: { GRAPHQL_MAX_PAGE_SIZE: '201' },
    orgs: {
      salesforce: [
        {
          id: 'default',
          seed: 5,
          counts: { Contact: SEEDED.contact, Opportunity: SEEDED.deal, Account: 10 },
        },
      ],
      hubspot: [{ id: 'default', seed: 5, counts: { contacts: SEEDED.contact, deals: SEEDED.deal } }],
      dynamics: [
        {
          id: 'default',
          seed: 5,
          counts: { contact: SEEDED.contact, opportunity: SEEDED.deal, account: 10 },
        },
      ],
    },
  });
  t = await stack.tenant('paging');
  other = await stack.tenant('other');
  // These cases are about where pages start and end, and take thousands of calls: limits lifted.
  for (const crm of READ_CRMS) await stack.unthrottle(crm, t.connections[crm]);
});
afterAll(() => stack?.close());

interface Edge {
  cursor: string;
  remoteId: string;
}
interface GraphPage {
  edges: Edge[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** One page through GraphQL; throws with the error code when the gateway refuses. */
async function page(
  url: string,
  key: string,
  obj: Obj,
  vars: { connectionId: string; first: number; after?: string | null; filter?: RecordFilter | null },
): Promise<GraphPage> {
  const res =
    obj === 'contact'
      ? await request(url, ContactCursorPageDocument, vars, { key })
      : await request(url, DealCursorPageDocument, vars, { key });
  const data = res.body.data as { contacts?: RawPage | null; deals?: RawPage | null } | null | undefined;
  const raw = obj === 'contact' ? data?.contacts : data?.deals;
  if (res.body.errors || !raw) {
    const code = String(res.body.errors?.[0]?.extensions?.code ?? 'NO_DATA');
    throw Object.assign(new Error(`${code}: ${res.body.errors?.[0]?.message ?? ''}`), { code });
  }
  return {
    edges: raw.edges.map((e) => ({ cursor: e.cursor, remoteId: e.node.remoteId })),
    hasNextPage: raw.pageInfo.hasNextPage,
    endCursor: raw.pageInfo.endCursor ?? null,
  };
}
interface RawPage {
  edges: { cursor: string; node: { remoteId: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

interface WalkOptions {
  /** Gateways to send the pages to, in turn. @defaultValue the stack's */
  urls?: string[];
  /** Runs after each page (pauses, clock moves). */
  between?: (pageNo: number) => Promise<void>;
}

/** Every remote id of a list, page by page; every third page resumes from its first edge's cursor. */
async function walk(
  crm: ReadCrm,
  obj: Obj,
  first: number,
  filter: RecordFilter | null,
  options: WalkOptions = {},
): Promise<string[]> {
  const urls = options.urls ?? [stack.url];
  const ids: string[] = [];
  let after: string | null = null;
  for (let n = 1; n <= 3_000; n += 1) {
    const got = await page(urls[n % urls.length]!, t.key, obj, {
      connectionId: t.connections[crm],
      first,
      after,
      filter,
    });
    expect(got.edges.length).toBeLessThanOrEqual(first);
    await options.between?.(n);
    if (n % 3 === 0 && got.edges.length > 1 && got.hasNextPage) {
      // Resume after the first edge: the rest of this page must come again, once.
      ids.push(got.edges[0]!.remoteId);
      after = got.edges[0]!.cursor;
      continue;
    }
    ids.push(...got.edges.map((e) => e.remoteId));
    if (!got.hasNextPage) return ids;
    expect(got.endCursor).not.toBeNull();
    after = got.endCursor;
  }
  throw new Error(`${crm} ${obj}s at first ${first} did not end within 3,000 pages`);
}

interface Variant {
  name: string;
  filter: RecordFilter | null;
  truth: string[];
}

/** The filters a client may combine, each with the sandbox's own answer. */
function variants(crm: ReadCrm, obj: Obj): Variant[] {
  const rows = rowsOf(stack, crm, obj);
  const live = rows.filter((r) => !r.deleted);
  const ids = (rs: SandboxRow[]) => rs.map((r) => r.remoteId);
  const named = live.find((r) => /^[a-z]{2}/i.test(obj === 'contact' ? (r.lastName ?? '') : (r.name ?? '')))!;
  const prefix = (obj === 'contact' ? named.lastName! : named.name!).slice(0, 2).toUpperCase();
  const matches = (r: SandboxRow) =>
    (obj === 'contact' ? namesOf(r) : [(r.name ?? '').toLowerCase()]).some((n) =>
      n.startsWith(prefix.toLowerCase()),
    );
  const stamps = live.map((r) => r.updatedAt).sort((a, b) => a - b);
  const since = stamps[Math.floor(stamps.length * 0.8)]!;
  const out: Variant[] = [
    { name: 'unfiltered', filter: null, truth: ids(live) },
    { name: 'with deleted', filter: { includeDeleted: true }, truth: ids(rows) },
    { name: `name prefix ${prefix}`, filter: { namePrefix: prefix }, truth: ids(live.filter(matches)) },
    {
      name: `name prefix ${prefix} with deleted`,
      filter: { namePrefix: prefix, includeDeleted: true },
      truth: ids(rows.filter(matches)),
    },
    {
      name: 'updated since the 80th percentile',
      filter: { updatedSince: new Date(since).toISOString() },
      truth: ids(live.filter((r) => r.updatedAt >= since)),
    },
  ];
  if (obj === 'contact') {
    const email = live.find((r) => r.email)!.email!;
    out.push({
      name: 'email',
      filter: { email: email.toUpperCase() },
      truth: ids(live.filter((r) => r.email?.toLowerCase() === email.toLowerCase())),
    });
  }
  return out;
}

/** "" when `ids` is exactly `truth` with nothing twice; else what is wrong. */
function compare(ids: string[], truth: string[]): string {
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i).length;
  const have = new Set(ids);
  const want = new Set(truth);
  const missing = truth.filter((id) => !have.has(id)).length;
  const extra = ids.filter((id) => !want.has(id)).length;
  return twice || missing || extra ? `${missing} missing, ${twice} twice, ${extra} not matching` : '';
}

describe.each(READ_CRMS)('paging %s through GraphQL', (crm) => {
  it.each(OBJECTS)(
    `pages %ss to the end at first ${SIZES.join(', ')} (deleted records alone from 7), with each filter: none missing, none twice`,
    async (obj) => {
      const problems: string[] = [];
      const cases = variants(crm, obj);
      expect(cases.every((v) => v.truth.length > 0)).toBe(true);
      for (const v of cases) {
        // One by one, with deleted records, is the unfiltered walk again plus the Recycle Bin (archived)
        // rows: the same cursor path at a quarter of `npm test`'s time for this file. Deleted rows are
        // still crossed one page boundary at a time from first 7 on, and one by one at the connector
        // level (conformance, list-paging.cases.ts).
        const sizes = v.filter?.includeDeleted && !v.filter.namePrefix ? SIZES.filter((n) => n > 1) : SIZES;
        for (const size of sizes) {
          const wrong = compare(await walk(crm, obj, size, v.filter), v.truth);
          if (wrong) problems.push(`${v.name} @${size}: ${wrong}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('twelve pagers of one org at once, each at its own page size and filter, each see every record once', async () => {
    const jobs = Array.from({ length: 12 }, (_, i) => {
      const obj = OBJECTS[i % 2]!;
      const v = variants(crm, obj)[i % 3]!;
      const size = [7, 13, 50, 99, 100, 101][i % 6]!;
      return { obj, v, size };
    });
    const results = await Promise.all(jobs.map((j) => walk(crm, j.obj, j.size, j.v.filter)));
    expect(results.map((ids, i) => compare(ids, jobs[i]!.v.truth))).toEqual(jobs.map(() => ''));
  });

  it('pages on across a pause longer than a Salesforce query cursor lives (three days of sandbox clock)', async () => {
    const admin = (path: string, body: unknown) =>
      fetch(`${stack.sandboxes.sandboxes[crm]!.baseUrl}/__sandbox/orgs/default/${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const threeDays = 3 * 24 * 3600_000;
    try {
      const ids = await walk(crm, 'contact', 40, null, {
        between: async (n) => {
          if (n === 1 || n === 3) await admin('clock', { advanceMs: threeDays });
        },
      });
      expect(compare(ids, variants(crm, 'contact')[0]!.truth)).toBe('');
    } finally {
      await admin('clock', { offsetMs: 0 });
    }
  });

  it('pages alternately on two gateways of one deployment: a cursor of one pages on the other', async () => {
    const peer = await stack.peer();
    try {
      const v = variants(crm, 'deal')[2]!;
      const ids = await walk(crm, 'deal', 7, v.filter, { urls: [stack.url, peer.url] });
      expect(compare(ids, v.truth)).toBe('');
      const all = await walk(crm, 'contact', 101, null, { urls: [peer.url, stack.url] });
      expect(compare(all, variants(crm, 'contact')[0]!.truth)).toBe('');
    } finally {
      await peer.close();
    }
  });
});

describe('forged and foreign cursors', () => {
  /** Flips one random bit of one character of the sealed part (to another base64url character). */
  function flip(cursor: string, rnd: () => number): string {
    const [format, kid, sealed] = cursor.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = Math.floor(rnd() * sealed.length);
    const swapped = alphabet[alphabet.indexOf(sealed[i]!) ^ (1 << Math.floor(rnd() * 6))]!;
    return `${format}.${kid}.${sealed.slice(0, i)}${swapped}${sealed.slice(i + 1)}`;
  }

  it('refuses 1,000 mutated, forged and foreign cursors with BAD_USER_INPUT, and none reaches a vendor', async () => {
    // Cursors this deployment issued: to this tenant for other lists, and to another tenant.
    const issued = async (tenant: ReadTenant, crm: ReadCrm, obj: Obj, filter: RecordFilter | null) => {
      const p = await page(stack.url, tenant.key, obj, {
        connectionId: tenant.connections[crm],
        first: 3,
        filter,
      });
      return [p.endCursor!, p.edges[1]!.cursor];
    };
    const own = await issued(t, 'salesforce', 'contact', null);
    const foreign = [
      ...(await issued(t, 'hubspot', 'contact', null)),
      ...(await issued(t, 'salesforce', 'deal', null)),
      ...(await issued(t, 'salesforce', 'contact', { namePrefix: 'a' })),
      ...(await issued(t, 'salesforce', 'contact', { includeDeleted: true })),
      ...(await issued(other, 'salesforce', 'contact', null)),
      ...(await issued(other, 'hubspot', 'contact', null)),
    ];
    // The unsealed forms of the past, and what an attacker writes by hand.
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const forged = [
      b64({ l: '?q=SELECT Id, Username, Email FROM User', s: 0 }),
      b64({ l: '../../sobjects/User', s: 0 }),
      b64({ v: b64({ l: null, s: 0 }), s: 0, p: 2000 }),
      b64({ v: null, s: 0, p: 2000 }),
      b64({ v: 1, phase: 'live', after: '1' }),
      'c1.k.' + b64([null, 0, 2000]),
      'c1.nokey.' + crypto.randomBytes(60).toString('base64url'),
      'c1..' + own[0]!.split('.')[2],
      own[0]!.replace(/^c1/, 'c2'),
      own[0]! + 'A',
      own[0]!.slice(0, -4),
      'x'.repeat(5_000),
      '',
      '%00',
      '../../../',
    ];
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const cases: string[] = [...foreign, ...forged];
    while (cases.length < 1_000) cases.push(flip(own[cases.length % 2]!, rnd));

    stack.clearLogs();
    const codes = new Map<string, number>();
    for (let i = 0; i < cases.length; i += 20) {
      const batch = cases.slice(i, i + 20);
      const outcomes = await Promise.all(
        batch.map((after) =>
          page(stack.url, t.key, 'contact', { connectionId: t.connections.salesforce, first: 5, after }).then(
            () => 'ACCEPTED',
            (err: { code?: string }) => err.code ?? 'THROWN',
          ),
        ),
      );
      for (const code of outcomes) codes.set(code, (codes.get(code) ?? 0) + 1);
    }
    expect(Object.fromEntries(codes)).toEqual({ BAD_USER_INPUT: 1_000 });
    expect({ salesforce: stack.calls('salesforce'), hubspot: stack.calls('hubspot') }).toEqual({
      salesforce: 0,
      hubspot: 0,
    });
    // And the genuine cursor still pages.
    const ok = await page(stack.url, t.key, 'contact', {
      connectionId: t.connections.salesforce,
      first: 5,
      after: own[0],
    });
    expect(ok.edges).toHaveLength(5);
  });

  it('refuses a forged cursor on a connection never read before without even a metadata call', async () => {
    const cold = await stack.tenant('cold');
    stack.clearLogs();
    for (const crm of READ_CRMS) {
      await expect(
        page(stack.url, cold.key, 'contact', {
          connectionId: cold.connections[crm],
          first: 5,
          after: 'c1.k.AAAA',
        }),
      ).rejects.toThrow(/^BAD_USER_INPUT/);
    }
    expect({ salesforce: stack.calls('salesforce'), hubspot: stack.calls('hubspot') }).toEqual({
      salesforce: 0,
      hubspot: 0,
    });
  });

  it('says plainly that a cursor does not belong to this list', async () => {
    const p = await page(stack.url, other.key, 'contact', {
      connectionId: other.connections.hubspot,
      first: 2,
    });
    await expect(
      page(stack.url, t.key, 'contact', {
        connectionId: t.connections.hubspot,
        first: 2,
        after: p.endCursor,
      }),
    ).rejects.toThrow(/^BAD_USER_INPUT: after: this cursor does not belong to this list/);
  });
});
