import {
  ContactByIdDocument,
  ContactPageDocument,
  ContactsByRemoteIdsDocument,
  ContactsWithDealsDocument,
  DealByIdDocument,
  DealPageDocument,
  DealStagesDocument,
  FieldMappingDocument,
  FieldMetadataDocument,
  TwoConnectionsDocument,
  UpdateFieldMappingDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { READ_CRMS, type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

const METADATA_ROUTES = /properties|pipelines|describe/;

let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('reads'),
    orgs: {
      salesforce: [{ id: 'default', seed: 7, counts: { Contact: 60, Opportunity: 40, Account: 10 } }],
      hubspot: [{ id: 'default', seed: 7, counts: { contacts: 60, deals: 40 } }],
    },
  });
  t = await stack.tenant('reads');
});
afterAll(() => stack?.close());
afterEach(async () => {
  for (const crm of READ_CRMS) await stack.setFaults(crm, null);
});

describe.each(READ_CRMS)('reads on %s', (crm) => {
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
    // One list call, one association call per level, one bulk read per object (every level has fewer
    // ids than one batch): five data calls, never one per row. Metadata (HubSpot's property list and
    // pipelines for the stage → status table) is counted apart.
    const data = Object.entries(stack.callLog(crm)).filter(([k]) => !METADATA_ROUTES.test(k));
    expect({ crm, calls: data.reduce((n, [, v]) => n + v, 0) }).toEqual({ crm, calls: 5 });
  });

  it('paginates to the end with no record twice', async () => {
    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res = await request(
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

  it('filters after fetch by name prefix and says how many it dropped', async () => {
    const all = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 60 },
      { key: t.key },
    );
    const target = all.body.data!.contacts!.edges[10]!.node;
    const prefix = (target.lastName ?? '').slice(0, 3);
    const expected = all.body.data!.contacts!.edges.filter((e) =>
      [e.node.firstName, e.node.lastName, `${e.node.firstName} ${e.node.lastName}`].some((n) =>
        (n ?? '').toLowerCase().startsWith(prefix.toLowerCase()),
      ),
    );
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 100, filter: { namePrefix: prefix } },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const page = res.body.data!.contacts!;
    expect(page.edges.map((e) => e.node.id)).toEqual(expected.map((e) => e.node.id));
    expect(page.pageInfo.filteredOut).toBe(60 - expected.length);
    expect(page.pageInfo.hasNextPage).toBe(false);
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
