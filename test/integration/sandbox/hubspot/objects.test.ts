import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { liveIds, startHubSpot, type Caller } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;

beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 60, deals: 20 }));
});
afterEach(async () => {
  await live.close();
});

describe('authentication (B2.5)', () => {
  it('answers 401 INVALID_AUTHENTICATION without a token or with an unknown one', async () => {
    for (const token of [null, 'pat-na1-not-a-token']) {
      const res = await call('GET', '/crm/v3/objects/contacts', undefined, token);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(res.json.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('list (B4)', () => {
  it('pages with `after` to the end: every live record once, in id order, no paging on the last page', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const res = await call('GET', `/crm/v3/objects/contacts?limit=25${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.json.results.map((r: { id: string }) => r.id));
      after = res.json.paging?.next?.after;
      if (after) expect(res.json.paging.next.link).toContain(`after=${after}`);
      pages++;
    } while (after);
    expect(seen).toEqual(liveIds(server, 'contacts'));
    expect(pages).toBe(Math.ceil(seen.length / 25));
  });

  it('defaults to 10 records with the default properties, and refuses a limit above 100', async () => {
    const res = await call('GET', '/crm/v3/objects/contacts');
    expect(res.json.results).toHaveLength(10);
    expect(Object.keys(res.json.results[0].properties).sort()).toEqual(
      ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
    );
    const r0 = res.json.results[0];
    expect(r0.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(r0.archived).toBe(false);
    const tooMany = await call('GET', '/crm/v3/objects/contacts?limit=101');
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.category).toBe('VALIDATION_ERROR');
  });

  it('clamps an oversized limit when the listLimitOverflow behaviour says so', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { listLimitOverflow: 'clamp' }, null);
    const res = await call('GET', '/crm/v3/objects/contacts?limit=500');
    expect(res.status).toBe(200);
    expect(res.json.results.length).toBeLessThanOrEqual(100);
  });

  it('accepts properties repeated and comma-separated; unknown ones are omitted, empty ones null', async () => {
    const a = await call(
      'GET',
      '/crm/v3/objects/contacts?limit=3&properties=email&properties=nps_score&properties=nope',
    );
    const b = await call('GET', '/crm/v3/objects/contacts?limit=3&properties=email,nps_score,nope');
    expect(a.json.results).toEqual(b.json.results.map((r: object) => ({ ...r })));
    for (const r of a.json.results) {
      expect(r.properties).not.toHaveProperty('nope');
      expect(r.properties).toHaveProperty('nps_score');
      expect(Object.keys(r.properties)).toEqual(expect.arrayContaining(['email', 'hs_object_id']));
    }
  });

  it('lists only archived records with archived=true', async () => {
    const store = server.org().state.store;
    const archived = store.order.contacts.filter((id) => store.get('contacts', id)?.archived);
    const id = liveIds(server, 'contacts')[0] as string;
    expect((await call('DELETE', `/crm/v3/objects/contacts/${id}`)).status).toBe(204);
    const res = await call('GET', '/crm/v3/objects/contacts?archived=true&limit=100');
    const ids = res.json.results.map((r: { id: string }) => r.id);
    expect(ids).toEqual([...archived, id].sort((x, y) => Number(x) - Number(y)));
    for (const r of res.json.results) {
      expect(r.archived).toBe(true);
      expect(r.archivedAt).toEqual(expect.any(String));
    }
  });
});

describe('get, create, update, archive (B4)', () => {
  it('gets one record with chosen properties and its deal associations', async () => {
    const store = server.org().state.store;
    const withDeal = liveIds(server, 'contacts').find(
      (id) => store.associated('contacts', id).length > 0,
    ) as string;
    const res = await call(
      'GET',
      `/crm/v3/objects/contacts/${withDeal}?properties=email,jobtitle&associations=deals`,
    );
    expect(res.status).toBe(200);
    expect(res.json.properties.jobtitle).toEqual(expect.any(String));
    expect(res.json.associations.deals.results).toEqual(
      store.associated('contacts', withDeal).map((id) => ({ id, type: 'contact_to_deal' })),
    );
    const email = res.json.properties.email as string;
    const byEmail = await call(
      'GET',
      `/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email`,
    );
    expect(byEmail.json.id).toBe(withDeal);
    expect((await call('GET', '/crm/v3/objects/contacts/999999999')).json).toMatchObject({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
    });
  });

  it('creates (201, all set properties plus system ones) and refuses a duplicate email with 409 naming the id', async () => {
    const res = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'jane@example.org', firstname: 'Jane', lifecyclestage: 'lead', nps_score: 9 },
    });
    expect(res.status).toBe(201);
    expect(res.json.properties).toMatchObject({
      email: 'jane@example.org',
      firstname: 'Jane',
      nps_score: '9',
      hs_object_id: res.json.id,
      createdate: res.json.createdAt,
      lastmodifieddate: res.json.updatedAt,
    });
    const dup = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'JANE@example.org' } });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${res.json.id}`,
    });
  });

  it('refuses invalid values with 400 VALIDATION_ERROR listing each property', async () => {
    const res = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'not-an-email', lifecyclestage: 'Lead', favourite_colour: 'blue' },
    });
    expect(res.status).toBe(400);
    expect(res.json.category).toBe('VALIDATION_ERROR');
    expect(res.json.message).toMatch(/^Property values were not valid: /);
    const problems = JSON.parse(res.json.message.replace('Property values were not valid: ', ''));
    expect(problems.map((p: { name: string; error: string }) => [p.name, p.error])).toEqual([
      ['email', 'INVALID_EMAIL'],
      ['lifecyclestage', 'INVALID_OPTION'],
      ['favourite_colour', 'PROPERTY_DOESNT_EXIST'],
    ]);
    const empty = await call('POST', '/crm/v3/objects/contacts', { properties: { jobtitle: 'CEO' } });
    expect(empty.status).toBe(400);
  });

  it('creates a deal in the default pipeline associated to a contact (typeId 3)', async () => {
    const contact = liveIds(server, 'contacts')[0] as string;
    const res = await call('POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'New deal', dealstage: 'appointmentscheduled', amount: '1500.00' },
      associations: [
        { to: { id: contact }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json.properties.pipeline).toBe('default');
    expect(server.org().state.store.associated('deals', res.json.id)).toEqual([contact]);
    const badStage = await call('POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'x', dealstage: 'closedwon', pipeline: '75e28846-ad0d-4be2-a027-5e1da6590b98' },
    });
    expect(badStage.status).toBe(400);
  });

  it('updates with PATCH (200 full object), by id or by email, and keeps lifecyclestage moving forward', async () => {
    const id = liveIds(server, 'contacts')[1] as string;
    await call('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { lifecyclestage: '' } });
    const res = await call('PATCH', `/crm/v3/objects/contacts/${id}`, {
      properties: { jobtitle: 'Manager', lifecyclestage: 'customer' },
    });
    expect(res.status).toBe(200);
    expect(res.json.properties).toMatchObject({ jobtitle: 'Manager', lifecyclestage: 'customer' });
    expect(Date.parse(res.json.updatedAt)).toBeGreaterThan(Date.parse(res.json.createdAt));
    const back = await call('PATCH', `/crm/v3/objects/contacts/${id}`, {
      properties: { lifecyclestage: 'lead' },
    });
    expect(back.status).toBe(400);
    const email = res.json.properties.email as string;
    const byEmail = await call(
      'PATCH',
      `/crm/v3/objects/contacts/${encodeURIComponent(email)}?idProperty=email`,
      {
        properties: { city: 'Oslo' },
      },
    );
    expect(byEmail.json).toMatchObject({ id, properties: { city: 'Oslo' } });
  });

  it('archives with 204; the record is then 404 unless archived=true, and its email is free again', async () => {
    const id = liveIds(server, 'contacts')[2] as string;
    const email = server.org().state.store.get('contacts', id)?.properties.email;
    expect((await call('DELETE', `/crm/v3/objects/contacts/${id}`)).status).toBe(204);
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(404);
    const archived = await call('GET', `/crm/v3/objects/contacts/${id}?archived=true`);
    expect(archived.json).toMatchObject({ id, archived: true });
    expect((await call('DELETE', `/crm/v3/objects/contacts/${id}`)).status).toBe(204);
    expect((await call('POST', '/crm/v3/objects/contacts', { properties: { email } })).status).toBe(201);
  });

  it('deletes an archived record for good after 90 days in the recycling bin: no listing, read or restore finds it', async () => {
    const [kept, gone] = liveIds(server, 'contacts') as [string, string];
    expect((await call('DELETE', `/crm/v3/objects/contacts/${gone}`)).status).toBe(204);
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 89 * 24 * 3600_000 }, null);
    expect((await call('DELETE', `/crm/v3/objects/contacts/${kept}`)).status).toBe(204);
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 1 * 24 * 3600_000 + 1_000 }, null);
    const listed = await call('GET', '/crm/v3/objects/contacts?archived=true&limit=100');
    expect(listed.json.results.map((r: { id: string }) => r.id)).toEqual([kept]);
    expect((await call('GET', `/crm/v3/objects/contacts/${gone}?archived=true`)).status).toBe(404);
    const restore = await call('POST', `/__sandbox/orgs/default/records/contacts/${gone}/restore`, {}, null);
    expect(restore.status).toBe(404);
  });

  it('serves the date-versioned 2026-03 paths with the same handlers', async () => {
    const v3 = await call('GET', '/crm/v3/objects/deals?limit=5');
    const dated = await call('GET', '/crm/objects/2026-03/deals?limit=5');
    expect(dated.status).toBe(200);
    expect(dated.json.results).toEqual(v3.json.results);
    const search = await call('POST', '/crm/objects/2026-03/contacts/search', { limit: 1 });
    expect(search.json.total).toBe(liveIds(server, 'contacts').length);
  });

  it('answers malformed JSON with a HubSpot VALIDATION_ERROR body', async () => {
    const res = await fetch(`${live.baseUrl}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.org().state.privateAppToken}`,
        'content-type': 'application/json',
      },
      body: '{"properties": {',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
  });

  it('answers 404 with a HubSpot body for an unknown path', async () => {
    const res = await call('GET', '/crm/v3/objects/tickets');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ status: 'error' });
  });
});

describe('admin record API (as a CRM user)', () => {
  it('creates, edits, archives and restores records; errors come back as plain admin JSON', async () => {
    const created = await call(
      'POST',
      '/__sandbox/orgs/default/records/contacts',
      { email: 'admin@example.org', firstname: 'Ad' },
      null,
    );
    expect(created.status).toBe(201);
    const id = created.json.id as string;
    const edited = await call(
      'PATCH',
      `/__sandbox/orgs/default/records/contact/${id}`,
      { jobtitle: 'Admin' },
      null,
    );
    expect(edited.json.properties.jobtitle).toBe('Admin');
    expect((await call('DELETE', `/__sandbox/orgs/default/records/0-1/${id}`, undefined, null)).status).toBe(
      200,
    );
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(404);
    const restored = await call('POST', `/__sandbox/orgs/default/records/contacts/${id}/restore`, {}, null);
    expect(restored.json).toMatchObject({ id, archived: false });
    expect((await call('GET', `/crm/v3/objects/contacts/${id}`)).status).toBe(200);
    const dup = await call(
      'POST',
      '/__sandbox/orgs/default/records/contacts',
      { email: 'admin@example.org' },
      null,
    );
    expect(dup.status).toBe(409);
    expect(dup.json.error).toMatch(/Existing ID/);
    expect((await call('POST', '/__sandbox/orgs/default/records/tickets', {}, null)).status).toBe(400);
  });
});
