import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { liveIds, startHubSpot, type Caller } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;

beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 40, deals: 10 }));
});
afterEach(async () => {
  await live.close();
});

const B = '/crm/v3/objects/contacts/batch';

describe('batch read (B5)', () => {
  it('reads by id with chosen properties; unknown ids make a 207 with OBJECT_NOT_FOUND and context.ids', async () => {
    const [a, b] = liveIds(server, 'contacts');
    const res = await call('POST', `${B}/read`, {
      properties: ['email', 'jobtitle'],
      propertiesWithHistory: [],
      inputs: [{ id: a }, { id: '999999' }, { id: b }],
    });
    expect(res.status).toBe(207);
    expect(res.json.status).toBe('COMPLETE');
    expect(res.json.results.map((r: { id: string }) => r.id)).toEqual([a, b]);
    expect(res.json.results[0].properties).toHaveProperty('jobtitle');
    expect(res.json.numErrors).toBe(1);
    expect(res.json.errors[0]).toMatchObject({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      context: { ids: ['999999'] },
    });
    for (const k of ['requestedAt', 'startedAt', 'completedAt'])
      expect(res.json[k]).toEqual(expect.any(String));
    const ok = await call('POST', `${B}/read`, { properties: ['email'], inputs: [{ id: a }] });
    expect(ok.status).toBe(200);
    expect(ok.json).not.toHaveProperty('errors');
  });

  it('reads by email with idProperty and returns property history on request', async () => {
    const store = server.org().state.store;
    const id = liveIds(server, 'contacts')[3] as string;
    const email = store.get('contacts', id)?.properties.email as string;
    const res = await call('POST', `${B}/read`, {
      properties: ['email'],
      propertiesWithHistory: ['email'],
      idProperty: 'email',
      inputs: [{ id: email.toUpperCase() }],
    });
    expect(res.status).toBe(200);
    expect(res.json.results[0].id).toBe(id);
    expect(res.json.results[0].propertiesWithHistory.email[0]).toMatchObject({
      value: email,
      sourceType: 'IMPORT',
    });
  });

  it('refuses more than 100 inputs with 400', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(i + 1) }));
    const res = await call('POST', `${B}/read`, { inputs });
    expect(res.status).toBe(400);
    expect(res.json.category).toBe('VALIDATION_ERROR');
  });
});

describe('batch create (B5)', () => {
  it('creates with 201 and keeps input order', async () => {
    const res = await call('POST', `${B}/create`, {
      inputs: [
        { properties: { email: 'b1@example.org' } },
        { properties: { email: 'b2@example.org', firstname: 'B' } },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json.results.map((r: { properties: { email: string } }) => r.properties.email)).toEqual([
      'b1@example.org',
      'b2@example.org',
    ]);
  });

  it('fails the whole batch with 400 on one invalid record, writing nothing', async () => {
    const before = server.org().state.store.order.contacts.length;
    const res = await call('POST', `${B}/create`, {
      inputs: [{ properties: { email: 'ok@example.org' } }, { properties: { email: 'broken' } }],
    });
    expect(res.status).toBe(400);
    expect(res.json.category).toBe('VALIDATION_ERROR');
    expect(server.org().state.store.order.contacts.length).toBe(before);
  });

  it('answers per record (207) when inputs carry objectWriteTraceId', async () => {
    const res = await call('POST', `${B}/create`, {
      inputs: [
        { properties: { email: 'ok@example.org' }, objectWriteTraceId: 't1' },
        { properties: { email: 'broken' }, objectWriteTraceId: 't2' },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.json.results).toHaveLength(1);
    expect(res.json.results[0]).toMatchObject({
      objectWriteTraceId: 't1',
      properties: { email: 'ok@example.org' },
    });
    expect(res.json.errors[0]).toMatchObject({
      category: 'VALIDATION_ERROR',
      context: { objectWriteTraceId: ['t2'] },
    });
  });

  it('answers per record without trace ids when the batchValidation behaviour is per-record', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { batchValidation: 'per-record' }, null);
    const res = await call('POST', `${B}/create`, {
      inputs: [{ properties: { email: 'ok@example.org' } }, { properties: { email: 'broken' } }],
    });
    expect(res.status).toBe(207);
    expect(res.json.results).toHaveLength(1);
  });

  it('treats a duplicate email (existing or within the batch) as a conflict', async () => {
    const existing = server.org().state.store.get('contacts', liveIds(server, 'contacts')[0] as string)
      ?.properties.email;
    const res = await call('POST', `${B}/create`, { inputs: [{ properties: { email: existing } }] });
    expect(res.status).toBe(409);
    expect(res.json.message).toMatch(/^Contact already exists\. Existing ID: \d+$/);
    const twice = await call('POST', `${B}/create`, {
      inputs: [{ properties: { email: 'same@example.org' } }, { properties: { email: 'same@example.org' } }],
    });
    expect(twice.status).toBe(400);
  });
});

describe('batch update (B5)', () => {
  it('updates found ids and reports unknown ones in a 207', async () => {
    const [a] = liveIds(server, 'contacts');
    const res = await call('POST', `${B}/update`, {
      inputs: [
        { id: a, properties: { jobtitle: 'Chief Tester' } },
        { id: '999999', properties: { jobtitle: 'Nobody' } },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.json.results[0]).toMatchObject({ id: a, properties: { jobtitle: 'Chief Tester' } });
    expect(res.json.errors[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } });
  });

  it('refuses duplicate ids and fails the batch on a validation error', async () => {
    const [a, b] = liveIds(server, 'contacts');
    const dup = await call('POST', `${B}/update`, {
      inputs: [
        { id: a, properties: {} },
        { id: a, properties: {} },
      ],
    });
    expect(dup.status).toBe(400);
    const bad = await call('POST', `${B}/update`, {
      inputs: [
        { id: a, properties: { jobtitle: 'x' } },
        { id: b, properties: { nps_score: 'ten' } },
      ],
    });
    expect(bad.status).toBe(400);
    expect(server.org().state.store.get('contacts', a as string)?.properties.jobtitle).not.toBe('x');
  });
});

describe('batch upsert (B5)', () => {
  it('upserts by email with `new` per result', async () => {
    const store = server.org().state.store;
    const id = liveIds(server, 'contacts')[5] as string;
    const email = store.get('contacts', id)?.properties.email as string;
    const res = await call('POST', `${B}/upsert`, {
      inputs: [
        { id: email, idProperty: 'email', properties: { phone: '+18884827768' } },
        { id: 'brand.new@example.org', idProperty: 'email', properties: { firstname: 'Brand' } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json.results[0]).toMatchObject({ id, new: false, properties: { phone: '+18884827768' } });
    expect(res.json.results[1]).toMatchObject({
      new: true,
      properties: { email: 'brand.new@example.org', firstname: 'Brand' },
    });
    const again = await call('POST', `${B}/upsert`, {
      inputs: [{ id: 'brand.new@example.org', idProperty: 'email', properties: { firstname: 'Again' } }],
    });
    expect(again.json.results[0]).toMatchObject({ id: res.json.results[1].id, new: false });
  });

  it('upserts by the unique-value custom property and refuses a non-unique idProperty', async () => {
    const res = await call('POST', `${B}/upsert`, {
      inputs: [{ id: 'EXT-C-000001', idProperty: 'crm_external_id', properties: { jobtitle: 'Upserted' } }],
    });
    expect(res.status).toBe(200);
    expect(res.json.results[0]).toMatchObject({
      new: false,
      properties: { crm_external_id: 'EXT-C-000001', jobtitle: 'Upserted' },
    });
    const created = await call('POST', '/crm/v3/objects/deals/batch/upsert', {
      inputs: [
        {
          id: 'EXT-D-NEW',
          idProperty: 'deal_external_id',
          properties: { dealname: 'Upsert deal', dealstage: 'qualifiedtobuy' },
        },
      ],
    });
    expect(created.json.results[0]).toMatchObject({
      new: true,
      properties: { deal_external_id: 'EXT-D-NEW' },
    });
    const bad = await call('POST', `${B}/upsert`, {
      inputs: [{ id: 'x', idProperty: 'firstname', properties: {} }],
    });
    expect(bad.status).toBe(400);
  });
});

describe('batch archive (B5)', () => {
  it('archives with 204 whatever the ids', async () => {
    const [a, b] = liveIds(server, 'contacts');
    const res = await call('POST', `${B}/archive`, { inputs: [{ id: a }, { id: b }, { id: '999999' }] });
    expect(res.status).toBe(204);
    expect(server.org().state.store.get('contacts', a as string)?.archived).toBe(true);
    const read = await call('POST', `${B}/read?archived=true`, {
      properties: ['email'],
      inputs: [{ id: a }, { id: b }],
    });
    expect(read.json.results.map((r: { archived: boolean }) => r.archived)).toEqual([true, true]);
  });
});
