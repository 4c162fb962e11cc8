import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
beforeAll(async () => {
  s = await startSalesforce({ Account: 5, Contact: 30, Opportunity: 10 });
});
afterAll(() => s.close());

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

describe('versions and sessions (Parts A1, A3)', () => {
  it('lists versions without counting or a limit header, serves the resource map, retires old versions with 410', async () => {
    const versions = await s.sf('GET', '/services/data', { token: null });
    expect(versions.status).toBe(200);
    expect(versions.headers.get('sforce-limit-info')).toBeNull();
    expect(versions.json).toContainEqual({
      label: "Winter '25",
      url: '/services/data/v62.0',
      version: '62.0',
    });
    const map = await s.sf('GET', V);
    expect(map.json).toMatchObject({ sobjects: `${V}/sobjects`, query: `${V}/query`, limits: `${V}/limits` });
    expect(map.json.identity).toMatch(/\/id\/00D\w{15}\/005\w{15}$/);
    const retired = await s.sf('GET', '/services/data/v30.0/limits');
    expect(retired.status).toBe(410);
    expect(Array.isArray(retired.json)).toBe(true);
    expect((await s.sf('GET', '/services/data/v99.0/limits')).status).toBe(404);
    // docs/vendors/salesforce.md "Hosts and API versions": accept up to v68.0 (Winter '27 preview) by default; the next one is unknown.
    expect(versions.json).toContainEqual({
      label: "Winter '27",
      url: '/services/data/v68.0',
      version: '68.0',
    });
    expect((await s.sf('GET', '/services/data/v68.0/limits')).status).toBe(200);
    expect((await s.sf('GET', '/services/data/v69.0/limits')).status).toBe(404);
    await s.admin('PATCH', 'default/settings', { minVersion: 58, maxVersion: 62 });
    expect((await s.sf('GET', '/services/data/v57.0/limits')).status).toBe(410);
    expect((await s.sf('GET', '/services/data/v63.0/limits')).status).toBe(404);
    await s.admin('PATCH', 'default/settings', { minVersion: 31, maxVersion: 68 });
    expect((await s.admin('PATCH', 'default/settings', { minVersion: 'x' })).status).toBe(400);
  });

  it('answers a bad or missing session with 401, a JSON array and WWW-Authenticate: Token', async () => {
    for (const token of ['garbage', null]) {
      const res = await s.sf('GET', `${V}/sobjects/Contact/describe`, { token });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Token');
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(res.json).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    }
  });

  it('keeps orgs apart: one org’s token cannot see another org’s records', async () => {
    const otherContact = [...s.server.org('other').state.store.table('Contact').keys()][0] as string;
    expect((await s.sf('GET', `${V}/sobjects/Contact/${otherContact}`)).status).toBe(404);
    expect(
      (await s.sf('GET', `${V}/sobjects/Contact/${otherContact}`, { token: s.token('other') })).status,
    ).toBe(200);
  });
});

describe('sObject rows (Part A5)', () => {
  it('creates, retrieves, updates and deletes a contact with the documented statuses and shapes', async () => {
    const created = await s.sf('POST', `${V}/sobjects/Contact/`, {
      body: { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' },
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.stringMatching(/^003\w{15}$/), success: true, errors: [] });
    const id = created.json.id as string;

    const got = await s.sf('GET', `${V}/sobjects/Contact/${id}`);
    expect(Object.keys(got.json)[0]).toBe('attributes');
    expect(got.json.attributes).toEqual({ type: 'Contact', url: `${V}/sobjects/Contact/${id}` });
    expect(got.json).toMatchObject({
      Id: id,
      Name: 'Ada Lovelace',
      IsDeleted: false,
      Customer_Tier__c: null,
      Newsletter_Opt_In__c: false,
    });
    expect(got.json.CreatedDate).toMatch(DATETIME);
    expect(got.json.OwnerId).toMatch(/^005/);
    const few = await s.sf('GET', `${V}/sobjects/Contact/${id.slice(0, 15)}?fields=FirstName,Email`);
    expect(few.json).toEqual({
      attributes: got.json.attributes,
      Id: id,
      FirstName: 'Ada',
      Email: 'ada@example.com',
    });

    const patched = await s.sf('PATCH', `${V}/sobjects/Contact/${id}`, { body: { Title: 'Analyst' } });
    expect(patched.status).toBe(204);
    expect(patched.text).toBe('');
    expect((await s.sf('GET', `${V}/sobjects/Contact/${id}?fields=Title`)).json.Title).toBe('Analyst');

    expect((await s.sf('DELETE', `${V}/sobjects/Contact/${id}`)).status).toBe(204);
    const gone = await s.sf('GET', `${V}/sobjects/Contact/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json[0].errorCode).toBe('ENTITY_IS_DELETED');
    const again = await s.sf('DELETE', `${V}/sobjects/Contact/${id}`);
    expect(again.status).toBe(404);
  });

  it('validates writes the way Salesforce does, with JSON-array errors', async () => {
    const withId = await s.sf('POST', `${V}/sobjects/Contact`, {
      body: { Id: '003000000000000AAA', LastName: 'X' },
    });
    expect(withId.status).toBe(400);
    expect(withId.json).toEqual([
      { message: 'The Id field should not be specified in the sobject data.', errorCode: 'INVALID_FIELD' },
    ]);
    const missing = await s.sf('POST', `${V}/sobjects/Contact`, { body: { FirstName: 'NoLast' } });
    expect(missing.json).toEqual([
      {
        message: 'Required fields are missing: [LastName]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName'],
      },
    ]);
    const unknown = await s.sf('POST', `${V}/sobjects/Contact`, { body: { LastName: 'X', Nope__c: 1 } });
    expect(unknown.json[0]).toMatchObject({ errorCode: 'INVALID_FIELD', fields: ['Nope__c'] });
    const readOnly = await s.sf('POST', `${V}/sobjects/Contact`, { body: { LastName: 'X', Name: 'Full' } });
    expect(readOnly.json[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    const picklist = await s.sf('POST', `${V}/sobjects/Contact`, {
      body: { LastName: 'X', Customer_Tier__c: 'Platinum' },
    });
    expect(picklist.json[0].errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const email = await s.sf('POST', `${V}/sobjects/Contact`, { body: { LastName: 'X', Email: 'nope' } });
    expect(email.json[0].errorCode).toBe('INVALID_EMAIL_ADDRESS');
    const ref = await s.sf('POST', `${V}/sobjects/Contact`, {
      body: { LastName: 'X', AccountId: '006000000000000AAA' },
    });
    expect(ref.json[0].errorCode).toBe('FIELD_INTEGRITY_EXCEPTION');
    const badJson = await s.sf('POST', `${V}/sobjects/Contact`, {
      raw: '{"LastName":',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json[0].errorCode).toBe('JSON_PARSER_ERROR');
    const unknownType = await s.sf('GET', `${V}/sobjects/Widget__c/001000000000000AAA`);
    expect(unknownType.json).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });

  it('derives opportunity fields from the stage', async () => {
    const made = await s.sf('POST', `${V}/sobjects/Opportunity`, {
      body: { Name: 'Deal', StageName: 'Negotiation/Review', CloseDate: '2030-01-31', Amount: 1234.567 },
    });
    const id = made.json.id as string;
    const got = (await s.sf('GET', `${V}/sobjects/Opportunity/${id}`)).json;
    expect(got).toMatchObject({
      Probability: 90,
      IsClosed: false,
      IsWon: false,
      Amount: 1234.57,
      CloseDate: '2030-01-31',
    });
    await s.sf('PATCH', `${V}/sobjects/Opportunity/${id}`, { body: { StageName: 'Closed Won' } });
    expect((await s.sf('GET', `${V}/sobjects/Opportunity/${id}`)).json).toMatchObject({
      Probability: 100,
      IsClosed: true,
      IsWon: true,
    });
  });

  it('upserts by external id: 201 created, 200 updated (v46+), 204 before v46, 404 for a non-external field', async () => {
    const path = `${V}/sobjects/Contact/External_Id__c/UPS-1`;
    const created = await s.sf('PATCH', path, { body: { LastName: 'Upsert' } });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.any(String), success: true, errors: [], created: true });
    const updated = await s.sf('PATCH', path, { body: { LastName: 'Upsert 2' } });
    expect(updated.status).toBe(200);
    expect(updated.json).toEqual({ id: created.json.id, success: true, errors: [], created: false });
    const old = await s.sf('PATCH', '/services/data/v45.0/sobjects/Contact/External_Id__c/UPS-1', {
      body: { LastName: 'Upsert 3' },
    });
    expect(old.status).toBe(204);
    const oldCreate = await s.sf('PATCH', '/services/data/v45.0/sobjects/Contact/External_Id__c/UPS-2', {
      body: { LastName: 'Old' },
    });
    expect(oldCreate.json).toEqual({ id: expect.any(String), success: true, errors: [] });
    expect(
      (await s.sf('PATCH', `${V}/sobjects/Contact/Email/x@y.z`, { body: { LastName: 'X' } })).status,
    ).toBe(404);
    expect(
      (await s.sf('PATCH', `${path.replace('UPS-1', 'UPS-9')}?updateOnly=true`, { body: { LastName: 'X' } }))
        .status,
    ).toBe(404);
    const byExt = await s.sf('GET', path);
    expect(byExt.json).toMatchObject({ Id: created.json.id, LastName: 'Upsert 3' });
    await s.admin('PATCH', 'default/settings', { upsertUpdateReturns200: false });
    expect((await s.sf('PATCH', path, { body: { LastName: 'Upsert 4' } })).status).toBe(204);
    await s.admin('PATCH', 'default/settings', { upsertUpdateReturns200: true });
    const dup = await s.sf('PATCH', `${V}/sobjects/Contact/${created.json.id}`, {
      body: { External_Id__c: 'UPS-2' },
    });
    expect(dup.json[0].errorCode).toBe('DUPLICATE_VALUE');
  });

  it('answers a wrong method on a known resource 405 and an unknown resource 404, both with Sforce-Limit-Info', async () => {
    const contactId = [...s.server.org().state.store.table('Contact').keys()][0] as string;
    const put = await s.sf('PUT', `${V}/sobjects/Contact/${contactId}`, { body: { LastName: 'X' } });
    expect(put.status).toBe(405);
    expect(put.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/\d+$/);
    expect(put.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(put.json).toEqual([
      { errorCode: 'METHOD_NOT_ALLOWED', message: expect.stringContaining("HTTP Method 'PUT' not allowed") },
    ]);
    expect(put.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PATCH', 'POST']);
    const delQuery = await s.sf('DELETE', `${V}/query?q=SELECT+Id+FROM+Contact`);
    expect(delQuery.status).toBe(405);
    expect(delQuery.json[0].errorCode).toBe('METHOD_NOT_ALLOWED');
    const unknown = await s.sf('GET', `${V}/no/such/resource`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('sforce-limit-info')).toMatch(/^api-usage=/);
    expect(unknown.json).toEqual([
      { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' },
    ]);
    // The catch-all sits behind the same session guard as every data-API route.
    expect((await s.sf('PUT', `${V}/sobjects/Contact/${contactId}`, { token: 'garbage' })).status).toBe(401);
  });

  it('keeps at most one primary OpportunityContactRole per Opportunity', async () => {
    const opp = await s.sf('POST', `${V}/sobjects/Opportunity`, {
      body: { Name: 'Roles', StageName: 'Prospecting', CloseDate: '2030-01-31' },
    });
    const contacts = [...s.server.org().state.store.table('Contact').values()]
      .filter((c) => !c.IsDeleted)
      .slice(0, 3)
      .map((c) => c.Id as string);
    const role = async (ContactId: string, IsPrimary: boolean): Promise<string> =>
      (
        await s.sf('POST', `${V}/sobjects/OpportunityContactRole`, {
          body: { OpportunityId: opp.json.id, ContactId, IsPrimary },
        })
      ).json.id as string;
    const primaries = async (): Promise<string[]> =>
      (
        await s.sf(
          'GET',
          `${V}/query?q=${encodeURIComponent(`SELECT Id FROM OpportunityContactRole WHERE OpportunityId = '${opp.json.id as string}' AND IsPrimary = true`)}`,
        )
      ).json.records.map((r: { Id: string }) => r.Id);
    const first = await role(contacts[0] as string, true);
    const second = await role(contacts[1] as string, false);
    expect(await primaries()).toEqual([first]);
    const third = await role(contacts[2] as string, true);
    expect(await primaries()).toEqual([third]);
    await s.sf('PATCH', `${V}/sobjects/OpportunityContactRole/${second}`, { body: { IsPrimary: true } });
    expect(await primaries()).toEqual([second]);
    // Other opportunities' primaries are untouched: every seeded opportunity still has exactly one.
    const perOpp = new Map<string, number>();
    for (const r of s.server.org().state.store.table('OpportunityContactRole').values())
      if (!r.IsDeleted && r.IsPrimary)
        perOpp.set(r.OpportunityId as string, (perOpp.get(r.OpportunityId as string) ?? 0) + 1);
    expect(Math.max(...perOpp.values())).toBe(1);
    expect(perOpp.size).toBeGreaterThan(1);
  });
});

describe('describe (Part A12)', () => {
  it('describes objects with typed fields, picklists, references and child relationships', async () => {
    const d = (await s.sf('GET', `${V}/sobjects/Opportunity/describe`)).json;
    expect(d).toMatchObject({ name: 'Opportunity', keyPrefix: '006', createable: true, queryable: true });
    const stage = d.fields.find((f: { name: string }) => f.name === 'StageName');
    expect(stage).toMatchObject({ type: 'picklist', nillable: false, soapType: 'xsd:string' });
    expect(stage.picklistValues[0]).toEqual({
      active: true,
      defaultValue: false,
      label: 'Prospecting',
      validFor: null,
      value: 'Prospecting',
    });
    expect(d.fields.find((f: { name: string }) => f.name === 'AccountId')).toMatchObject({
      type: 'reference',
      referenceTo: ['Account'],
      relationshipName: 'Account',
    });
    expect(d.fields.find((f: { name: string }) => f.name === 'Amount')).toMatchObject({
      type: 'currency',
      soapType: 'xsd:double',
    });
    expect(d.childRelationships).toContainEqual(
      expect.objectContaining({
        relationshipName: 'OpportunityContactRoles',
        childSObject: 'OpportunityContactRole',
      }),
    );
    const global = (await s.sf('GET', `${V}/sobjects`)).json;
    expect(global.sobjects.map((o: { name: string }) => o.name)).toEqual(
      expect.arrayContaining(['Account', 'Contact', 'Opportunity', 'OpportunityContactRole']),
    );
    expect((await s.sf('GET', `${V}/sobjects/Contact`)).json).toMatchObject({
      objectDescribe: { name: 'Contact' },
      recentItems: [],
    });
  });
});
