import { ConnectorCursorError } from '../../../../src/connectors/cursor';
import nock from '../../../support/nock';
import { DOMAIN, KEY, V2, fieldsOnce, ok, pipedrive } from './pd-context';

/** Reads against the documented v2 answers (docs/vendors/pipedrive.md "Connector: reads, lists and search"). */

const person = (id: number, extra: Record<string, unknown> = {}) => ({
  id,
  name: 'Jane Doe',
  first_name: 'Jane',
  last_name: 'Doe',
  owner_id: 7,
  org_id: null,
  emails: [
    { value: 'j@home.example', primary: false, label: 'home' },
    { value: 'jane@acme.example', primary: true, label: 'work' },
  ],
  phones: [{ value: '+358401234567', primary: true, label: 'mobile' }],
  add_time: '2026-01-01T00:00:00Z',
  update_time: '2026-01-02T03:04:05Z',
  is_deleted: false,
  custom_fields: { [KEY.tier]: 11, [KEY.segments]: [21, 22], [KEY.gatewayKey]: null },
  ...extra,
});

describe('getRecords', () => {
  it('reads up to 100 ids in ONE list call, in order, null for a miss, priced as a list', async () => {
    const { connector, budget } = pipedrive();
    fieldsOnce();
    let query: Record<string, string> = {};
    nock(DOMAIN)
      .get(`${V2}/persons`)
      .query((q) => {
        query = q as Record<string, string>;
        return true;
      })
      .matchHeader('x-api-token', 'tok-1')
      .reply(200, ok([person(2)]));
    const got = await connector.getRecords('contact', ['1', '2']);
    expect(query.ids).toBe('1,2');
    expect(got[0]).toBeNull();
    expect(got[1]).toMatchObject({
      remoteId: '2',
      updatedAt: '2026-01-02T03:04:05.000Z',
      isDeleted: false,
      fields: {
        email: 'jane@acme.example',
        phone: '+358401234567',
        first_name: 'Jane',
        customer_tier: 'Gold',
        segments: ['SMB', 'Enterprise'],
        gateway_key: null,
      },
    });
    // Custom fields by name only: no hash reaches the record.
    expect(JSON.stringify(got[1]?.fields)).not.toContain(KEY.tier);
    expect(budget.endpoints).toEqual(expect.arrayContaining(['v2.list']));
  });

  it('never sends an id that is not a Pipedrive id (hostile ids read as null, no call)', async () => {
    const { connector } = pipedrive();
    const got = await connector.getRecords('deal', ['1,2', '../persons', '-1', '0', 'abc']);
    expect(got).toEqual([null, null, null, null, null]);
  });

  it('refuses more than 100 ids per call', async () => {
    const { connector } = pipedrive();
    const ids = Array.from({ length: 101 }, (_, i) => String(i + 1));
    await expect(connector.getRecords('contact', ids)).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('sends an OAuth token as a bearer token, not x-api-token', async () => {
    const { connector } = pipedrive({ authKind: 'oauth2_code' });
    fieldsOnce('dealFields');
    nock(DOMAIN, { badheaders: ['x-api-token'] })
      .get(`${V2}/deals`)
      .query(true)
      .matchHeader('authorization', 'Bearer tok-1')
      .reply(
        200,
        ok([{ id: 5, title: 'Renewal', value: 5000, currency: 'EUR', status: 'won', person_id: 2 }]),
      );
    const [deal] = await connector.getRecords('deal', ['5']);
    expect(deal?.fields).toMatchObject({
      title: 'Renewal',
      value: 5000,
      currency: 'EUR',
      status: 'won',
      person_id: 2,
    });
  });
});

describe('listRecords', () => {
  it('pages by Pipedrive cursor in id order and pushes down owner and modification filters', async () => {
    const { connector } = pipedrive();
    fieldsOnce();
    const queries: Record<string, string>[] = [];
    nock(DOMAIN)
      .get(`${V2}/persons`)
      .twice()
      .query((q) => {
        queries.push(q as Record<string, string>);
        return true;
      })
      .reply(200, () => (queries.length === 1 ? ok([person(1)], 'vendor-cursor-1') : ok([person(2)])));
    const filter = {
      equals: [
        { field: 'owner_id', value: '7' },
        { field: 'org_id', value: '1 OR 1=1' },
      ],
      modifiedSince: new Date('2026-01-01T10:20:30.456Z'),
    };
    const first = await connector.listRecords('contact', { pageSize: 1, filter });
    expect(first.items.map((r) => r.remoteId)).toEqual(['1']);
    expect(first.nextCursor).not.toBeNull();
    const second = await connector.listRecords('contact', { pageSize: 1, filter, cursor: first.nextCursor });
    expect(second.items.map((r) => r.remoteId)).toEqual(['2']);
    expect(second.nextCursor).toBeNull();
    expect(queries[0]).toEqual({
      owner_id: '7',
      updated_since: '2026-01-01T10:20:30Z',
      limit: '1',
      sort_by: 'id',
      sort_direction: 'asc',
    });
    expect(queries[1].cursor).toBe('vendor-cursor-1');
  });

  it('lists deleted deals with status=…,deleted only when asked', async () => {
    const { connector } = pipedrive();
    fieldsOnce('dealFields');
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query((q) => q.status === 'open,won,lost,deleted')
      .reply(200, ok([{ id: 9, title: 'Gone', is_deleted: true, status: 'deleted' }]));
    const page = await connector.listRecords('deal', { pageSize: 10, includeDeleted: true });
    expect(page.items).toMatchObject([{ remoteId: '9', isDeleted: true }]);
  });

  it('refuses a cursor it did not issue', async () => {
    const { connector } = pipedrive();
    await expect(
      connector.listRecords('contact', { pageSize: 5, cursor: 'bm90LWEtY3Vyc29y' }),
    ).rejects.toBeInstanceOf(ConnectorCursorError);
  });
});

describe('listRecords through search', () => {
  it('finds an email through the exact search, then reads the found ids in one list call', async () => {
    const { connector, budget } = pipedrive();
    fieldsOnce();
    nock(DOMAIN)
      .get(`${V2}/persons/search`)
      .query({ term: 'Jane@Acme.example', fields: 'email', exact_match: 'true', limit: '100' })
      .reply(200, ok({ items: [{ result_score: 1, item: { id: 2 } }, { item: { id: 1 } }] }, 'search-2'));
    nock(DOMAIN)
      .get(`${V2}/persons`)
      .query({ ids: '2,1', limit: '100' })
      .reply(200, ok([person(1), person(2)]));
    const page = await connector.listRecords('contact', {
      pageSize: 500,
      filter: { equals: [{ field: 'email', value: 'Jane@Acme.example' }] },
    });
    // In the search's order.
    expect(page.items.map((r) => r.remoteId)).toEqual(['2', '1']);
    expect(page.nextCursor).not.toBeNull();
    expect(budget.named).toContainEqual(['search', 'daily']);
    expect(budget.endpoints).toEqual(expect.arrayContaining(['v2.search', 'v2.list']));

    nock(DOMAIN)
      .get(`${V2}/persons/search`)
      .query((q) => q.cursor === 'search-2')
      .reply(200, ok({ items: [] }));
    const next = await connector.listRecords('contact', {
      pageSize: 500,
      filter: { equals: [{ field: 'email', value: 'Jane@Acme.example' }] },
      cursor: page.nextCursor,
    });
    expect(next).toEqual({ items: [], nextCursor: null });
  });

  it('searches a shared word prefix of the name parts once; mixed prefixes fall back to the plain list', async () => {
    const { connector } = pipedrive();
    fieldsOnce();
    nock(DOMAIN)
      .get(`${V2}/persons/search`)
      .query({ term: 'ja', fields: 'name', exact_match: 'false', limit: '10' })
      .reply(200, ok({ items: [] }));
    const prefix = [
      { field: 'first_name', value: 'ja' },
      { field: 'last_name', value: 'JA' },
    ];
    expect((await connector.listRecords('contact', { pageSize: 10, filter: { prefix } })).items).toEqual([]);
    nock(DOMAIN)
      .get(`${V2}/persons`)
      .query((q) => q.limit === '10' && q.sort_by === 'id')
      .reply(200, ok([person(1)]));
    const mixed = [
      { field: 'first_name', value: 'ja' },
      { field: 'email', value: 'jo' },
    ];
    const page = await connector.listRecords('contact', { pageSize: 10, filter: { prefix: mixed } });
    expect(page.items.map((r) => r.remoteId)).toEqual(['1']);
  });
});

describe('describeFields', () => {
  it('names custom fields by label, never by hash, and marks text fields as upsert keys', async () => {
    const { connector } = pipedrive();
    fieldsOnce();
    const fields = await connector.describeFields('contact');
    const custom = fields.filter((f) => f.custom);
    expect(custom.map((f) => f.name)).toEqual([
      'customer_tier',
      'gateway_key',
      'segments',
      'contract_value',
      'contract_value_currency',
    ]);
    expect(custom.find((f) => f.name === 'customer_tier')).toMatchObject({
      type: 'picklist',
      picklistValues: [
        { value: 'Gold', label: 'Gold' },
        { value: 'Silver', label: 'Silver' },
      ],
    });
    expect(custom.find((f) => f.name === 'gateway_key')?.externalId).toBe(true);
    expect(fields.find((f) => f.name === 'email')).toMatchObject({ type: 'email', custom: false });
  });
});
