// Raw HTTP against the Web API: the documented status codes, headers and error bodies, and what an
// attacker might send (malformed filters, huge $top, bad keys) answered as errors, never a crash.
import { API, startDynamics } from './helpers';

describe('Dataverse sandbox: Web API over raw HTTP', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeAll(async () => {
    ctx = await startDynamics({ contact: 25, opportunity: 10, account: 5 });
  });
  afterAll(async () => {
    await ctx.live.close();
  });
  const store = () => ctx.server.org().state.store;
  const anyContact = () => [...store().table('contact').values()][0]!;

  it('creates with 204 + OData-EntityId, or 201 + body with return=representation', async () => {
    const plain = await ctx.call('POST', `${API}/contacts`, {
      body: { firstname: 'Ada', lastname: 'Lovelace' },
    });
    expect(plain.status).toBe(204);
    expect(plain.headers.get('odata-entityid')).toMatch(
      new RegExp(`^${ctx.live.baseUrl}${API}/contacts\\([0-9a-f-]{36}\\)$`),
    );
    expect(plain.headers.get('odata-version')).toBe('4.0');
    const rep = await ctx.call('POST', `${API}/contacts?$select=fullname`, {
      body: { firstname: 'Alan', lastname: 'Turing' },
      headers: { prefer: 'return=representation' },
    });
    expect(rep.status).toBe(201);
    expect(rep.headers.get('preference-applied')).toBe('return=representation');
    expect(rep.headers.get('odata-entityid')).toBeNull();
    expect(rep.headers.get('content-type')).toBe('application/json; odata.metadata=minimal');
    expect(rep.json).toMatchObject({
      '@odata.context': `${ctx.live.baseUrl}${API}/$metadata#contacts(fullname)/$entity`,
      fullname: 'Alan Turing',
    });
    expect(Object.keys(rep.json)).toEqual(['@odata.context', '@odata.etag', 'fullname', 'contactid']);
  });

  it('binds lookups with @odata.bind and reads them back as _<name>_value with annotations', async () => {
    const account = [...store().table('account').values()][0]!;
    const res = await ctx.call('POST', `${API}/contacts`, {
      body: { lastname: 'Bound', 'parentcustomerid_account@odata.bind': `/accounts(${account.id})` },
      headers: { prefer: 'return=representation,odata.include-annotations="*"' },
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      _parentcustomerid_value: account.id,
      '_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'account',
      '_parentcustomerid_value@Microsoft.Dynamics.CRM.associatednavigationproperty':
        'parentcustomerid_account',
      '_parentcustomerid_value@OData.Community.Display.V1.FormattedValue': account.values.name,
    });
    const bad = await ctx.call('POST', `${API}/contacts`, {
      body: { lastname: 'X', _parentcustomerid_value: account.id },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toBe(
      'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
    );
    const missing = await ctx.call('POST', `${API}/contacts`, {
      body: {
        lastname: 'X',
        'parentcustomerid_account@odata.bind': '/accounts(00000000-0000-0000-0000-0000000000aa)',
      },
    });
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({
      error: {
        code: '0x80040217',
        message: 'account With Id = 00000000-0000-0000-0000-0000000000aa Does Not Exist',
      },
    });
  });

  it('updates with If-Match: * (404 when missing), checks etags (412) and answers 304 to an unchanged If-None-Match', async () => {
    const c = anyContact();
    const got = await ctx.call('GET', `${API}/contacts(${c.id})?$select=lastname`);
    const etag = String(got.json['@odata.etag']);
    expect(got.headers.get('etag')).toBe(etag);
    const unchanged = await ctx.call('GET', `${API}/contacts(${c.id})?$select=lastname`, {
      headers: { 'if-none-match': etag },
    });
    expect(unchanged.status).toBe(304);
    const upd = await ctx.call('PATCH', `${API}/contacts(${c.id})`, {
      body: { jobtitle: 'CTO' },
      headers: { 'if-match': etag },
    });
    expect(upd.status).toBe(204);
    const stale = await ctx.call('PATCH', `${API}/contacts(${c.id})`, {
      body: { jobtitle: 'CEO' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect(stale.json).toEqual({
      error: {
        code: '0x80060882',
        message: "The version of the existing record doesn't match the RowVersion property provided.",
      },
    });
    const ghost = '11111111-2222-4333-8444-555555555555';
    const none = await ctx.call('PATCH', `${API}/contacts(${ghost})`, {
      body: { jobtitle: 'x' },
      headers: { 'if-match': '*' },
    });
    expect(none.status).toBe(404);
    expect(none.json.error.message).toBe(`contact With Id = ${ghost} Does Not Exist`);
    expect(store().get('contact', ghost)).toBeUndefined();
  });

  it('upserts by id and by alternate key; If-None-Match: * refuses an existing row with 412', async () => {
    const id = '21111111-2222-4333-8444-555555555555';
    const created = await ctx.call('PATCH', `${API}/contacts(${id})`, {
      body: { lastname: 'Upserted' },
      headers: { prefer: 'return=representation' },
    });
    expect(created.status).toBe(201);
    const updated = await ctx.call('PATCH', `${API}/contacts(${id})`, {
      body: { lastname: 'Again' },
      headers: { prefer: 'return=representation' },
    });
    expect(updated.status).toBe(200);
    const byKey = await ctx.call('PATCH', `${API}/contacts(emailaddress1='o''brien@example.com')`, {
      body: { lastname: "O'Brien" },
    });
    expect(byKey.status).toBe(204);
    const row = store().findByKey('contact', { emailaddress1: "o'brien@example.com" });
    expect(row?.values.lastname).toBe("O'Brien");
    const dup = await ctx.call('PATCH', `${API}/contacts(emailaddress1='o''brien@example.com')`, {
      body: { lastname: 'Y' },
      headers: { 'if-none-match': '*' },
    });
    expect(dup.status).toBe(412);
    expect(dup.json).toEqual({
      error: { code: '0x80040237', message: 'A record with matching key values already exists.' },
    });
    const notKey = await ctx.call('GET', `${API}/contacts(lastname='Again')`);
    expect(notKey.status).toBe(400);
    expect(notKey.json.error.message).toMatch(
      /^The key in the request URI is not valid for resource 'Microsoft.Dynamics.CRM.contact'/,
    );
  });

  it('deletes (204, then 404)', async () => {
    const c = [...store().table('contact').values()][3]!;
    expect((await ctx.call('DELETE', `${API}/contacts(${c.id})`)).status).toBe(204);
    const again = await ctx.call('DELETE', `${API}/contacts(${c.id})`);
    expect(again.status).toBe(404);
    expect(again.json.error.code).toBe('0x80040217');
  });

  it('refuses a PATCH of an opportunity statecode and updates of a closed one; the actions close it', async () => {
    const open = [...store().table('opportunity').values()].find((o) => o.values.statecode === 0)!;
    const won = await ctx.call('PATCH', `${API}/opportunities(${open.id})`, { body: { statecode: 1 } });
    expect(won.status).toBe(400);
    expect(won.json.error.message).toBe(
      'This message can not be used to set the state of opportunity to Won. In order to set state of opportunity to Won use the WinOpportunityRequest message instead.',
    );
    const lose = await ctx.call('POST', `${API}/LoseOpportunity`, {
      body: {
        Status: 5,
        OpportunityClose: { subject: 'Lost', 'opportunityid@odata.bind': `/opportunities(${open.id})` },
      },
    });
    expect(lose.status).toBe(204);
    expect(store().get('opportunity', open.id)?.values).toMatchObject({ statecode: 2, statuscode: 5 });
    const edit = await ctx.call('PATCH', `${API}/opportunities(${open.id})`, { body: { name: 'late edit' } });
    expect(edit.status).toBe(400);
    const reopen = await ctx.call('PATCH', `${API}/opportunities(${open.id})`, {
      body: { statecode: 0, statuscode: 1 },
    });
    expect(reopen.status).toBe(204);
    const badStatus = await ctx.call('PATCH', `${API}/opportunities(${open.id})`, {
      body: { statuscode: 3 },
    });
    expect(badStatus.status).toBe(400);
    expect(badStatus.json.error.message).toBe(
      '3 is not a valid status code for state code OpportunityState.Open',
    );
  });

  it('pages with odata.maxpagesize and an opaque $skiptoken; $top without a page size', async () => {
    const first = await ctx.call('GET', `${API}/contacts?$select=fullname&$orderby=lastname desc`, {
      headers: { prefer: 'odata.maxpagesize=10' },
    });
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=10');
    expect(first.json.value).toHaveLength(10);
    const next = String(first.json['@odata.nextLink']);
    expect(next).toContain('$skiptoken=');
    expect(decodeURIComponent(next)).toMatch(
      /<cookie pagenumber="2" pagingcookie="[^"]+" istracking="False" \/>/,
    );
    const ids: string[] = first.json.value.map((r: { contactid: string }) => r.contactid);
    let link: string | undefined = next;
    while (link) {
      const page: { json: { value: { contactid: string }[]; '@odata.nextLink'?: string } } = await ctx.call(
        'GET',
        link.slice(ctx.live.baseUrl.length),
        {
          headers: { prefer: 'odata.maxpagesize=10' },
        },
      );
      ids.push(...page.json.value.map((r: { contactid: string }) => r.contactid));
      link = page.json['@odata.nextLink'];
    }
    expect(ids).toHaveLength(store().table('contact').size);
    expect(new Set(ids).size).toBe(ids.length);
    const top = await ctx.call('GET', `${API}/contacts?$top=3&$count=true`);
    expect(top.json.value).toHaveLength(3);
    expect(top.json['@odata.count']).toBe(store().table('contact').size);
    expect(top.json['@odata.nextLink']).toBeUndefined();
    const count = await ctx.call('GET', `${API}/contacts/$count`);
    expect(count.text).toBe(String(store().table('contact').size));
    const otherSize = await ctx.call('GET', next.slice(ctx.live.baseUrl.length), {
      headers: { prefer: 'odata.maxpagesize=5' },
    });
    expect(otherSize.status).toBe(400);
  });

  it('filters with every documented operator, OData escaping and Microsoft.Dynamics.CRM.In', async () => {
    const [a, b] = [...store().table('contact').values()];
    const q = async (filter: string) => {
      const res = await ctx.call(
        'GET',
        `${API}/contacts?$select=lastname&$filter=${encodeURIComponent(filter)}`,
      );
      expect(res.status).toBe(200);
      return (res.json.value as { contactid: string }[]).map((r) => r.contactid);
    };
    expect(await q(`contactid eq ${a!.id}`)).toEqual([a!.id]);
    expect(
      (
        await q(`Microsoft.Dynamics.CRM.In(PropertyName='contactid',PropertyValues=['${a!.id}','${b!.id}'])`)
      ).sort(),
    ).toEqual([a!.id, b!.id].sort());
    expect(await q(`lastname eq 'O''Brien'`)).toHaveLength(1);
    expect(await q(`contains(lastname,'''bri') and statecode eq 0`)).toHaveLength(1);
    expect(
      (await q(`startswith(emailaddress1,'${String(a!.values.emailaddress1).slice(0, 4).toUpperCase()}')`))
        .length,
    ).toBeGreaterThan(0);
    const since = new Date(a!.modifiedOn).toISOString();
    const after = await q(`modifiedon gt ${since}`);
    const notAfter = await q(`modifiedon le ${since}`);
    expect(after.length + notAfter.length).toBe(store().table('contact').size);
    expect(await q(`(statecode eq 1 or statecode ne 1) and not (statecode lt 0)`)).toHaveLength(
      store().table('contact').size,
    );
    expect((await q(`_parentcustomerid_value eq null`)).length).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown column', '$filter=nosuch eq 1', /Could not find a property named 'nosuch'/],
    ['a dangling operator', '$filter=lastname eq', /Expression expected/],
    ['an unterminated string', "$filter=lastname eq 'abc", /Unterminated string literal/],
    ['an invalid character', '$filter=lastname eq %25', /character '%' is not valid/],
    ['a deep nesting', `$filter=${'('.repeat(200)}statecode eq 0${')'.repeat(200)}`, /nested more than/],
    ['an unknown function', '$filter=Microsoft.Dynamics.CRM.Nope(x=1)', /Unknown function/],
    ['a huge $top', '$top=99999999999999999999', /\$top query option requires a non-negative integer/],
    ['a negative $top', '$top=-1', /non-negative integer/],
    ['an unknown $select column', '$select=nosuch', /Could not find a property named 'nosuch'/],
    ['an unknown option', '$skip=10', /The query parameter \$skip is not supported/],
    ['an unknown $expand', '$expand=nowhere', /Could not find a property named 'nowhere'/],
    [
      'a forged $skiptoken',
      '$skiptoken=%3Ccookie%20pagingcookie%3D%22AAAA%22%2F%3E',
      /The \$skiptoken value is not valid/,
    ],
    ['a bad percent-encoding', '$filter=%E0%A4%A', /percent-encoded/],
  ])('answers %s with a 400 and a Dataverse error body', async (_case, query, message) => {
    const res = await ctx.call('GET', `${API}/contacts?${query}`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('0x80060888');
    expect(res.json.error.message).toMatch(message);
  });

  it('rejects bad bodies and unknown resources with Dataverse errors', async () => {
    const notJson = await ctx.call('POST', `${API}/contacts`, {
      body: '{"lastname":',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('0x80060888');
    const unknownColumn = await ctx.call('POST', `${API}/contacts`, { body: { lastname: 'x', nosuch: 1 } });
    expect(unknownColumn.json.error.message).toMatch(
      /^The property 'nosuch' does not exist on type 'Microsoft.Dynamics.CRM.contact'/,
    );
    const tooLong = await ctx.call('POST', `${API}/contacts`, { body: { lastname: 'x'.repeat(51) } });
    expect(tooLong.json.error.code).toBe('0x80044331');
    const badChoice = await ctx.call('POST', `${API}/opportunities`, { body: { name: 'x', salesstage: 9 } });
    expect(badChoice.json.error.message).toMatch(/is outside the valid range. Accepted Values: 0,1,2,3$/);
    const wrongType = await ctx.call('POST', `${API}/contacts`, { body: { lastname: 42 } });
    expect(wrongType.json.error.message).toBe(
      "Cannot convert the literal '42' to the expected type 'Edm.String'.",
    );
    const array = await ctx.call('POST', `${API}/contacts`, { body: [] });
    expect(array.status).toBe(400);
    const nowhere = await ctx.call('GET', `${API}/widgets`);
    expect(nowhere.status).toBe(404);
    expect(nowhere.json.error.message).toBe("Resource not found for the segment 'widgets'.");
    const collectionPatch = await ctx.call('PATCH', `${API}/contacts`, { body: {} });
    expect(collectionPatch.status).toBe(405);
    const oldVersion = await ctx.call('GET', '/api/data/v8.2/contacts');
    expect(oldVersion.status).toBe(404);
    const readOnly = await ctx.call('POST', `${API}/systemusers`, { body: { firstname: 'x' } });
    expect(readOnly.status).toBe(403);
  });

  it('expands a collection-valued navigation property', async () => {
    const opp = [...store().table('opportunity').values()].find((o) => o.values.parentcontactid)!;
    const contactId = (opp.values.parentcontactid as { id: string }).id;
    const res = await ctx.call(
      'GET',
      `${API}/contacts(${contactId})?$select=fullname&$expand=opportunity_parent_contact($select=name)`,
    );
    expect(res.status).toBe(200);
    expect(res.json.opportunity_parent_contact).toEqual(
      expect.arrayContaining([expect.objectContaining({ opportunityid: opp.id, name: opp.values.name })]),
    );
    const clamped = await ctx.call('GET', `${API}/contacts?$select=fullname`, {
      headers: { prefer: 'odata.maxpagesize=9000' },
    });
    expect(clamped.headers.get('preference-applied')).toBe('odata.maxpagesize=5000');
  });

  it('reads and writes one column', async () => {
    const c = anyContact();
    expect(
      (await ctx.call('PUT', `${API}/contacts(${c.id})/jobtitle`, { body: { value: 'Chief' } })).status,
    ).toBe(204);
    const one = await ctx.call('GET', `${API}/contacts(${c.id})/jobtitle`);
    expect(one.json.value).toBe('Chief');
    expect((await ctx.call('DELETE', `${API}/contacts(${c.id})/jobtitle`)).status).toBe(204);
    expect(store().get('contact', c.id)?.values.jobtitle).toBeNull();
  });
});
