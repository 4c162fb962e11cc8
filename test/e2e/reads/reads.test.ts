import {
  ContactByIdDocument,
  ContactPageDocument,
  ContactsByRemoteIdsDocument,
  ContactsWithDealsDocument,
  DealByIdDocument,
  DealPageDocument,
  DealsByRemoteIdsDocument,
  DealsWithDeletedDocument,
  type DealPageQuery,
  DealStagesDocument,
  FieldMappingDocument,
  FieldMetadataDocument,
  TwoConnectionsDocument,
  UpdateFieldMappingDocument,
} from '../generated/operations';
import { type HttpResult, request } from '../support/gateway';
import { READ_CRMS, type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

const METADATA_ROUTES = /properties|pipelines|describe/;
/** The Salesforce sandbox org is single-currency (no CurrencyIsoCode): the connector learns its currency. */
const SALESFORCE_ORG_CURRENCY = 'EUR';

let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('reads'),
    orgs: {
      salesforce: [
        {
          id: 'default',
          seed: 7,
          counts: { Contact: 60, Opportunity: 40, Account: 10 },
          settings: { currency: SALESFORCE_ORG_CURRENCY },
        },
      ],
      hubspot: [{ id: 'default', seed: 7, counts: { contacts: 60, deals: 40 } }],
    },
  });
  t = await stack.tenant('reads');
  // The connector asks the org its currency on the first deal read and keeps it per connection, like
  // other metadata: asked here, so the call counts below are of data calls alone.
  await request(
    stack.url,
    DealPageDocument,
    { connectionId: t.connections.salesforce, first: 1 },
    { key: t.key },
  );
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
    expect(amounts.length).toBeGreaterThan(0);
    // An amount means nothing without its currency: HubSpot's per deal, the org's on Salesforce.
    for (const d of deals.filter((x) => x.amount !== null)) {
      expect({ deal: d.remoteId, currency: d.currency }).toEqual({
        deal: d.remoteId,
        currency: crm === 'salesforce' ? SALESFORCE_ORG_CURRENCY : expect.stringMatching(/^[A-Z]{3}$/),
      });
    }
    // Status is derived per CRM (Salesforce IsClosed/IsWon, HubSpot's pipeline stage metadata).
    for (const d of deals) expect(['OPEN', 'WON', 'LOST']).toContain(d.status);
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
    expect(page.pageInfo.hasPreviousPage).toBe(false);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
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
    expect(deleted.length).toBe(40 - stack.liveCount(crm, 'deal'));
    for (const d of deleted) expect(d.deletedAt).not.toBeNull();

    const times = liveNodes.map((d) => d.updatedAt!).sort();
    const since = times[Math.floor(times.length / 2)]!;
    const recent = await request(
      stack.url,
      DealsWithDeletedDocument,
      { connectionId: c, first: 100, filter: { updatedSince: since } },
      { key: t.key },
    );
    const nodes = recent.body.data!.deals!.nodes;
    expect(nodes.length).toBe(times.filter((x) => x >= since).length);
    expect(recent.body.data!.deals!.pageInfo.filteredOut).toBe(liveNodes.length - nodes.length);
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
      { connectionId: t.connections.salesforce, first: 1 },
      { key: t.key },
    );
    const record = mine.body.data!.contacts!.edges[0]!.node;

    const list = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.salesforce, first: 1 },
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
      { connectionId: other.connections.salesforce, first: 1 },
      { key: other.key },
    );
    expect(own.body.data!.contacts!.edges[0]!.node.remoteId).toBe(record.remoteId);
    expect(own.body.data!.contacts!.edges[0]!.node.id).not.toBe(record.id);
  });

  it('says NEEDS_REAUTH for a connection whose refresh token was refused', async () => {
    const u = await stack.tenant('reauth');
    await stack.ctx.store.connections.setStatus(
      u.connections.hubspot,
      'NEEDS_REAUTH',
      'refresh token revoked',
    );
    const res = await request(
      stack.url,
      TwoConnectionsDocument,
      { a: u.connections.salesforce, b: u.connections.hubspot },
      { key: u.key },
    );
    expect(res.body.data!.a!.nodes).toHaveLength(3);
    expect(res.body.data!.b).toBeNull();
    expect(res.body.errors![0]!.extensions!.code).toBe('NEEDS_REAUTH');
    expect(res.body.errors![0]!.message).toMatch(/authorized again/);
  });
});

describe('field mappings', () => {
  it('an update changes what queries return, custom fields included', async () => {
    const u = await stack.tenant('mapping');
    const connectionId = u.connections.salesforce;
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
            native: 'Email',
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
          {
            canonical: 'customFields.accountRef',
            native: 'AccountId',
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
      native: 'Email',
      overridden: true,
    });
    // Another tenant's connection to the same account keeps the defaults.
    const theirs = await request(
      stack.url,
      ContactsByRemoteIdsDocument,
      { connectionId: t.connections.salesforce, remoteIds: [contact.remoteId] },
      { key: t.key },
    );
    expect(theirs.body.data!.contactsByRemoteIds![0]!.email).toBe(contact.email);
    const theirsView = await request(
      stack.url,
      FieldMappingDocument,
      { connectionId: t.connections.salesforce, object: 'CONTACT' },
      { key: t.key },
    );
    expect(theirsView.body.data!.fieldMapping.version).toBe(0);
  });

  it('a newly mapped Salesforce custom field is read and lands in customFields', async () => {
    const u = await stack.tenant('custom');
    const connectionId = u.connections.salesforce;
    const updated = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [
          {
            canonical: 'customFields.tier',
            native: 'Customer_Tier__c',
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
      { connectionId, first: 40 },
      { key: u.key },
    );
    expect(res.body.errors).toBeUndefined();
    const tiers = res.body.data!.contacts!.nodes.map((c) => c.customFields.tier);
    expect(tiers.some((v) => typeof v === 'string' && v.length > 0)).toBe(true);
    for (const c of res.body.data!.contacts!.nodes) expect(c.customFields).toHaveProperty('tier');
  });

  it.each([
    [
      {
        canonical: 'customFields.x',
        native: 'NoSuchField__c',
        transform: { kind: 'string' },
        source: 'CRM',
        writable: false,
      },
      /no contact field "NoSuchField__c"/,
    ],
    [
      {
        canonical: 'title',
        native: 'Email',
        transform: { kind: 'boolean', native: 'boolean' },
        source: 'CRM',
        writable: false,
      },
      /cannot read Email of type email/,
    ],
  ])('rejects an override the CRM contradicts: %j', async (override, message) => {
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      { connectionId: t.connections.salesforce, object: 'CONTACT', overrides: [override] },
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
        connectionId: t.connections.salesforce,
        object: 'DEAL',
        overrides: [
          {
            canonical: 'stage',
            native: 'StageName',
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

  it('a read-only key cannot change mappings', async () => {
    const ro = await stack.tenant('readonly', 'read');
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      { connectionId: ro.connections.hubspot, object: 'CONTACT', overrides: [] },
      { key: ro.key },
    );
    expect(res.body.errors![0]!.extensions!.code).toBe('FORBIDDEN');
  });

  it('maps a HubSpot property into customFields', async () => {
    const u = await stack.tenant('hsmapping');
    const connectionId = u.connections.hubspot;
    const updated = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [
          {
            canonical: 'customFields.role',
            native: 'jobtitle',
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
      { connectionId, first: 5 },
      { key: u.key },
    );
    expect(res.body.errors).toBeUndefined();
    for (const c of res.body.data!.contacts!.nodes) expect(c.customFields.role ?? null).toBe(c.title);
  });
});

// Last: a rate-limit storm blocks the HubSpot portal's budget for a while, for every connection to it.
describe('vendor failures', () => {
  it('fails only the field whose CRM fails, with its code and a retry-after hint', async () => {
    await stack.setFaults('hubspot', { rateLimitStormMs: 60_000 });
    const res = await request(
      stack.url,
      TwoConnectionsDocument,
      { a: t.connections.salesforce, b: t.connections.hubspot },
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
    const base = `${stack.sandboxes.sandboxes.salesforce!.baseUrl}/__sandbox/orgs/default`;
    for (const path of ['/tokens/revoke', '/tokens/expire']) {
      expect((await fetch(`${base}${path}`, { method: 'POST' })).ok).toBe(true);
    }
    const first = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.salesforce, first: 1 },
      { key: t.key },
    );
    expect(first.body.errors![0]!.extensions!.code).toBe('NEEDS_REAUTH');
    expect((await stack.ctx.store.connections.getById(t.connections.salesforce)).status).toBe('NEEDS_REAUTH');
    stack.clearLogs();
    const again = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.salesforce, first: 1 },
      { key: t.key },
    );
    expect(again.body.errors![0]!.extensions!.code).toBe('NEEDS_REAUTH');
    expect(stack.calls('salesforce')).toBe(0);
  });
});
