// The Dataverse sandbox driven by `dynamics-web-api`, a widely used third-party Dataverse client:
// reads, writes, $batch and change tracking through its own request building and response parsing.
import { DynamicsWebApi } from 'dynamics-web-api';
import { DEMO } from '../../../../src/sandbox/dynamics';
import { startDynamics, tokenRequest } from './helpers';

describe('Dataverse sandbox through dynamics-web-api 2.5.0', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  let api: DynamicsWebApi;
  let tokenCalls = 0;

  beforeAll(async () => {
    ctx = await startDynamics({ contact: 30, opportunity: 12, account: 6 });
    api = new DynamicsWebApi({
      serverUrl: `${ctx.live.baseUrl}/`,
      dataApi: { version: '9.2' },
      onTokenRefresh: async () => {
        tokenCalls++;
        const res = await tokenRequest(ctx.live.baseUrl, DEMO.tenantId, {
          grant_type: 'client_credentials',
          client_id: DEMO.clientId,
          client_secret: DEMO.clientSecret,
          scope: `https://${DEMO.orgName}.crm.dynamics.com/.default`,
        });
        return String(res.json.access_token);
      },
    });
  });
  afterAll(async () => {
    await ctx.live.close();
  });

  it('lists with $select, $filter, $orderby and pages through every row with retrieveAll', async () => {
    const page = await api.retrieveMultiple<{ lastname: string; contactid: string }>({
      collection: 'contacts',
      select: ['firstname', 'lastname'],
      filter: 'statecode eq 0',
      orderBy: ['lastname asc'],
      top: 5,
    });
    expect(page.value).toHaveLength(5);
    const names = page.value.map((c) => c.lastname.toLowerCase());
    expect(names).toEqual([...names].sort());
    const all = await api.retrieveAll({ collection: 'contacts', select: ['fullname'], maxPageSize: 7 });
    expect(all.value).toHaveLength(30);
    expect(new Set(all.value.map((c: { contactid: string }) => c.contactid)).size).toBe(30);
    expect(ctx.server.org().log.count('GET /api/data/:version/contacts')).toBeGreaterThanOrEqual(6);
    expect(tokenCalls).toBeGreaterThan(0);
  });

  it('counts, retrieves one row with $expand and formatted values', async () => {
    expect(await api.countAll({ collection: 'opportunities' })).toBe(12);
    const [opp] = (
      await api.retrieveMultiple({
        collection: 'opportunities',
        select: ['name'],
        filter: '_parentcontactid_value ne null',
        top: 1,
      })
    ).value;
    const row = await api.retrieve<Record<string, unknown>>({
      collection: 'opportunities',
      key: String(opp.opportunityid),
      select: ['name', 'estimatedvalue', 'statecode', '_parentcontactid_value'],
      expand: [{ property: 'parentcontactid', select: ['fullname'] }],
      includeAnnotations: 'OData.Community.Display.V1.FormattedValue',
    });
    expect(row.name).toBe(opp.name);
    expect(row.statecode_Formatted).toEqual(expect.stringMatching(/Open|Won|Lost/));
    expect(String(row.estimatedvalue_Formatted)).toMatch(/^\$[\d,]+\.\d{2}$/);
    expect((row.parentcontactid as { fullname: string }).fullname).toEqual(expect.any(String));
  });

  it('creates, updates, upserts by alternate key and deletes', async () => {
    const id = await api.create({
      collection: 'contacts',
      data: { firstname: 'Grace', lastname: 'Hopper', emailaddress1: 'grace@example.com' },
    });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const updated = await api.update({
      collection: 'contacts',
      key: String(id),
      data: { jobtitle: 'Rear Admiral' },
      returnRepresentation: true,
    });
    expect(updated).toMatchObject({ jobtitle: 'Rear Admiral', fullname: 'Grace Hopper' });
    const upserted: { contactid: string; lastname: string } = await api.upsert({
      collection: 'contacts',
      key: "cr8f3_externalid='gw-42'",
      data: { firstname: 'Ada', lastname: 'Lovelace' },
      returnRepresentation: true,
    });
    expect(upserted.lastname).toBe('Lovelace');
    const again: { contactid: string } = await api.upsert({
      collection: 'contacts',
      key: "cr8f3_externalid='gw-42'",
      data: { lastname: 'King' },
      returnRepresentation: true,
    });
    expect(again.contactid).toBe(upserted.contactid);
    // The client turns the documented 412 of `If-None-Match: *` into null (webapi.test.ts checks the 412).
    await expect(
      api.upsert({
        collection: 'contacts',
        key: "cr8f3_externalid='gw-42'",
        data: { lastname: 'X' },
        ifnonematch: '*',
      }),
    ).resolves.toBeNull();
    await api.deleteRecord({ collection: 'contacts', key: String(id) });
    await expect(api.retrieve({ collection: 'contacts', key: String(id) })).rejects.toMatchObject({
      status: 404,
      code: '0x80040217',
      message: `contact With Id = ${String(id)} Does Not Exist`,
    });
  });

  it('runs a $batch: a change set with a Content-ID reference, then a read', async () => {
    api.startBatch();
    void api.create({
      collection: 'contacts',
      data: { firstname: 'Batch', lastname: 'One' },
      contentId: '1',
    });
    void api.create({
      collection: 'opportunities',
      data: { name: 'Batch deal', 'parentcontactid@odata.bind': '$1', estimatedvalue: 1200 },
    });
    void api.retrieveMultiple({ collection: 'contacts', filter: "lastname eq 'One'", select: ['fullname'] });
    const results = await api.executeBatch();
    expect(results).toHaveLength(3);
    const [contactId, oppId, read] = results as [string, string, { value: { fullname: string }[] }];
    expect(read.value.map((r) => r.fullname)).toContain('Batch One');
    const opp = ctx.server.org().state.store.get('opportunity', oppId);
    expect(opp?.values.parentcontactid).toEqual({ id: contactId, entity: 'contact' });
    expect(ctx.server.org().log.count('POST /api/data/:version/$batch')).toBe(1);
  });

  it('rolls back a failed change set and, with continueOnError, still runs the rest', async () => {
    const before = ctx.server.org().state.store.table('contact').size;
    api.startBatch();
    void api.create({ collection: 'contacts', data: { firstname: 'Rolled', lastname: 'Back' } });
    void api.create({ collection: 'contacts', data: { nosuchcolumn: 1 } });
    void api.retrieveMultiple({ collection: 'contacts', top: 1, select: ['fullname'] });
    const results = await api.executeBatch({ continueOnError: true });
    expect(ctx.server.org().state.store.table('contact').size).toBe(before);
    expect(results[0]).toMatchObject({ status: 400, error: { code: '0x80060888' } });
    expect((results[1] as { value: unknown[] }).value).toHaveLength(1);
  });

  it('tracks changes: the delta link returns new and updated rows, then deletions last', async () => {
    const initial = await api.retrieveAll({
      collection: 'accounts',
      select: ['name'],
      trackChanges: true,
      maxPageSize: 4,
    });
    expect(initial.value).toHaveLength(6);
    expect(initial.oDataDeltaLink).toContain('$deltatoken=');
    const [first, second] = initial.value as { accountid: string }[];
    await api.update({ collection: 'accounts', key: first.accountid, data: { name: 'Renamed Ltd' } });
    await api.deleteRecord({ collection: 'accounts', key: second.accountid });
    const created = await api.create({ collection: 'accounts', data: { name: 'Fresh Inc' } });
    const delta = await api.retrieveMultiple({ collection: 'accounts' }, initial.oDataDeltaLink);
    const rows = delta.value as Record<string, unknown>[];
    expect(rows.map((r) => r.accountid ?? r.id)).toEqual([first.accountid, created, second.accountid]);
    expect(rows[2]).toMatchObject({ reason: 'deleted' });
    expect(String(rows[2]['@odata.context'])).toMatch(/\$metadata#accounts\/\$deletedEntity$/);
    expect(delta.oDataDeltaLink).not.toBe(initial.oDataDeltaLink);
    const quiet = await api.retrieveMultiple({ collection: 'accounts' }, delta.oDataDeltaLink);
    expect(quiet.value).toEqual([]);
  });

  it('wins an opportunity through the WinOpportunity action', async () => {
    const [open] = (
      await api.retrieveMultiple({
        collection: 'opportunities',
        filter: 'statecode eq 0',
        top: 1,
        select: ['name'],
      })
    ).value;
    await api.callAction({
      actionName: 'WinOpportunity',
      action: {
        Status: 3,
        OpportunityClose: {
          subject: 'Won!',
          'opportunityid@odata.bind': `/opportunities(${String(open.opportunityid)})`,
        },
      },
    });
    const row = await api.retrieve<{ statecode: number; statuscode: number }>({
      collection: 'opportunities',
      key: String(open.opportunityid),
      select: ['statecode', 'statuscode'],
    });
    expect(row).toMatchObject({ statecode: 1, statuscode: 3 });
  });
});
