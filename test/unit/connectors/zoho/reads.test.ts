import nock from '../../../support/nock';
import { ConnectorCursorError } from '../../../../src/connectors/cursor';
import { ZohoConnector } from '../../../../src/connectors/zoho/zoho.connector';
import { API, DEAL_FIELDS, V8, contact, fieldsOnce, orgOnce, zohoUnit } from './zoho-context';

/** Reads against the documented v8 answers (docs/vendors/zoho.md "Connector: reads and lists"). */

/** Captures the COQL queries the connector posts, answering each with the next page. */
function coqlPages(pages: { data?: unknown[]; info?: unknown }[], queries: string[]): nock.Scope {
  const scope = nock(API);
  for (const page of pages) {
    scope
      .post(`${V8}/coql`, (b: { select_query: string }) => {
        queries.push(b.select_query);
        return true;
      })
      .reply(page.data ? 200 : 204, page.data ? page : undefined);
  }
  return scope;
}

describe('getRecords', () => {
  it('reads up to 100 ids in ONE call with the fields v8 requires, in order, null for a miss', async () => {
    const { connector, budget } = zohoUnit();
    fieldsOnce();
    let query: Record<string, string> = {};
    nock(API)
      .get(`${V8}/Contacts`)
      .query((q) => {
        query = q as Record<string, string>;
        return true;
      })
      .matchHeader('authorization', 'Zoho-oauthtoken tok-1')
      .reply(200, { data: [contact('4150868000000002175')], info: { count: 1, more_records: false } });
    const got = await connector.getRecords('contact', ['4150868000000002176', '4150868000000002175']);
    expect(query.ids).toBe('4150868000000002176,4150868000000002175');
    expect(query.fields!.split(',')).toEqual(
      expect.arrayContaining([
        'First_Name',
        'Last_Name',
        'Email',
        'Owner',
        'Modified_Time',
        'Gateway_Key',
        'Tier',
      ]),
    );
    expect(query.fields!.split(',').length).toBeLessThanOrEqual(50);
    expect(got[0]).toBeNull();
    expect(got[1]).toMatchObject({
      remoteId: '4150868000000002175',
      updatedAt: '2026-01-02T03:04:05.000Z',
      isDeleted: false,
      fields: { Email: 'jane@acme.example', Owner: '5725767000000411001', Account_Name: null, Tier: 'Gold' },
    });
    // Zoho's internal `$` keys never reach a record.
    expect(Object.keys(got[1]!.fields).some((k) => k.startsWith('$'))).toBe(false);
    expect(budget.endpoints.every((e) => e === 'read')).toBe(true);
  });

  it('never sends an id that is not a Zoho id (hostile ids read as null, no call)', async () => {
    const { connector } = zohoUnit();
    expect(await connector.getRecords('deal', ['1,2', '../Deals', '-1', '0', 'abc'])).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('reads a 204 (nothing matched) as all misses', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    nock(API).get(`${V8}/Contacts`).query(true).reply(204);
    expect(await connector.getRecords('contact', ['11', '12'])).toEqual([null, null]);
  });

  it("derives a deal's status from its stage and its currency from the org", async () => {
    const { connector } = zohoUnit();
    fieldsOnce('Deals');
    orgOnce();
    nock(API)
      .get(`${V8}/Deals`)
      .query(true)
      .reply(200, {
        data: [
          {
            id: '21',
            Deal_Name: 'Won',
            Amount: 85000.5,
            Stage: 'Closed Won',
            Contact_Name: { id: '11', name: 'J' },
          },
          { id: '22', Deal_Name: 'Lost', Amount: 10, Stage: 'Closed Lost', Contact_Name: null },
          { id: '23', Deal_Name: 'Open', Amount: null, Stage: 'Qualification' },
          { id: '24', Deal_Name: 'Old', Amount: 1, Stage: 'Legacy done' },
        ],
      });
    const got = await connector.getRecords('deal', ['21', '22', '23', '24']);
    expect(got.map((r) => r?.fields.Deal_Status)).toEqual(['won', 'lost', 'open', 'won']);
    expect(got.map((r) => r?.fields.Currency)).toEqual(['EUR', 'EUR', 'EUR', 'EUR']);
    expect(got[0]?.fields).toMatchObject({ Amount: 85000.5, Contact_Name: '11' });
  });

  it('refuses more than 100 ids per call', async () => {
    const { connector } = zohoUnit();
    const ids = Array.from({ length: 101 }, (_, i) => String(i + 1));
    await expect(connector.getRecords('contact', ids)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});

describe('listRecords (COQL keyset on id)', () => {
  it('pages by `id >` the last id, with a cursor per item, and stops on the last page', async () => {
    const { connector, budget } = zohoUnit();
    fieldsOnce();
    const queries: string[] = [];
    coqlPages(
      [
        { data: [contact('101'), contact('102')], info: { count: 2, more_records: true } },
        { data: [contact('103')], info: { count: 1, more_records: false } },
      ],
      queries,
    );
    const first = await connector.listRecords('contact', { pageSize: 2 });
    expect(first.items.map((r) => r.remoteId)).toEqual(['101', '102']);
    expect(first.itemCursors).toHaveLength(2);
    const second = await connector.listRecords('contact', { pageSize: 2, cursor: first.nextCursor });
    expect(second.items.map((r) => r.remoteId)).toEqual(['103']);
    expect(second.nextCursor).toBeNull();
    expect(queries[0]).toMatch(
      /^select id, .*Email.* from Contacts where id is not null order by id asc limit 2$/,
    );
    expect(queries[1]).toMatch(/ where id > '102' order by id asc limit 2$/);
    expect(budget.endpoints).toContain('coql.200');
    // Resuming after any item is the same keyset.
    const queriesBefore = queries.length;
    coqlPages([{ data: [contact('102')], info: { more_records: true } }], queries);
    await connector.listRecords('contact', { pageSize: 1, cursor: first.itemCursors![0] });
    expect(queries[queriesBefore]).toMatch(/ where id > '101' /);
  });

  it('pushes the modification time down, floored to the second, and prices a large page higher', async () => {
    const { connector, budget } = zohoUnit();
    fieldsOnce();
    const queries: string[] = [];
    coqlPages([{}], queries);
    const page = await connector.listRecords('contact', {
      pageSize: 1500,
      filter: { modifiedSince: new Date('2026-03-01T10:00:00.900Z') },
    });
    expect(page).toMatchObject({ items: [], nextCursor: null });
    expect(queries[0]).toContain("where (id is not null and Modified_Time >= '2026-03-01T10:00:00+00:00')");
    expect(queries[0]).toMatch(/limit 1500$/);
    expect(budget.endpoints).toContain('coql.2000');
  });

  it('pushes equality and OR-ed prefixes on text fields down as case-insensitive `like`, nothing else', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    const queries: string[] = [];
    coqlPages([{}], queries);
    await connector.listRecords('contact', {
      pageSize: 100,
      filter: {
        equals: [
          { field: 'Email', value: "o'hara@acme.example" },
          { field: 'Owner', value: '77' },
        ],
        prefix: [
          { field: 'First_Name', value: 'Ja' },
          { field: 'Last_Name', value: 'Ja' },
        ],
      },
    });
    // A lookup is not compared (the read layer filters it); quotes in values are escaped.
    expect(queries[0]).toContain(
      "where ((id is not null and Email like 'o\\'hara@acme.example') and (First_Name like 'Ja%' or Last_Name like 'Ja%'))",
    );
  });

  it('refuses a cursor it did not issue', async () => {
    const { connector } = zohoUnit();
    const forged = Buffer.from(JSON.stringify({ v: 1, after: "1' or id > '0" })).toString('base64url');
    await expect(connector.listRecords('contact', { pageSize: 5, cursor: forged })).rejects.toBeInstanceOf(
      ConnectorCursorError,
    );
  });
});

describe('exportRecords (page_token, then keyset)', () => {
  it('walks the list by page_token and continues by keyset once Zoho refuses the token', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    nock(API)
      .get(`${V8}/Contacts`)
      .query((q) => q.page === '1' && q.sort_by === 'id' && q.per_page === '200')
      .reply(200, { data: [contact('201')], info: { more_records: true, next_page_token: 'tok-a' } });
    const first = await connector.exportRecords('contact', {});
    expect(first).toMatchObject({ total: null });
    nock(API)
      .get(`${V8}/Contacts`)
      .query((q) => q.page_token === 'tok-a')
      .reply(400, {
        code: 'EXPIRED_VALUE',
        status: 'error',
        message: 'given page_token is expired',
        details: {},
      });
    const queries: string[] = [];
    coqlPages([{ data: [contact('202')], info: { more_records: false } }], queries);
    const second = await connector.exportRecords('contact', { cursor: first.nextCursor });
    expect(second.items.map((r) => r.remoteId)).toEqual(['202']);
    expect(queries[0]).toMatch(/where id > '201'/);
    expect(second).toMatchObject({ nextCursor: null, total: 2 });
  });
});

describe('describeFields', () => {
  it('names fields by their API names, custom ones flagged, a unique custom field an upsert key, the derived ones read-only', async () => {
    const { connector } = zohoUnit();
    fieldsOnce('Deals');
    const fields = await connector.describeFields('deal');
    const by = new Map(fields.map((f) => [f.name, f]));
    expect(by.get('Gateway_Key')).toMatchObject({
      custom: true,
      unique: true,
      externalId: true,
      type: 'string',
    });
    expect(by.get('Deal_Name')).toMatchObject({ custom: false, required: true, readOnly: false });
    expect(by.get('Amount')).toMatchObject({ type: 'currency' });
    expect(by.get('Stage')?.picklistValues?.map((v) => v.value)).toContain('Closed Won');
    expect(by.get('Contact_Name')).toMatchObject({ type: 'reference' });
    expect(by.get('Deal_Status')).toMatchObject({ readOnly: true, type: 'picklist' });
    expect(by.get('Currency')).toMatchObject({ readOnly: true });
    expect(by.get('Modified_Time')).toMatchObject({ readOnly: true });
  });

  it('does not take an empty `unique` for a unique field', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    const tier = (await connector.describeFields('contact')).find((f) => f.name === 'Tier');
    expect(tier).toMatchObject({ unique: false, externalId: false, type: 'picklist' });
  });
});

describe('dealStages', () => {
  it('reads the pipelines of every Deals layout, won and lost from the forecast type', async () => {
    const { connector } = zohoUnit();
    fieldsOnce('Deals');
    nock(API)
      .get(`${V8}/settings/layouts`)
      .query({ module: 'Deals' })
      .reply(200, { layouts: [{ id: '3652397000000091055', name: 'Standard' }] })
      .get(`${V8}/settings/pipeline`)
      .query({ layout_id: '3652397000000091055' })
      .reply(200, {
        pipeline: [
          {
            id: '3652397000000091301',
            display_value: 'Standard (Standard)',
            actual_value: 'Standard (Standard)',
            default: true,
            maps: [
              {
                id: '1',
                actual_value: 'Qualification',
                display_value: 'Qualification',
                forecast_type: 'Open',
              },
              {
                id: '2',
                actual_value: 'Closed Won',
                display_value: 'Closed Won',
                forecast_type: 'Closed Won',
              },
              {
                id: '3',
                actual_value: 'Closed Lost',
                display_value: 'Closed Lost',
                forecast_type: 'Closed Lost',
              },
            ],
          },
        ],
      });
    const stages = await connector.dealStages();
    expect(stages).toEqual([
      expect.objectContaining({
        pipelineId: 'Standard (Standard)',
        stageId: 'Qualification',
        status: 'OPEN',
        probability: 0.1,
      }),
      expect.objectContaining({ stageId: 'Closed Won', status: 'WON', probability: 1 }),
      expect.objectContaining({ stageId: 'Closed Lost', status: 'LOST', probability: 0 }),
    ]);
  });
});

describe('getAssociations', () => {
  it("deal → contacts: Contact_Name, plus the deal's contact roles with `dealContactRoles`", async () => {
    const { connector } = zohoUnit({ settings: { dealContactRoles: true } });
    fieldsOnce('Deals');
    orgOnce();
    nock(API)
      .get(`${V8}/Deals`)
      .query((q) => q.ids === '21')
      .reply(200, { data: [{ id: '21', Deal_Name: 'D', Contact_Name: { id: '11', name: 'J' } }] })
      .get(`${V8}/Deals/21/Contact_Roles`)
      .query(true)
      .reply(200, {
        data: [{ id: '12', Last_Name: 'R', Contact_Role: { id: '9', name: 'Purchasing' } }, { id: '11' }],
      });
    const got = await connector.getAssociations('deal', ['21', 'x'], 'contact');
    expect(Object.fromEntries(got)).toEqual({ '21': ['11', '12'], x: [] });
  });

  it('contact → deals: one COQL `Contact_Name in (…)` per 50 contacts', async () => {
    const { connector } = zohoUnit();
    const queries: string[] = [];
    coqlPages(
      [
        {
          data: [
            { id: '31', Contact_Name: { id: '11' } },
            { id: '32', Contact_Name: { id: '11' } },
          ],
          info: {},
        },
      ],
      queries,
    );
    const got = await connector.getAssociations('contact', ['11', '12'], 'deal');
    expect(Object.fromEntries(got)).toEqual({ '11': ['31', '32'], '12': [] });
    expect(queries[0]).toBe(
      "select id, Contact_Name from Deals where Contact_Name in ('11', '12') order by id asc limit 2000",
    );
  });
});

describe('getAssociations: contact → deals through contact roles', () => {
  it("adds each contact's Deals related list (paged, one contact a call) to the COQL Contact_Name deals", async () => {
    const { connector } = zohoUnit({ settings: { dealContactRoles: true } });
    const queries: string[] = [];
    coqlPages([{ data: [{ id: '31', Contact_Name: { id: '11' } }], info: {} }], queries);
    const pages: Record<string, string>[] = [];
    nock(API)
      .get(`${V8}/Contacts/11/Deals`)
      .query((q) => {
        pages.push(q as Record<string, string>);
        return q.page === '1';
      })
      .reply(200, { data: [{ id: '31' }, { id: '33' }], info: { more_records: true } })
      .get(`${V8}/Contacts/11/Deals`)
      .query((q) => q.page === '2')
      .reply(200, { data: [{ id: '34' }], info: { more_records: false } })
      .get(`${V8}/Contacts/12/Deals`)
      .query(true)
      .reply(204);
    const got = await connector.getAssociations('contact', ['11', '12', '../x'], 'deal');
    expect(Object.fromEntries(got)).toEqual({ '11': ['31', '33', '34'], '12': [], '../x': [] });
    expect(queries).toHaveLength(1);
    expect(pages[0]).toEqual({ fields: 'id', page: '1', per_page: '200' });
    expect(nock.isDone()).toBe(true);
  });

  it('reads no related list without `dealContactRoles` (Contact_Name alone)', async () => {
    const { connector } = zohoUnit();
    coqlPages([{ info: {} }], []);
    const got = await connector.getAssociations('contact', ['11'], 'deal');
    expect(Object.fromEntries(got)).toEqual({ '11': [] });
    expect(nock.isDone()).toBe(true);
  });
});

describe('errors and data centres', () => {
  it('refreshes once on INVALID_TOKEN, but not on OAUTH_SCOPE_MISMATCH', async () => {
    const { connector, tokens } = zohoUnit();
    nock(API)
      .get(`${V8}/settings/fields`)
      .query(true)
      .reply(401, { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' })
      .get(`${V8}/settings/fields`)
      .query(true)
      .reply(200, { fields: DEAL_FIELDS });
    await connector.describeFields('deal');
    expect(tokens.refreshes).toEqual(['tok-1']);
    const other = zohoUnit();
    nock(API)
      .get(`${V8}/settings/fields`)
      .query(true)
      .reply(401, { code: 'OAUTH_SCOPE_MISMATCH', details: {}, message: 'Unauthorized', status: 'error' });
    await expect(other.connector.describeFields('contact')).rejects.toMatchObject({
      vendorCode: 'OAUTH_SCOPE_MISMATCH',
    });
    expect(other.tokens.refreshes).toEqual([]);
  });

  it("refuses to start on a stored API URL that is not its DC's API domain", () => {
    const { connector } = zohoUnit();
    const ctx = (connector as unknown as { api: { http: unknown } }).api;
    expect(
      () =>
        new ZohoConnector({
          connection: {
            id: 'c',
            tenantId: 't',
            crm: connector.kind,
            externalAccountId: null,
            vendorUrls: { auth: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.com' },
            settings: {},
          },
          http: ctx.http as never,
          tokens: {} as never,
          logger: {} as never,
        }),
    ).toThrow(/not the API domain of data centre eu/);
  });
});
