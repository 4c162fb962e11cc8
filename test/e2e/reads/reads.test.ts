import {
  ContactByIdDocument,
  ContactPageDocument,
  ContactsByRemoteIdsDocument,
  ContactsWithDealsDocument,
  DealByIdDocument,
  DealPageDocument,
  DealsByRemoteIdsDocument,
  DealsWithDeletedDocument,
  type ContactPageQuery,
  type DealPageQuery,
  DealStagesDocument,
  FieldMappingDocument,
  FieldMetadataDocument,
  TwoConnectionsDocument,
  UpdateFieldMappingDocument,
} from '../generated/operations';
import { CRM_KINDS, CRMS } from '../../../src/connectors/registry';
import { type HttpResult, request } from '../support/gateway';
import { CRM_SCENARIOS, METADATA_ROUTES, SEEDED } from '../support/crm-scenarios';
import {
  READ_CRMS,
  type ReadCrm,
  type ReadStack,
  type ReadTenant,
  startReadStack,
} from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { namesOf, rowsOf, type SandboxRow } from '../support/sandbox-rows';

jest.setTimeout(60_000);

/**
 * One suite over every read CRM: what differs between CRMs is a row of `CRM_SCENARIOS`
 * (test/e2e/support/crm-scenarios.ts), so a new CRM is covered by adding its row. The cases that need two
 * CRMs at once take the first two read CRMs.
 */
const [FIRST, SECOND] = READ_CRMS;
/** The CRMs whose row lists fields to check mapping overrides against. */
const MAPPING_CHECKED = READ_CRMS.filter((crm) => CRM_SCENARIOS[crm].mappingChecks);

let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('reads'),
    orgs: Object.fromEntries(READ_CRMS.map((crm) => [crm, [CRM_SCENARIOS[crm].org]])),
  });
  t = await stack.tenant('reads');
  // Where the account has one currency, the first deal read describes the deal object and asks the
  // account its currency, keeping both per connection like other metadata: asked here, so the call
  // counts below are of data calls alone.
  for (const crm of READ_CRMS.filter((c) => CRM_SCENARIOS[c].accountCurrency !== null)) {
    await request(
      stack.url,
      DealPageDocument,
      { connectionId: t.connections[crm], first: 1 },
      { key: t.key },
    );
  }
});
afterAll(() => stack?.close());
afterEach(async () => {
  for (const crm of READ_CRMS) await stack.setFaults(crm, null);
});

const sandboxRows = (crm: ReadCrm, object: 'contact' | 'deal'): SandboxRow[] => rowsOf(stack, crm, object);

const sorted = (ids: string[]): string[] => [...ids].sort();

/** The data calls (metadata apart) each route took since the last clear. */
function dataCalls(crm: ReadCrm): Record<string, number> {
  return Object.fromEntries(Object.entries(stack.callLog(crm)).filter(([k]) => !METADATA_ROUTES.test(k)));
}

/**
 * A pushed-down filter's page took the CRM's minimum of data calls, on its filtered route: one, or —
 * for a search that answers ids (`searchPageCalls`) — the search and one read of those ids.
 */
function expectFilteredCalls(crm: ReadCrm, route: RegExp, kind: 'search' | 'modifiedSince'): void {
  const calls = dataCalls(crm);
  const expected = kind === 'search' ? (CRM_SCENARIOS[crm].searchPageCalls ?? 1) : 1;
  expect({ crm, calls: Object.values(calls).reduce((n, v) => n + v, 0) }).toEqual({ crm, calls: expected });
  expect(Object.keys(calls)[0]).toMatch(route);
}

it('covers every registered connector with a read scenario', () => {
  expect([...CRM_KINDS].sort()).toEqual([...READ_CRMS].sort());
  expect(Object.keys(CRM_SCENARIOS).sort()).toEqual([...READ_CRMS].sort());
});

describe.each(READ_CRMS)('reads on %s', (crm) => {
  const scenario = CRM_SCENARIOS[crm];
  it('lists contacts with their deals and the deals’ contacts, batched onto bulk calls', async () => {
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactsWithDealsDocument,
      { connectionId: t.connections[crm], first: 50 },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data!.contacts!.nodes;
    expect(nodes).toHaveLength(50);
    const deals = nodes.flatMap((c) => c.deals ?? []);
    expect(deals.length).toBeGreaterThan(0);
    for (const c of nodes) {
      expect(c.connectionId).toBe(t.connections[crm]);
      for (const d of c.deals ?? []) expect(d.contacts!.map((x) => x.remoteId)).toContain(c.remoteId);
    }
    const amounts = deals.map((d) => d.amount).filter((a): a is string => a !== null);
    for (const a of amounts) expect(a).toMatch(/^-?\d+(\.\d+)?$/);
    expect(amounts.length).toBeGreaterThan(0);
    // An amount means nothing without its currency: the deal's own, or the account's one currency.
    for (const d of deals.filter((x) => x.amount !== null)) {
      expect({ deal: d.remoteId, currency: d.currency }).toEqual({
        deal: d.remoteId,
        currency: scenario.accountCurrency ?? expect.stringMatching(/^[A-Z]{3}$/),
      });
    }
    // Status is derived per CRM (closed/won flags, or the pipeline stage's metadata).
    for (const d of deals) expect(['OPEN', 'WON', 'LOST']).toContain(d.status);
    // One list call, one association call per level, one bulk read per object (every level has fewer
    // ids than one batch): five data calls, never one per row — four when every deal's contact is one
    // of the listed contacts, which the read already holds (a CRM with one contact per deal).
    // Metadata (property lists, describes, pipelines for the stage → status table) is counted apart.
    const listed = new Set(nodes.map((c) => c.remoteId));
    const unlisted = deals.flatMap((d) => d.contacts ?? []).filter((c) => !listed.has(c.remoteId));
    const data = Object.entries(stack.callLog(crm)).filter(([k]) => !METADATA_ROUTES.test(k));
    // A CRM without a batch read of contacts' deals takes more calls at that level (Pipedrive: one per
    // contact; its declaration says how many contacts one such read takes).
    const { batch } = CRMS[crm];
    const contactDealsCalls = Math.ceil(nodes.length / (batch.contactDeals ?? batch.read));
    expect({ crm, calls: data.reduce((n, [, v]) => n + v, 0) }).toEqual({
      crm,
      calls: (unlisted.length > 0 ? 4 : 3) + contactDealsCalls,
    });
  });

  it('paginates to the end with no record twice', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: HttpResult<DealPageQuery> = await request(
        stack.url,
        DealPageDocument,
        { connectionId: t.connections[crm], first: 15, after },
        { key: t.key },
      );
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data!.deals!;
      for (const d of page.nodes) {
        expect(seen.has(d.id)).toBe(false);
        seen.add(d.id);
      }
      // Relay PageInfo, forward-only: only the first page has nothing before it.
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      if (page.edges.length > 0) expect(page.pageInfo.startCursor).not.toBeNull();
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      expect(page.nodes).toHaveLength(15);
      after = page.pageInfo.endCursor ?? null;
      expect(pages).toBeLessThan(20);
    }
    expect(seen.size).toBe(stack.liveCount(crm, 'deal'));
  });

  it('reads one record by id and many by remote id, with null for a miss', async () => {
    const page = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 3 },
      { key: t.key },
    );
    const [first, second] = page.body.data!.contacts!.edges.map((e) => e.node);
    const one = await request(stack.url, ContactByIdDocument, { id: first!.id }, { key: t.key });
    expect(one.body.data!.contact).toMatchObject({
      id: first!.id,
      remoteId: first!.remoteId,
      email: first!.email,
    });

    const many = await request(
      stack.url,
      ContactsByRemoteIdsDocument,
      { connectionId: t.connections[crm], remoteIds: [second!.remoteId, 'no-such-id-0000', first!.remoteId] },
      { key: t.key },
    );
    expect(many.body.errors).toBeUndefined();
    expect(many.body.data!.contactsByRemoteIds!.map((c) => c?.remoteId ?? null)).toEqual([
      second!.remoteId,
      null,
      first!.remoteId,
    ]);

    const asDeal = await request(stack.url, DealByIdDocument, { id: first!.id }, { key: t.key });
    expect(asDeal.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('reads one deal by id, with its contacts, and many deals by remote id, with null for a miss', async () => {
    const c = t.connections[crm];
    const page = await request(stack.url, DealPageDocument, { connectionId: c, first: 3 }, { key: t.key });
    expect(page.body.errors).toBeUndefined();
    const [first, second] = page.body.data!.deals!.nodes;

    const one = await request(stack.url, DealByIdDocument, { id: first!.id }, { key: t.key });
    expect(one.body.errors).toBeUndefined();
    const deal = one.body.data!.deal!;
    expect(deal).toMatchObject({
      id: first!.id,
      remoteId: first!.remoteId,
      connectionId: c,
      name: first!.name,
      amount: first!.amount,
      currency: first!.currency,
      stage: first!.stage,
      status: first!.status,
    });
    // Its contacts are the ones the nested list shows for it.
    const listed = await request(
      stack.url,
      ContactsWithDealsDocument,
      { connectionId: c, first: 60 },
      { key: t.key },
    );
    const expected = listed.body
      .data!.contacts!.nodes.filter((x) => (x.deals ?? []).some((d) => d.remoteId === deal.remoteId))
      .map((x) => x.remoteId)
      .sort();
    expect((deal.contacts ?? []).map((x) => x.remoteId).sort()).toEqual(expected);

    const many = await request(
      stack.url,
      DealsByRemoteIdsDocument,
      { connectionId: c, remoteIds: [second!.remoteId, 'no-such-id-0000', first!.remoteId] },
      { key: t.key },
    );
    expect(many.body.errors).toBeUndefined();
    const found = many.body.data!.dealsByRemoteIds!;
    expect(found.map((d) => d?.remoteId ?? null)).toEqual([second!.remoteId, null, first!.remoteId]);
    expect(found[0]).toMatchObject({ id: second!.id, name: second!.name, amount: second!.amount });
    expect(found[2]).toMatchObject({ id: first!.id, currency: first!.currency });
  });

  it('finds a contact by email in one vendor call that returns only that contact', async () => {
    const target = sandboxRows(crm, 'contact').find((r) => !r.deleted && r.email)!;
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactPageDocument,
      // Another case than stored: email matches case-insensitively at both vendors and here.
      { connectionId: t.connections[crm], first: 10, filter: { email: target.email!.toUpperCase() } },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.contacts!;
    expect(page.edges.map((e) => e.node.remoteId)).toEqual([target.remoteId]);
    // Pushed down: the CRM returned the match alone (nothing dropped after fetch), in one call.
    expect(page.pageInfo.filteredOut).toBe(0);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expectFilteredCalls(crm, scenario.filteredRoute, 'search');
  });

  it('filters by name prefix at the CRM, returning exactly the sandbox’s matches', async () => {
    const rows = sandboxRows(crm, 'contact').filter((r) => !r.deleted);
    const target = rows.find((r) => /^[a-z]{3}/i.test(r.lastName ?? ''))!;
    const prefix = target.lastName!.slice(0, 3).toUpperCase();
    const expected = rows.filter((r) => namesOf(r).some((n) => n.startsWith(prefix.toLowerCase())));
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 100, filter: { namePrefix: prefix } },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.contacts!;
    expect(page.edges.map((e) => e.node.remoteId)).toEqual(expected.map((r) => r.remoteId));
    // A prefix operator is the exact rule; a word-token search also finds a later word starting with
    // the prefix, which the gateway drops after fetch — and nothing else.
    const tokenOnly =
      scenario.namePrefix === 'word-token'
        ? rows.filter(
            (r) =>
              !expected.includes(r) &&
              [r.firstName, r.lastName].some((n) =>
                (n ?? '')
                  .toLowerCase()
                  .split(/[^\p{L}\p{N}]+/u)
                  .some((w) => w.startsWith(prefix.toLowerCase())),
              ),
          ).length
        : 0;
    expect(page.pageInfo.filteredOut).toBe(tokenOnly);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.pageInfo.hasPreviousPage).toBe(false);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expectFilteredCalls(crm, scenario.filteredRoute, 'search');
  });

  it('filters after fetch by a name prefix the CRM cannot take, and says how many it dropped', async () => {
    const all = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 60 },
      { key: t.key },
    );
    const target = all.body.data!.contacts!.edges.find(
      (e) => /^[a-z]+$/i.test(e.node.firstName ?? '') && /^[a-z]/i.test(e.node.lastName ?? ''),
    )!.node;
    // "First L": a full-name prefix with a space. A word-token search cannot take it (after fetch only);
    // a CRM with a prefix operator is asked for first name = first word, or last name.
    const prefix = `${target.firstName} ${(target.lastName ?? '').slice(0, 1)}`;
    const expected = all.body.data!.contacts!.edges.filter((e) =>
      [e.node.firstName, e.node.lastName, `${e.node.firstName} ${e.node.lastName}`].some((n) =>
        (n ?? '').toLowerCase().startsWith(prefix.toLowerCase()),
      ),
    );
    expect(expected.map((e) => e.node.id)).toContain(target.id);
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 100, filter: { namePrefix: prefix } },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.contacts!;
    expect(page.edges.map((e) => e.node.id)).toEqual(expected.map((e) => e.node.id));
    const sameFirst = all.body.data!.contacts!.edges.filter((e) =>
      [e.node.firstName ?? '', e.node.lastName ?? ''].some((n, i) =>
        n.toLowerCase().startsWith((i === 0 ? target.firstName! : prefix).toLowerCase()),
      ),
    );
    expect(page.pageInfo.filteredOut).toBe(
      scenario.spacedNamePrefix === 'after-fetch'
        ? SEEDED.contacts - expected.length
        : sameFirst.length - expected.length,
    );
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('includes deleted records only when asked, with deletedAt, and filters by updatedSince', async () => {
    const c = t.connections[crm];
    const live = await request(
      stack.url,
      DealsWithDeletedDocument,
      { connectionId: c, first: 100 },
      { key: t.key },
    );
    const all = await request(
      stack.url,
      DealsWithDeletedDocument,
      { connectionId: c, first: 100, filter: { includeDeleted: true } },
      { key: t.key },
    );
    expect(all.body.errors).toBeUndefined();
    const liveNodes = live.body.data!.deals!.nodes;
    const allNodes = all.body.data!.deals!.nodes;
    expect(liveNodes.every((d) => !d.isDeleted && d.deletedAt === null)).toBe(true);
    const deleted = allNodes.filter((d) => d.isDeleted);
    expect(deleted.length).toBe(SEEDED.deals - stack.liveCount(crm, 'deal'));
    for (const d of deleted) expect(d.deletedAt).not.toBeNull();

    const rows = sandboxRows(crm, 'deal');
    const times = rows
      .filter((r) => !r.deleted)
      .map((r) => r.updatedAt)
      .sort((a, b) => a - b);
    const since = new Date(times[Math.floor(times.length / 2)]!);
    stack.clearLogs();
    const recent = await request(
      stack.url,
      DealsWithDeletedDocument,
      { connectionId: c, first: 100, filter: { updatedSince: since.toISOString() } },
      { key: t.key },
    );
    expect(recent.body.errors).toBeUndefined();
    const expected = rows.filter((r) => !r.deleted && r.updatedAt >= since.getTime());
    expect(sorted(recent.body.data!.deals!.nodes.map((d) => d.remoteId))).toEqual(
      sorted(expected.map((r) => r.remoteId)),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(liveNodes.length);
    // Pushed down (on the CRM's modification timestamp): nothing dropped after fetch.
    expect(recent.body.data!.deals!.pageInfo.filteredOut).toBe(0);
    expectFilteredCalls(crm, scenario.filteredRoute, 'modifiedSince');

    // With deleted records too: a query that covers deleted records takes the filter; a search without
    // archived records cannot, so the list endpoint is read and the gateway filters after fetch.
    stack.clearLogs();
    const withDeleted = await request(
      stack.url,
      DealsWithDeletedDocument,
      { connectionId: c, first: 100, filter: { updatedSince: since.toISOString(), includeDeleted: true } },
      { key: t.key },
    );
    expect(withDeleted.body.errors).toBeUndefined();
    const expectedAll = rows.filter((r) => r.updatedAt >= since.getTime());
    expect(sorted(withDeleted.body.data!.deals!.nodes.map((d) => d.remoteId))).toEqual(
      sorted(expectedAll.map((r) => r.remoteId)),
    );
    expect(withDeleted.body.data!.deals!.pageInfo.filteredOut).toBe(
      scenario.updatedSinceWithDeleted === 'after-fetch' ? SEEDED.deals - expectedAll.length : 0,
    );
    expect(Object.keys(dataCalls(crm)).some((k) => /search/.test(k))).toBe(false);
  });

  it('pages a filtered list to the end, and refuses its cursor with another filter', async () => {
    const rows = sandboxRows(crm, 'contact').filter((r) => !r.deleted);
    const times = rows.map((r) => r.updatedAt).sort((a, b) => a - b);
    const since = new Date(times[Math.floor(times.length / 3)]!);
    const expected = rows.filter((r) => r.updatedAt >= since.getTime()).map((r) => r.remoteId);
    expect(expected.length).toBeGreaterThan(14);
    const filter = { updatedSince: since.toISOString() };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    let firstCursor: string | null = null;
    for (;;) {
      const res: HttpResult<ContactPageQuery> = await request(
        stack.url,
        ContactPageDocument,
        { connectionId: t.connections[crm], first: 7, after, filter },
        { key: t.key },
      );
      expect(res.body.errors).toBeUndefined();
      const page = res.body.data!.contacts!;
      seen.push(...page.edges.map((e) => e.node.remoteId));
      expect(page.pageInfo.scanLimitReached).toBe(false);
      pages += 1;
      firstCursor ??= page.pageInfo.endCursor ?? null;
      if (!page.pageInfo.hasNextPage) break;
      expect(page.edges).toHaveLength(7);
      after = page.pageInfo.endCursor ?? null;
      expect(pages).toBeLessThan(20);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(sorted(seen)).toEqual(sorted(expected));
    expect(pages).toBe(Math.ceil(expected.length / 7) + (expected.length % 7 === 0 ? 1 : 0));

    for (const other of [{ namePrefix: 'a' }, { updatedSince: new Date(0).toISOString() }, null]) {
      const res = await request(
        stack.url,
        ContactPageDocument,
        { connectionId: t.connections[crm], first: 7, after: firstCursor, filter: other },
        { key: t.key },
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toMatch(/does not belong to this list/);
    }
  });

  it('dealStages and fieldMetadata describe the CRM', async () => {
    const stages = await request(
      stack.url,
      DealStagesDocument,
      { connectionId: t.connections[crm] },
      { key: t.key },
    );
    expect(stages.body.errors).toBeUndefined();
    expect(stages.body.data!.dealStages!.length).toBeGreaterThan(2);
    const fields = await request(
      stack.url,
      FieldMetadataDocument,
      { connectionId: t.connections[crm], object: 'DEAL' },
      { key: t.key },
    );
    expect(fields.body.errors).toBeUndefined();
    const meta = fields.body.data!.fieldMetadata!;
    expect(meta.find((f) => f.canonical === 'amount')).toBeDefined();
    const stageField = meta.find((f) => f.canonical === 'stage');
    expect(stageField?.picklistValues?.length ?? 0).toBeGreaterThan(0);
  });
});

describe('across connections and tenants', () => {
  it('keeps tenants apart: another tenant’s connection and record ids are NOT_FOUND', async () => {
    const other = await stack.tenant('other');
    const mine = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[FIRST], first: 1 },
      { key: t.key },
    );
    const record = mine.body.data!.contacts!.edges[0]!.node;

    const list = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[FIRST], first: 1 },
      { key: other.key },
    );
    expect(list.body.data!.contacts).toBeNull();
    expect(list.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const byId = await request(stack.url, ContactByIdDocument, { id: record.id }, { key: other.key });
    expect(byId.body.data!.contact).toBeNull();
    expect(byId.body.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    // Its own connection to the same CRM account works, under its own ids.
    const own = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: other.connections[FIRST], first: 1 },
      { key: other.key },
    );
    expect(own.body.data!.contacts!.edges[0]!.node.remoteId).toBe(record.remoteId);
    expect(own.body.data!.contacts!.edges[0]!.node.id).not.toBe(record.id);
  });

  it('says NEEDS_REAUTH for a connection whose refresh token was refused', async () => {
    const u = await stack.tenant('reauth');
    await stack.ctx.store.connections.setStatus(
      u.connections[SECOND],
      'NEEDS_REAUTH',
      'refresh token revoked',
    );
    const res = await request(
      stack.url,
      TwoConnectionsDocument,
      { a: u.connections[FIRST], b: u.connections[SECOND] },
      { key: u.key },
    );
    expect(res.body.data!.a!.nodes).toHaveLength(3);
    expect(res.body.data!.b).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('NEEDS_REAUTH');
    expect(res.body.errors![0]!.message).toMatch(/authorized again/);
  });
});

describe.each(READ_CRMS)('field mappings on %s', (crm) => {
  const { customField } = CRM_SCENARIOS[crm];

  it(`a newly mapped native field (${customField.native}) is read and lands in customFields`, async () => {
    const u = await stack.tenant(`custom-${crm}`);
    const connectionId = u.connections[crm];
    const updated = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [
          {
            canonical: `customFields.${customField.key}`,
            native: customField.native,
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
        ],
      },
      { key: u.key },
    );
    expect(updated.body.errors).toBeUndefined();
    const res = await request(
      stack.url,
      ContactsWithDealsDocument,
      { connectionId, first: customField.first },
      { key: u.key },
    );
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data!.contacts!.nodes;
    if (customField.expect === 'equals-title') {
      for (const c of nodes) expect(c.customFields[customField.key] ?? null).toBe(c.title);
    } else {
      const values = nodes.map((c) => c.customFields[customField.key]);
      expect(values.some((v) => typeof v === 'string' && v.length > 0)).toBe(true);
      for (const c of nodes) expect(c.customFields).toHaveProperty(customField.key);
    }
  });
});

describe.each(MAPPING_CHECKED)('field mapping overrides on %s', (crm) => {
  const checks = CRM_SCENARIOS[crm].mappingChecks!;

  it('an update changes what queries return, custom fields included', async () => {
    const u = await stack.tenant(`mapping-${crm}`);
    const connectionId = u.connections[crm];
    const before = await request(stack.url, ContactPageDocument, { connectionId, first: 1 }, { key: u.key });
    const contact = before.body.data!.contacts!.edges[0]!.node;
    const updated = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [
          {
            canonical: 'title',
            native: checks.emailField,
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
          {
            canonical: 'customFields.accountRef',
            native: checks.referenceField,
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
        ],
      },
      { key: u.key },
    );
    expect(updated.body.errors).toBeUndefined();
    expect(updated.body.data!.updateFieldMapping.version).toBe(1);
    const after = await request(stack.url, ContactByIdDocument, { id: contact.id }, { key: u.key });
    expect(after.body.data!.contact!.title).toBe(contact.email);
    expect(after.body.data!.contact!.customFields).toHaveProperty('accountRef');

    const view = await request(
      stack.url,
      FieldMappingDocument,
      { connectionId, object: 'CONTACT' },
      { key: u.key },
    );
    expect(view.body.data!.fieldMapping.fields.find((f) => f.canonical === 'title')).toMatchObject({
      native: checks.emailField,
      overridden: true,
    });
    // Another tenant's connection to the same account keeps the defaults.
    const theirs = await request(
      stack.url,
      ContactsByRemoteIdsDocument,
      { connectionId: t.connections[crm], remoteIds: [contact.remoteId] },
      { key: t.key },
    );
    expect(theirs.body.data!.contactsByRemoteIds![0]!.email).toBe(contact.email);
    const theirsView = await request(
      stack.url,
      FieldMappingDocument,
      { connectionId: t.connections[crm], object: 'CONTACT' },
      { key: t.key },
    );
    expect(theirsView.body.data!.fieldMapping.version).toBe(0);
  });

  it.each([
    [
      {
        canonical: 'customFields.x',
        native: checks.unknownField,
        transform: { kind: 'string' },
        source: 'CRM',
        writable: false,
      },
      new RegExp(`no contact field "${checks.unknownField}"`),
    ],
    [
      {
        canonical: 'title',
        native: checks.emailField,
        transform: { kind: 'boolean', native: 'boolean' },
        source: 'CRM',
        writable: false,
      },
      new RegExp(`cannot read ${checks.emailField} of type ${checks.emailFieldType}`),
    ],
  ])('rejects an override the CRM contradicts: %j', async (override, message) => {
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      { connectionId: t.connections[crm], object: 'CONTACT', overrides: [override] },
      { key: t.key },
    );
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toMatch(message);
  });

  it('rejects a picklist value the CRM does not have, naming it', async () => {
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId: t.connections[crm],
        object: 'DEAL',
        overrides: [
          {
            canonical: 'stage',
            native: checks.stageField,
            transform: { kind: 'picklist', values: { 'Made Up Stage': 'made-up' }, unknown: 'passthrough' },
            source: 'CRM',
            writable: false,
          },
        ],
      },
      { key: t.key },
    );
    expect(res.body.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors![0]!.message).toMatch(/no picklist value "Made Up Stage"/);
  });
});

describe('field mappings', () => {
  it('a read-only key cannot change mappings', async () => {
    const ro = await stack.tenant('readonly', 'read');
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      { connectionId: ro.connections[SECOND], object: 'CONTACT', overrides: [] },
      { key: ro.key },
    );
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });
});

// Last: a rate-limit storm blocks the second CRM account's budget for a while, for every connection to it.
describe('vendor failures', () => {
  it('fails only the field whose CRM fails, with its code and a retry-after hint', async () => {
    await stack.setFaults(SECOND, { rateLimitStormMs: 60_000 });
    const res = await request(
      stack.url,
      TwoConnectionsDocument,
      { a: t.connections[FIRST], b: t.connections[SECOND] },
      { key: t.key },
    );
    expect(res.body.data!.a!.nodes).toHaveLength(3);
    expect(res.body.data!.b).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error!.path).toEqual(['b']);
    expect(error!.extensions!.code).toBe('RATE_LIMITED');
    expect(error!.extensions!.retryAfterMs).toEqual(expect.any(Number));
  });

  it('moves a connection whose refresh token the CRM refuses to NEEDS_REAUTH and says so', async () => {
    const base = `${stack.sandboxes.sandboxes[FIRST]!.baseUrl}/__sandbox/orgs/default`;
    for (const path of ['/tokens/revoke', '/tokens/expire']) {
      expect((await fetch(`${base}${path}`, { method: 'POST' })).ok).toBe(true);
    }
    const first = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[FIRST], first: 1 },
      { key: t.key },
    );
    expect(first.body.errors![0]!.extensions!.code).toBe('NEEDS_REAUTH');
    expect((await stack.ctx.store.connections.getById(t.connections[FIRST])).status).toBe('NEEDS_REAUTH');
    stack.clearLogs();
    const again = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[FIRST], first: 1 },
      { key: t.key },
    );
    expect(again.body.errors![0]!.extensions!.code).toBe('NEEDS_REAUTH');
    expect(stack.calls(FIRST)).toBe(0);
  });
});
