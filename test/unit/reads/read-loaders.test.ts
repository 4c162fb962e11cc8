import DataLoader from 'dataloader';
import {
  type CrmConnector,
  type CrmObject,
  type ListFilterSupport,
  type ListOptions,
  type NativeField,
  type NativeListFilter,
  type NativeRecord,
  type Page,
} from '../../../src/connectors/types';
import {
  BadUserInputError,
  CrmNeedsReauthError,
  CrmUnavailableError,
  ForbiddenError,
  NotFoundError,
} from '../../../src/errors';
import { forgetDescribedForReads } from '../../../src/reads/described-fields';
import { type ListFilter, listPage as sealedListPage, MAX_SCAN_PAGES } from '../../../src/reads/list';
import { ListCursorSeal } from '../../../src/reads/list-cursor';
import { type MappingSource, defaultMapping } from '../../../src/reads/mappings';
import { type ConnectionReader, createReadLoaders } from '../../../src/reads/read-loaders';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';

const seal = new ListCursorSeal(new KeyRing([{ kid: 'k1', key: Buffer.alloc(32, 7) }]));
const listPage = (reader: ConnectionReader, object: CrmObject, args: Parameters<typeof sealedListPage>[2]) =>
  sealedListPage(reader, object, args, seal);

/**
 * The read loaders against a connector that records every call (our own CrmConnector seam, not a
 * vendor client): batch sizes, key order, misses, caching per request, statuses, list pagination.
 */

class RecordingConnector implements CrmConnector {
  readonly kind = 'salesforce' as const;
  readonly limits = { readBatch: 200, writeBatch: 200, budgets: [] };
  readonly calls: { method: string; size: number }[] = [];
  failWith: Error | null = null;

  constructor(protected readonly records: Map<string, NativeRecord>) {}

  async getRecords(_obj: CrmObject, ids: readonly string[]): Promise<(NativeRecord | null)[]> {
    this.calls.push({ method: 'getRecords', size: ids.length });
    if (this.failWith) throw this.failWith;
    return ids.map((id) => this.records.get(id) ?? null);
  }

  async listRecords(_obj: CrmObject, o: ListOptions): Promise<Page<NativeRecord>> {
    this.calls.push({ method: 'listRecords', size: o.pageSize });
    const all = [...this.records.values()];
    const start = o.cursor ? Number(o.cursor) : 0;
    const end = start + o.pageSize;
    return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
  }

  async getAssociations(_f: CrmObject, ids: readonly string[]): Promise<Map<string, string[]>> {
    this.calls.push({ method: 'getAssociations', size: ids.length });
    return new Map(ids.map((id) => [id, [`d-${id}`]]));
  }

  listChanges = () => Promise.reject(new Error('unused'));
  upsertRecords = () => Promise.reject(new Error('unused'));
  linkRecords = () => Promise.reject(new Error('unused'));
  unlinkRecords = () => Promise.reject(new Error('unused'));
  deleteRecords = () => Promise.reject(new Error('unused'));
  describeFields: () => Promise<NativeField[]> = () => Promise.resolve([]);
  verifyWebhook = () => false;
  parseWebhook = () => [];

  count(method: string): number[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.size);
  }
}

/**
 * A connector that pushes filters down the way a vendor may: loosely (text compared
 * case-insensitively, a prefix matched anywhere in a word), never dropping a match. It keeps the
 * options of every list call.
 */
class FilteringConnector extends RecordingConnector {
  readonly listOptions: ListOptions[] = [];

  constructor(
    records: Map<string, NativeRecord>,
    readonly listFilters: ListFilterSupport,
  ) {
    super(records);
  }

  override async listRecords(obj: CrmObject, o: ListOptions): Promise<Page<NativeRecord>> {
    this.listOptions.push(o);
    if (!o.filter) return super.listRecords(obj, o);
    const f: NativeListFilter = o.filter;
    const text = (r: NativeRecord, field: string): string => String(r.fields[field] ?? '').toLowerCase();
    const all = [...this.records.values()].filter(
      (r) =>
        (f.equals ?? []).every((e) => text(r, e.field) === e.value.toLowerCase()) &&
        (!f.prefix?.length || f.prefix.some((p) => text(r, p.field).includes(p.value.toLowerCase()))) &&
        (!f.modifiedSince || Date.parse(r.updatedAt ?? '') >= f.modifiedSince.getTime()),
    );
    this.calls.push({ method: 'listRecords', size: o.pageSize });
    const start = o.cursor ? Number(o.cursor) : 0;
    const end = start + o.pageSize;
    return { items: all.slice(start, end), nextCursor: end < all.length ? String(end) : null };
  }
}

/** A connector with keyset paging: every record carries the cursor that resumes right after it. */
class KeysetConnector extends RecordingConnector {
  readonly cursorsAsked: (string | null)[] = [];

  override async listRecords(_obj: CrmObject, o: ListOptions): Promise<Page<NativeRecord>> {
    this.calls.push({ method: 'listRecords', size: o.pageSize });
    this.cursorsAsked.push(o.cursor ?? null);
    const all = [...this.records.values()];
    const start = o.cursor ? all.findIndex((r) => r.remoteId === o.cursor) + 1 : 0;
    const items = all.slice(start, start + o.pageSize);
    const more = start + o.pageSize < all.length;
    return {
      items,
      itemCursors: items.map((r) => r.remoteId),
      nextCursor: more ? items[items.length - 1]!.remoteId : null,
    };
  }
}

const EVERYTHING: ListFilterSupport = { equals: true, prefix: 'any', modifiedSince: true, withDeleted: true };

function contact(i: number): NativeRecord {
  return {
    remoteId: `c${i}`,
    fields: { FirstName: i % 2 ? 'Ada' : 'Bob', LastName: `L${i}`, Email: `c${i}@example.com` },
    updatedAt: '2026-01-01T00:00:00.000Z',
    isDeleted: false,
  };
}

function connection(status: ConnectionView['status'] = 'ACTIVE'): ConnectionView {
  const now = new Date();
  return {
    id: 'conn1',
    tenantId: 't1',
    crm: 'salesforce',
    displayName: 'sf',
    status,
    statusReason: status === 'ACTIVE' ? null : 'refresh token revoked',
    externalAccountId: null,
    vendorUrls: {},
    settings: {},
    createdAt: now,
    updatedAt: now,
  };
}

const mappings: MappingSource = {
  effective: async (crm, _id, object) => ({
    mapping: defaultMapping(crm, object),
    overrides: [],
    version: 0,
  }),
};

function setup(
  options: {
    n?: number;
    status?: ConnectionView['status'];
    batching?: boolean;
    /** Native Email of some contacts by index, as the CRM stores it (case included). */
    emails?: Readonly<Record<number, string>>;
    /** Push filters down through a {@link FilteringConnector} declaring this. */
    pushdown?: ListFilterSupport;
    mappings?: MappingSource;
    /** List through a {@link KeysetConnector}. */
    keyset?: boolean;
    /** The connection's tenant. @defaultValue 't1' */
    tenantId?: string;
  } = {},
) {
  const records = new Map(
    Array.from({ length: options.n ?? 500 }, (_, i) => {
      const c = contact(i);
      const email = options.emails?.[i];
      return [`c${i}`, email ? { ...c, fields: { ...c.fields, Email: email } } : c] as const;
    }),
  );
  const connector = options.pushdown
    ? new FilteringConnector(records, options.pushdown)
    : options.keyset
      ? new KeysetConnector(records)
      : new RecordingConnector(records);
  const conn = { ...connection(options.status), tenantId: options.tenantId ?? 't1' };
  const loaders = createReadLoaders({
    connection: new DataLoader<string, ConnectionView>(async (ids) =>
      ids.map((id) => (id === conn.id ? conn : new NotFoundError(`no connection ${id}`))),
    ),
    connectors: { connectorFor: () => connector },
    mappings: options.mappings ?? mappings,
    batching: options.batching,
  });
  return { connector, loaders };
}

describe('record loaders', () => {
  it('turns N lookups into ⌈N / readBatch⌉ calls, one result per key in key order, an Error per miss', async () => {
    const { connector, loaders } = setup();
    const reader = await loaders.reader('conn1');
    const ids = [...Array.from({ length: 449 }, (_, i) => `c${448 - i}`), 'missing'];
    const results = await Promise.all(
      ids.map((id) =>
        reader.loaders
          .records('contact')
          .load(id)
          .catch((e: Error) => e),
      ),
    );
    expect(connector.count('getRecords')).toEqual([200, 200, 50]);
    expect(results.slice(0, 449).map((r) => (r instanceof Error ? r : r.remoteId))).toEqual(
      ids.slice(0, 449),
    );
    const miss = results[449];
    expect(miss).toBeInstanceOf(NotFoundError);
    expect((miss as Error).message).toBe('no contact with remote id "missing" in connection conn1');
  });

  it('maps native fields to canonical ones through the mapping', async () => {
    const { loaders } = setup();
    const r = await (await loaders.reader('conn1')).loaders.records('contact').load('c3');
    expect(r.fields).toMatchObject({ firstName: 'Ada', lastName: 'L3', email: 'c3@example.com' });
    expect(r.connectionId).toBe('conn1');
  });

  it('batches associations the same way and reuses cached records within the request', async () => {
    const { connector, loaders } = setup();
    const reader = await loaders.reader('conn1');
    const ids = Array.from({ length: 250 }, (_, i) => `c${i}`);
    await Promise.all(ids.map((id) => reader.loaders.associations('contact', 'deal').load(id)));
    expect(connector.count('getAssociations')).toEqual([200, 50]);
    await reader.loaders.records('contact').load('c1');
    await reader.loaders.records('contact').load('c1');
    expect(connector.count('getRecords')).toEqual([1]);
  });

  it('shares nothing between requests', async () => {
    const { connector, loaders } = setup();
    await (await loaders.reader('conn1')).loaders.records('contact').load('c1');
    const second = createReadLoaders({
      connection: new DataLoader<string, ConnectionView>(async (ids) => ids.map(() => connection())),
      connectors: { connectorFor: () => connector },
      mappings,
    });
    await (await second.reader('conn1')).loaders.records('contact').load('c1');
    expect(connector.count('getRecords')).toEqual([1, 1]);
  });

  it('makes one call per lookup with batching off (the bench baseline)', async () => {
    const { connector, loaders } = setup({ batching: false });
    const reader = await loaders.reader('conn1');
    await Promise.all(['c1', 'c2', 'c1'].map((id) => reader.loaders.records('contact').load(id)));
    expect(connector.count('getRecords')).toEqual([1, 1, 1]);
  });

  it('fails every key of a failed batch with the CRM error', async () => {
    const { connector, loaders } = setup();
    connector.failWith = new CrmUnavailableError('down', { crm: 'salesforce', retryAfterMs: 500 });
    const reader = await loaders.reader('conn1');
    const results = await reader.loaders.records('contact').loadMany(['c1', 'c2']);
    expect(results.map((r) => (r as CrmUnavailableError).code)).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
  });

  it('refuses NEEDS_REAUTH and DISABLED connections before any vendor call, and unknown ids as NOT_FOUND', async () => {
    const reauth = setup({ status: 'NEEDS_REAUTH' });
    await expect(reauth.loaders.reader('conn1')).rejects.toThrow(CrmNeedsReauthError);
    await expect(reauth.loaders.reader('conn1')).rejects.toThrow(
      /needs to be authorized again before it can be read: refresh token revoked/,
    );
    const disabled = setup({ status: 'DISABLED' });
    await expect(disabled.loaders.reader('conn1')).rejects.toThrow(ForbiddenError);
    await expect(disabled.loaders.reader('other')).rejects.toThrow(NotFoundError);
    expect(reauth.connector.calls).toEqual([]);
  });
});

describe('listPage', () => {
  it('pages to the end with one vendor call per unfiltered page', async () => {
    const { connector, loaders } = setup({ n: 55 });
    const reader = await loaders.reader('conn1');
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page = await listPage(reader, 'contact', { first: 20, after });
      seen.push(...page.edges.map((e) => e.node.remoteId));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: 55 }, (_, i) => `c${i}`));
    expect(connector.count('listRecords')).toEqual([20, 20, 20]);
  });

  it('fills a filtered page from further vendor pages and resumes mid-page', async () => {
    const { loaders } = setup({ n: 300 });
    const reader = await loaders.reader('conn1');
    const first = await listPage(reader, 'contact', { first: 60, filter: { namePrefix: 'ada' } });
    expect(first.edges).toHaveLength(60);
    expect(first.edges.every((e) => e.node.fields.firstName === 'Ada')).toBe(true);
    expect(first.filteredOut).toBe(60);
    const next = await listPage(reader, 'contact', {
      first: 200,
      after: first.endCursor,
      filter: { namePrefix: 'ada' },
    });
    expect(next.edges.map((e) => e.node.remoteId)[0]).toBe('c121');
    expect(next.edges).toHaveLength(90);
    expect(next.hasNextPage).toBe(false);
  });

  it('says so when the scan limit, not the end of the list, made a page short', async () => {
    const { connector, loaders } = setup({ n: 500 + 100 * MAX_SCAN_PAGES });
    const reader = await loaders.reader('conn1');
    const page = await listPage(reader, 'contact', { first: 10, filter: { email: 'nobody@example.com' } });
    expect(page.edges).toEqual([]);
    expect(page.scanLimitReached).toBe(true);
    expect(page.hasNextPage).toBe(true);
    expect(connector.count('listRecords')).toHaveLength(MAX_SCAN_PAGES);
  });

  it('matches email case-insensitively, as Salesforce (SOQL =) and HubSpot (search EQ) do', async () => {
    // c7 is stored in mixed case; c42 in lower case and asked for in mixed case.
    const { loaders } = setup({ n: 120, emails: { 7: 'Grace.Hopper@Example.COM' } });
    const reader = await loaders.reader('conn1');
    const stored = await listPage(reader, 'contact', {
      first: 10,
      filter: { email: 'grace.hopper@example.com' },
    });
    expect(stored.edges.map((e) => [e.node.remoteId, e.node.fields.email])).toEqual([
      ['c7', 'Grace.Hopper@Example.COM'],
    ]);
    expect(stored.filteredOut).toBe(119);
    const asked = await listPage(reader, 'contact', { first: 10, filter: { email: '  C42@EXAMPLE.com ' } });
    expect(asked.edges.map((e) => e.node.remoteId)).toEqual(['c42']);
    // Another address with the same local part is not a match.
    const other = await listPage(reader, 'contact', { first: 10, filter: { email: 'c42@example.org' } });
    expect(other.edges).toEqual([]);
  });

  it('pushes email down in native names through the mapping: one call of the page size, exact on top', async () => {
    const { connector, loaders } = setup({
      n: 500,
      pushdown: EVERYTHING,
      emails: { 321: 'Ada@Example.com' },
    });
    const reader = await loaders.reader('conn1');
    const page = await listPage(reader, 'contact', { first: 10, filter: { email: '  ADA@example.COM ' } });
    expect(page.edges.map((e) => e.node.remoteId)).toEqual(['c321']);
    expect(page.filteredOut).toBe(0);
    expect(page.hasNextPage).toBe(false);
    expect((connector as FilteringConnector).listOptions).toEqual([
      {
        pageSize: 10,
        cursor: null,
        includeDeleted: false,
        filter: { equals: [{ field: 'Email', value: 'ada@example.com' }] },
      },
    ]);
  });

  it('pushes a name prefix down as first OR last name, the first word for a full-name prefix', async () => {
    const { connector, loaders } = setup({ n: 300, pushdown: EVERYTHING });
    const reader = await loaders.reader('conn1');
    // The double matches loosely (anywhere in the value): "da" finds every Ada, which the exact
    // prefix rule then drops — counted in filteredOut.
    const loose = await listPage(reader, 'contact', { first: 100, filter: { namePrefix: 'Da' } });
    expect(loose.edges).toEqual([]);
    expect(loose.filteredOut).toBe(150);
    expect(loose.hasNextPage).toBe(false);
    const full = await listPage(reader, 'contact', { first: 5, filter: { namePrefix: 'ada l1' } });
    expect(full.edges.map((e) => e.node.remoteId)).toEqual(['c1', 'c11', 'c13', 'c15', 'c17']);
    const sent = (connector as FilteringConnector).listOptions.map((o) => o.filter);
    expect(sent[0]).toEqual({
      prefix: [
        { field: 'FirstName', value: 'da' },
        { field: 'LastName', value: 'da' },
      ],
    });
    expect(sent[sent.length - 1]).toEqual({
      prefix: [
        { field: 'FirstName', value: 'ada' },
        { field: 'LastName', value: 'ada l1' },
      ],
    });
  });

  it('pushes down only what the connector declares, and scans after fetch for the rest', async () => {
    const words: ListFilterSupport = {
      equals: true,
      prefix: 'word',
      modifiedSince: false,
      withDeleted: false,
    };
    const { connector, loaders } = setup({ n: 300, pushdown: words });
    const reader = await loaders.reader('conn1');
    const since = new Date('2025-06-01T00:00:00.000Z');
    const sent = (connector as FilteringConnector).listOptions;
    const firstCall = async (filter: ListFilter): Promise<ListOptions> => {
      sent.splice(0);
      await listPage(reader, 'contact', { first: 10, filter });
      return sent[0]!;
    };
    // Nothing this connector can take: no filter, and bigger pages for the after-fetch scan.
    expect(await firstCall({ namePrefix: 'ada l1', updatedSince: since })).toEqual({
      pageSize: 100,
      cursor: null,
      includeDeleted: false,
    });
    // Everything: the page size asked for.
    expect(await firstCall({ namePrefix: 'ada', email: 'c1@example.com' })).toEqual({
      pageSize: 10,
      cursor: null,
      includeDeleted: false,
      filter: {
        equals: [{ field: 'Email', value: 'c1@example.com' }],
        prefix: [
          { field: 'FirstName', value: 'ada' },
          { field: 'LastName', value: 'ada' },
        ],
      },
    });
    // Part of it (the email): the scan's page size, the rest after fetch.
    expect(await firstCall({ namePrefix: 'ada l', email: 'c1@example.com' })).toEqual({
      pageSize: 100,
      cursor: null,
      includeDeleted: false,
      filter: { equals: [{ field: 'Email', value: 'c1@example.com' }] },
    });
    // Filters do not combine with deleted records at this connector.
    expect(await firstCall({ email: 'c1@example.com', includeDeleted: true })).toEqual({
      pageSize: 100,
      cursor: null,
      includeDeleted: true,
    });
  });

  it('does not push a field down whose mapping transforms the value', async () => {
    const custom: MappingSource = {
      effective: async (crm, _id, object) => {
        const base = defaultMapping(crm, object);
        const fields = base.fields.map((f) =>
          f.canonical === 'email'
            ? {
                ...f,
                transform: { kind: 'lookup' as const, table: 'emails', missing: 'passthrough' as const },
              }
            : f,
        );
        return { mapping: { ...base, fields }, overrides: [], version: 1 };
      },
    };
    const { connector, loaders } = setup({ n: 50, pushdown: EVERYTHING, mappings: custom });
    const reader = await loaders.reader('conn1');
    const since = new Date('2025-01-01T00:00:00.000Z');
    const page = await listPage(reader, 'contact', {
      first: 10,
      filter: { email: 'c3@example.com', updatedSince: since },
    });
    expect(page.edges.map((e) => e.node.remoteId)).toEqual(['c3']);
    expect((connector as FilteringConnector).listOptions[0]).toEqual({
      pageSize: 100,
      cursor: null,
      includeDeleted: false,
      filter: { modifiedSince: since },
    });
  });

  it('accepts a cursor only with the filter it was issued for', async () => {
    const { loaders } = setup({ n: 300, pushdown: EVERYTHING });
    const reader = await loaders.reader('conn1');
    const filter = { namePrefix: 'ada' };
    const first = await listPage(reader, 'contact', { first: 10, filter });
    const again = await listPage(reader, 'contact', {
      first: 10,
      filter: { namePrefix: ' ADA ' },
      after: first.endCursor,
    });
    expect(again.edges[0]?.node.remoteId).toBe('c21');
    const plain = await listPage(reader, 'contact', { first: 10 });
    for (const [after, other] of [
      [first.endCursor, { namePrefix: 'bob' }],
      [first.endCursor, { namePrefix: 'ada', includeDeleted: true }],
      [first.endCursor, null],
      [first.edges[3]!.cursor, { email: 'c1@example.com' }],
      [plain.endCursor, filter],
    ] as const) {
      const err = await listPage(reader, 'contact', { first: 10, after, filter: other }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(BadUserInputError);
      expect((err as Error).message).toMatch(/does not belong to this list/);
    }
  });

  it('with per-record cursors, resumes exactly after each edge at any page size, never re-reading', async () => {
    const { connector, loaders } = setup({ n: 100, keyset: true });
    const reader = await loaders.reader('conn1');
    const seen: string[] = [];
    let after: string | null = null;
    const sizes = [1, 7, 13, 2, 30];
    for (let i = 0; i < 100; i++) {
      const page = await listPage(reader, 'contact', { first: sizes[i % sizes.length]!, after });
      seen.push(...page.edges.map((e) => e.node.remoteId));
      if (!page.hasNextPage) break;
      // Resume from the middle of the page now and then: an edge cursor, not only endCursor.
      after = i % 3 === 2 && page.edges.length > 1 ? page.edges[0]!.cursor : page.endCursor;
      if (i % 3 === 2 && page.edges.length > 1) seen.splice(seen.length - page.edges.length + 1);
    }
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => `c${i}`));
    // Every vendor read starts right after the last record returned: no page is read twice.
    const asked = (connector as KeysetConnector).cursorsAsked;
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('the last edge of a keyset list still names its own place, and resuming from it finds what was added', async () => {
    const { connector, loaders } = setup({ n: 5, keyset: true });
    const reader = await loaders.reader('conn1');
    const page = await listPage(reader, 'contact', { first: 10 });
    expect(page.hasNextPage).toBe(false);
    expect(page.endCursor).toBe(page.edges[4]!.cursor);
    (connector as unknown as { records: Map<string, NativeRecord> }).records.set('c5', contact(5));
    const later = await listPage(reader, 'contact', { first: 10, after: page.endCursor });
    expect(later.edges.map((e) => e.node.remoteId)).toEqual(['c5']);
  });

  it('refuses a cursor of another connection, tenant or object before any vendor call', async () => {
    const own = setup({ n: 50 });
    const issued = await listPage(await own.loaders.reader('conn1'), 'contact', { first: 5 });
    const foreignTenant = setup({ n: 50, tenantId: 't2' });
    const reader = await foreignTenant.loaders.reader('conn1');
    for (const [object, after] of [
      ['contact', issued.endCursor],
      ['contact', issued.edges[2]!.cursor],
      ['deal', issued.endCursor],
    ] as const) {
      await expect(listPage(reader, object, { first: 5, after })).rejects.toThrow(
        /does not belong to this list/,
      );
    }
    // Same tenant, other object.
    await expect(
      listPage(await own.loaders.reader('conn1'), 'deal', { first: 5, after: issued.endCursor }),
    ).rejects.toThrow(BadUserInputError);
    expect(foreignTenant.connector.count('listRecords')).toEqual([]);
    // first: 0 checks the cursor too.
    await expect(listPage(reader, 'contact', { first: 0, after: issued.endCursor })).rejects.toThrow(
      BadUserInputError,
    );
  });

  it('rejects a cursor it did not issue, saying what arrived', async () => {
    const { loaders } = setup();
    const reader = await loaders.reader('conn1');
    for (const after of ['bogus', '']) {
      await expect(listPage(reader, 'contact', { first: 5, after })).rejects.toThrow(
        /^after: this cursor does not belong to this list/,
      );
    }
  });
});

describe('custom fields read by default', () => {
  const tier: NativeField = {
    name: 'Tier__c',
    label: 'Tier',
    type: 'string',
    custom: true,
    required: false,
    readOnly: false,
    unique: false,
    externalId: false,
  };

  function customSetup(describe: () => Promise<NativeField[]>) {
    forgetDescribedForReads();
    const records = new Map([['c1', { ...contact(1), fields: { ...contact(1).fields, Tier__c: 'gold' } }]]);
    const connector = new RecordingConnector(records);
    connector.describeFields = describe;
    const asked: unknown[] = [];
    const conn = connection();
    const loaders = createReadLoaders({
      connection: new DataLoader<string, ConnectionView>(async (ids) => ids.map(() => conn)),
      connectors: {
        connectorFor: (_connection, _priority, call) => {
          asked.push(call?.readFields ?? null);
          return connector;
        },
      },
      mappings,
    });
    return { loaders, asked };
  }
  afterEach(() => forgetDescribedForReads());

  it('selects the described custom fields and reads them as customFields.<name>', async () => {
    const { loaders, asked } = customSetup(() => Promise.resolve([tier]));
    const reader = await loaders.reader('conn1');
    const r = await reader.loaders.records('contact').load('c1');
    expect(r.customFields).toEqual({ Tier__c: 'gold' });
    // The describing connector reads the stored mapping's fields; the reading one adds the custom field.
    expect(asked).toEqual([null, { contact: ['Tier__c'], deal: [] }]);
  });

  it('reads a warm connection through one connector that selects the custom fields', async () => {
    const { loaders, asked } = customSetup(() => Promise.resolve([tier]));
    await (await loaders.reader('conn1')).loaders.records('contact').load('c1');
    asked.length = 0;
    // The next request of the connection: the describe is held, so its first connector reads them.
    const next = createReadLoaders({
      connection: new DataLoader<string, ConnectionView>(async (ids) => ids.map(() => connection())),
      connectors: {
        connectorFor: (_connection, _priority, call) => {
          asked.push(call?.readFields ?? null);
          return new RecordingConnector(new Map([['c1', contact(1)]]));
        },
      },
      mappings,
    });
    const reader = await next.reader('conn1');
    await reader.loaders.associations('contact', 'deal').load('c1');
    await reader.loaders.records('contact').load('c1');
    expect(asked).toEqual([{ contact: ['Tier__c'], deal: [] }]);
  });

  it('reads with the stored mapping when the describe fails', async () => {
    const failing = customSetup(() =>
      Promise.reject(new CrmUnavailableError('describe is down', { crm: 'salesforce' })),
    );
    const reader = await failing.loaders.reader('conn1');
    const r = await reader.loaders.records('contact').load('c1');
    expect(r.fields).toMatchObject({ firstName: 'Ada' });
    expect(r.customFields).toEqual({});
  });
});
