import { changedAfter, createAt, deletedIds } from '../../../../src/sandbox/zoho';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: create, update, upsert, delete', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 30, Deals: 10 });
  });
  afterAll(async () => {
    await z.live.close();
  });

  it('creates records, answering each in order: 201 all well, 207 mixed, 400 all failed', async () => {
    const ok = await z.call('POST', '/Contacts', {
      body: { data: [{ Last_Name: 'Ada', Email: 'ada@example.com', Gateway_Key: 'gk-ada' }] },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.data).toEqual([
      {
        code: 'SUCCESS',
        details: expect.objectContaining({
          id: expect.stringMatching(/^\d{19}$/),
          Created_Time: expect.any(String),
        }),
        message: 'record added',
        status: 'success',
      },
    ]);
    const mixed = await z.call('POST', '/Contacts', {
      body: {
        data: [{ Last_Name: 'Grace' }, { First_Name: 'NoLast' }, { Last_Name: 'Dup', Gateway_Key: 'gk-ada' }],
      },
    });
    expect(mixed.status).toBe(207);
    expect(mixed.json.data[0].status).toBe('success');
    expect(mixed.json.data[1]).toEqual({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'Last_Name', json_path: '$.data[1].Last_Name' },
      message: 'required field not found',
      status: 'error',
    });
    expect(mixed.json.data[2]).toMatchObject({
      code: 'DUPLICATE_DATA',
      details: { api_name: 'Gateway_Key', duplicate_record: { id: ok.json.data[0].details.id } },
    });
    const bad = await z.call('POST', '/Deals', { body: { data: [{ Deal_Name: 'x', Stage: 'Nope' }] } });
    expect(bad.status).toBe(400);
    expect(bad.json.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Stage' } });
  });

  it('refuses 101 records in one call, and a lookup to a contact of another org', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ Last_Name: `n${i}` }));
    const res = await z.call('POST', '/Contacts', { body: { data: many } });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 100 } });
    const other = z.server.createOrg({ id: 'other', counts: { Contacts: 2, Deals: 0 } });
    try {
      const foreign = other.state.store.all('Contacts')[0]!.id;
      const deal = await z.call('POST', '/Deals', {
        body: { data: [{ Deal_Name: 'Cross', Stage: 'Qualification', Contact_Name: { id: foreign } }] },
      });
      expect(deal.status).toBe(400);
      expect(deal.json.data[0]).toMatchObject({
        code: 'INVALID_DATA',
        details: { api_name: 'Contact_Name' },
      });
      const read = await z.call('GET', `/Contacts/${foreign}?fields=Last_Name`);
      expect(read.status).toBe(204);
    } finally {
      z.server.dropOrg('other');
    }
  });

  it('updates by body id or path id, bumping Modified_Time; an unknown id fails alone', async () => {
    const id = createAt(
      z.server.org(),
      'Contacts',
      { Last_Name: 'Before' },
      z.server.org().now() - 3600_000,
    ).id;
    const res = await z.call('PUT', '/Contacts', {
      body: {
        data: [
          { id, Last_Name: 'After' },
          { id: '1111111000000000001', Last_Name: 'x' },
        ],
      },
    });
    expect(res.status).toBe(207);
    expect(res.json.data[0]).toMatchObject({ code: 'SUCCESS', message: 'record updated', details: { id } });
    expect(res.json.data[1]).toMatchObject({ code: 'INVALID_DATA', status: 'error' });
    const one = await z.call('PUT', `/Contacts/${id}`, { body: { data: [{ Title: 'CTO' }] } });
    expect(one.status).toBe(200);
    const got = await z.call('GET', `/Contacts/${id}?fields=Last_Name,Title,Modified_Time,Full_Name`);
    expect(got.json.data[0]).toMatchObject({ Last_Name: 'After', Title: 'CTO', Full_Name: 'After' });
    expect(Date.parse(got.json.data[0].Modified_Time)).toBeGreaterThan(z.server.org().now() - 5000);
  });

  it('upserts on the duplicate-check fields: update with duplicate_field, insert with null', async () => {
    const res = await z.call('POST', '/Deals/upsert', {
      body: {
        duplicate_check_fields: ['Gateway_Key'],
        data: [
          { Deal_Name: 'Upsert one', Stage: 'Qualification', Gateway_Key: 'deal-gk-1', Amount: 100 },
          { Deal_Name: 'Upsert two', Stage: 'Closed Won', Gateway_Key: 'deal-gk-2' },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.data.map((d: { action: string }) => d.action)).toEqual(['insert', 'insert']);
    expect(res.json.data[0].duplicate_field).toBeNull();
    const again = await z.call('POST', '/Deals/upsert', {
      body: {
        duplicate_check_fields: ['Gateway_Key'],
        data: [
          {
            Deal_Name: 'Upsert one renamed',
            Stage: 'Qualification',
            Gateway_Key: 'deal-gk-1',
            Amount: 250.5,
          },
        ],
      },
    });
    expect(again.json.data[0]).toMatchObject({
      code: 'SUCCESS',
      action: 'update',
      duplicate_field: 'Gateway_Key',
      message: 'record updated',
      details: { id: res.json.data[0].details.id },
    });
    const got = await z.call('GET', `/Deals/${res.json.data[0].details.id}?fields=Deal_Name,Amount`);
    expect(got.json.data[0]).toMatchObject({ Deal_Name: 'Upsert one renamed', Amount: 250.5 });
  });

  it('deletes by ids (≤ 100) into the recycle bin, listed by /deleted; missing ids fail alone', async () => {
    const org = z.server.org();
    const a = createAt(org, 'Contacts', { Last_Name: 'Gone A' }).id;
    const b = createAt(org, 'Contacts', { Last_Name: 'Gone B' }).id;
    const before = org.now() - 1;
    const tooMany = Array.from({ length: 101 }, (_, i) => String(1000 + i)).join(',');
    expect((await z.call('DELETE', `/Contacts?ids=${tooMany}`)).json).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 100, param_name: 'ids' },
    });
    const res = await z.call('DELETE', `/Contacts?ids=${a},${b},1111111000000000009`);
    expect(res.status).toBe(207);
    expect(res.json.data[0]).toEqual({
      code: 'SUCCESS',
      details: { id: a },
      message: 'record deleted',
      status: 'success',
    });
    expect(res.json.data[2]).toMatchObject({ code: 'INVALID_DATA', message: 'record not deleted' });
    expect((await z.call('GET', `/Contacts/${a}?fields=Last_Name`)).status).toBe(204);
    const deleted = await z.call('GET', '/Contacts/deleted?type=all');
    expect(deleted.status).toBe(200);
    expect(
      deleted.json.data
        .slice(0, 2)
        .map((d: { id: string }) => d.id)
        .sort(),
    ).toEqual([a, b].sort());
    expect(deleted.json.data[0]).toMatchObject({
      type: 'recycle',
      display_name: expect.stringMatching(/^Gone/),
    });
    expect(deletedIds(org, 'Contacts')).toEqual(expect.arrayContaining([a, b]));
    expect(changedAfter(org, 'Contacts', before).deleted.sort()).toEqual([a, b].sort());
    expect((await z.call('GET', '/Deals/deleted')).status).toBe(204);
  });

  it('logs how many records each write carries', async () => {
    const org = z.server.org();
    org.log.clear();
    await z.call('POST', '/Contacts', { body: { data: [{ Last_Name: 'L1' }, { Last_Name: 'L2' }] } });
    expect(org.log.snapshot(1).entries[0]).toMatchObject({ method: 'POST', items: 2 });
  });
});
