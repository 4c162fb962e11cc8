import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
beforeAll(async () => {
  s = await startSalesforce({ Account: 5, Contact: 40, Opportunity: 10 });
});
afterAll(() => s.close());

const contactCount = () => s.server.org().state.store.table('Contact').size;

describe('sObject Collections (Part A8)', () => {
  it('creates with per-record SaveResults keyed statusCode; allOrNone rolls everything back', async () => {
    const before = contactCount();
    const mixed = await s.sf('POST', `${V}/composite/sobjects`, {
      body: {
        allOrNone: false,
        records: [
          { attributes: { type: 'Contact' }, LastName: 'A' },
          { attributes: { type: 'Contact' }, Email: 'x@example.com' },
        ],
      },
    });
    expect(mixed.status).toBe(200);
    expect(mixed.json).toEqual([
      { id: expect.stringMatching(/^003/), success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'REQUIRED_FIELD_MISSING',
            message: 'Required fields are missing: [LastName]',
            fields: ['LastName'],
          },
        ],
      },
    ]);
    expect(contactCount()).toBe(before + 1);
    const atomic = await s.sf('POST', `${V}/composite/sobjects`, {
      body: {
        allOrNone: true,
        records: [
          { attributes: { type: 'Contact' }, LastName: 'B' },
          { attributes: { type: 'Account' }, Name: 'Acme' },
          { attributes: { type: 'Contact' } },
        ],
      },
    });
    expect(atomic.json[0]).toEqual({
      success: false,
      errors: [expect.objectContaining({ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' })],
    });
    expect(atomic.json[2].errors[0].statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect(contactCount()).toBe(before + 1);
    const tooMany = await s.sf('POST', `${V}/composite/sobjects`, {
      body: {
        records: Array.from({ length: 201 }, (_, i) => ({
          attributes: { type: 'Contact' },
          LastName: `N${i}`,
        })),
      },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('updates, upserts with created flags, deletes, and retrieves by GET and POST', async () => {
    const ids = [...s.server.org().state.store.table('Contact').values()]
      .filter((r) => !r.IsDeleted)
      .slice(0, 3)
      .map((r) => String(r.Id));
    const upd = await s.sf('PATCH', `${V}/composite/sobjects`, {
      body: {
        records: [
          { attributes: { type: 'Contact' }, id: ids[0], Title: 'T1' },
          { attributes: { type: 'Contact' }, id: '003000000000000AAA', Title: 'x' },
        ],
      },
    });
    expect(upd.json[0]).toEqual({ id: ids[0], success: true, errors: [] });
    expect(upd.json[1].success).toBe(false);
    const ups = await s.sf('PATCH', `${V}/composite/sobjects/Contact/External_Id__c`, {
      body: {
        allOrNone: false,
        records: [
          { attributes: { type: 'Contact' }, External_Id__c: 'COL-1', LastName: 'New' },
          { attributes: { type: 'Contact' }, External_Id__c: 'CUST-000001', LastName: 'Seeded' },
        ],
      },
    });
    expect(ups.json.map((r: { created: boolean }) => r.created)).toEqual([true, false]);
    const get = await s.sf(
      'GET',
      `${V}/composite/sobjects/Contact?ids=${ids[0]},003000000000000AAA,${ids[1]}&fields=Id,Title`,
    );
    expect(get.json).toEqual([
      expect.objectContaining({ Id: ids[0], Title: 'T1' }),
      null,
      expect.objectContaining({ Id: ids[1] }),
    ]);
    const post = await s.sf('POST', `${V}/composite/sobjects/Contact`, {
      body: { ids: [ids[2]], fields: ['LastName'] },
    });
    expect(post.json[0]).toMatchObject({
      attributes: { type: 'Contact' },
      Id: ids[2],
      LastName: expect.any(String),
    });
    const tooMany = await s.sf('POST', `${V}/composite/sobjects/Contact`, {
      body: { ids: Array.from({ length: 2001 }, () => ids[0]), fields: ['Id'] },
    });
    expect(tooMany.status).toBe(400);
    const del = await s.sf(
      'DELETE',
      `${V}/composite/sobjects?ids=${ids[2]},003000000000000AAA&allOrNone=false`,
    );
    expect(del.json[0]).toEqual({ id: ids[2], success: true, errors: [] });
    expect(del.json[1].success).toBe(false);
  });

  it('processes records in chunks by type and refuses more than 10 chunks with 400, writing nothing', async () => {
    const contact = (n: number) => ({ attributes: { type: 'Contact' }, LastName: `Chunk ${n}` });
    const account = (n: number) => ({ attributes: { type: 'Account' }, Name: `Chunk ${n}` });
    // Alternating types: 10 chunks pass, 11 do not; grouping the same 11 records by type is 2 chunks.
    const alternating = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 ? account(i) : contact(i)));
    const ten = await s.sf('POST', `${V}/composite/sobjects`, { body: { records: alternating(10) } });
    expect(ten.status).toBe(200);
    expect(ten.json.every((r: { success: boolean }) => r.success)).toBe(true);
    const before = contactCount();
    const eleven = await s.sf('POST', `${V}/composite/sobjects`, { body: { records: alternating(11) } });
    expect(eleven.status).toBe(400);
    expect(eleven.json).toEqual([
      { errorCode: expect.any(String), message: expect.stringContaining('more than 10 chunks') },
    ]);
    expect(eleven.headers.get('sforce-limit-info')).toMatch(/^api-usage=/);
    expect(contactCount()).toBe(before);
    const grouped = [...alternating(11)].sort((a, b) => a.attributes.type.localeCompare(b.attributes.type));
    expect((await s.sf('POST', `${V}/composite/sobjects`, { body: { records: grouped } })).status).toBe(200);
    const ids = ten.json.map((r: { id: string }) => r.id) as string[];
    const updates = [...ids, ids[0]].map((id, i) => ({
      attributes: { type: i % 2 ? 'Account' : 'Contact' },
      id,
      ...(i % 2 ? { Name: 'U' } : { LastName: 'U' }),
    }));
    const patch = await s.sf('PATCH', `${V}/composite/sobjects`, { body: { records: updates } });
    expect(patch.status).toBe(400);
    expect(patch.json[0].message).toContain('more than 10 chunks');
  });
});

describe('Composite (Part A9)', () => {
  it('chains subrequests with references, counts as one call, always answers 200', async () => {
    const before = s.server.org().log.total;
    const res = await s.sf('POST', `${V}/composite`, {
      body: {
        allOrNone: false,
        compositeRequest: [
          {
            method: 'POST',
            url: `${V}/sobjects/Account`,
            referenceId: 'acc',
            body: { Name: 'Composite Co' },
          },
          {
            method: 'POST',
            url: `${V}/sobjects/Contact`,
            referenceId: 'con',
            body: { LastName: 'Comp', AccountId: '@{acc.id}' },
          },
          {
            method: 'GET',
            url: `${V}/query?q=SELECT+Id,Account.Name+FROM+Contact+WHERE+Id='@{con.id}'`,
            referenceId: 'q',
          },
          { method: 'POST', url: `${V}/sobjects/Contact`, referenceId: 'bad', body: { FirstName: 'x' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    const [acc, con, query, bad] = res.json.compositeResponse;
    expect(acc).toMatchObject({
      httpStatusCode: 201,
      referenceId: 'acc',
      httpHeaders: { Location: expect.stringContaining('/sobjects/Account/') },
    });
    expect(con.httpStatusCode).toBe(201);
    expect(query.body.records[0].Account.Name).toBe('Composite Co');
    expect(bad).toMatchObject({
      httpStatusCode: 400,
      body: [expect.objectContaining({ errorCode: 'REQUIRED_FIELD_MISSING' })],
    });
    expect(s.server.org().log.total).toBe(before + 1);
    expect(res.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/\d+$/);
  });

  it('rolls back with allOrNone and refuses more than 25 subrequests', async () => {
    const before = s.server.org().state.store.table('Account').size;
    const res = await s.sf('POST', `${V}/composite`, {
      body: {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a1', body: { Name: 'Rolled Back' } },
          { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a2', body: {} },
          { method: 'POST', url: `${V}/sobjects/Account`, referenceId: 'a3', body: { Name: 'Never' } },
        ],
      },
    });
    expect(res.json.compositeResponse.map((r: { httpStatusCode: number }) => r.httpStatusCode)).toEqual([
      400, 400, 400,
    ]);
    expect(res.json.compositeResponse[0].body[0].errorCode).toBe('PROCESSING_HALTED');
    expect(s.server.org().state.store.table('Account').size).toBe(before);
    const tooMany = await s.sf('POST', `${V}/composite`, {
      body: {
        compositeRequest: Array.from({ length: 26 }, (_, i) => ({
          method: 'GET',
          url: `${V}/limits`,
          referenceId: `r${i}`,
        })),
      },
    });
    expect(tooMany.status).toBe(400);
  });
});
