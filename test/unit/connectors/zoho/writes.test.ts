import nock from '../../../support/nock';
import { API, V8, fieldsOnce, zohoUnit } from './zoho-context';

/** 100-record writes with one outcome per record (docs/vendors/zoho.md "Connector: writes"). */

const success = (id: string, extra: Record<string, unknown> = {}) => ({
  code: 'SUCCESS',
  details: { id, Modified_Time: '2026-03-10T11:00:00+00:00' },
  message: 'record added',
  status: 'success',
  ...extra,
});

describe('upsertRecords', () => {
  it('sends updates, gateway-keyed upserts and inserts as one call each, with per-record outcomes', async () => {
    const { connector, budget } = zohoUnit();
    fieldsOnce();
    const bodies: Record<string, unknown>[] = [];
    const keep = (b: Record<string, unknown>) => bodies.push(b) > 0;
    nock(API)
      .put(`${V8}/Contacts`, keep)
      .reply(207, {
        data: [
          success('101', { message: 'record updated' }),
          {
            code: 'INVALID_DATA',
            details: { api_name: 'id', json_path: '$.data[1].id' },
            message: 'the id given seems to be invalid',
            status: 'error',
          },
        ],
      })
      .post(`${V8}/Contacts/upsert`, keep)
      .reply(200, {
        data: [
          success('201', { action: 'insert', duplicate_field: null }),
          success('202', { action: 'update', duplicate_field: 'Gateway_Key', message: 'record updated' }),
        ],
      })
      .post(`${V8}/Contacts`, keep)
      .reply(207, {
        data: [
          {
            code: 'DUPLICATE_DATA',
            details: { api_name: 'Email', json_path: '$.data[0].Email', duplicate_record: { id: '9' } },
            message: 'duplicate data',
            status: 'error',
          },
        ],
      });
    const results = await connector.upsertRecords('contact', [
      { ref: 'u1', remoteId: '101', fields: { Last_Name: 'Doe', Owner: '77', Modified_Time: 'x' } },
      { ref: 'u2', remoteId: '102', fields: { Last_Name: 'Gone' } },
      { ref: 'k1', externalId: { field: 'Gateway_Key', value: 'op-1' }, fields: { Last_Name: 'New' } },
      { ref: 'k2', externalId: { field: 'Gateway_Key', value: 'op-2' }, fields: { Last_Name: 'Again' } },
      { ref: 'c1', fields: { Last_Name: 'Dup', Email: 'dup@acme.example' } },
      { ref: 'bad', remoteId: '../x', fields: {} },
    ]);
    expect(bodies[0]).toEqual({
      data: [
        // A lookup goes as {id}; a field Zoho sets is not sent.
        { id: '101', Last_Name: 'Doe', Owner: { id: '77' } },
        { id: '102', Last_Name: 'Gone' },
      ],
    });
    expect(bodies[1]).toEqual({
      data: [
        { Last_Name: 'New', Gateway_Key: 'op-1' },
        { Last_Name: 'Again', Gateway_Key: 'op-2' },
      ],
      duplicate_check_fields: ['Gateway_Key'],
    });
    expect(bodies[2]).toEqual({ data: [{ Last_Name: 'Dup', Email: 'dup@acme.example' }] });
    expect(results.map((r) => (r.ok ? [r.ref, r.remoteId, r.created] : [r.ref, r.error.code]))).toEqual([
      ['u1', '101', false],
      ['u2', 'NOT_FOUND'],
      ['k1', '201', true],
      ['k2', '202', false],
      ['c1', 'CONFLICT'],
      ['bad', 'NOT_FOUND'],
    ]);
    expect(budget.endpoints.filter((e) => e === 'write')).toHaveLength(3);
  });

  it('reads the per-record items of a 400 where every record failed', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    nock(API)
      .post(`${V8}/Contacts`)
      .reply(400, {
        data: [
          {
            code: 'MANDATORY_NOT_FOUND',
            details: { api_name: 'Last_Name', json_path: '$.data[0].Last_Name' },
            message: 'required field not found',
            status: 'error',
          },
        ],
      });
    const [result] = await connector.upsertRecords('contact', [
      { ref: 'c1', fields: { First_Name: 'Only' } },
    ]);
    expect(result).toMatchObject({
      ref: 'c1',
      ok: false,
      error: { code: 'VALIDATION', vendorCode: 'MANDATORY_NOT_FOUND' },
    });
  });

  it('refuses a gateway key that is not a unique field, without a call', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    const [result] = await connector.upsertRecords('contact', [
      { ref: 'k', externalId: { field: 'Tier', value: 'x' }, fields: {} },
    ]);
    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });

  it('throws a refusal of the whole call (rate limit), so the engine reschedules the batch', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    // Retried while the client's policy allows, then thrown.
    nock(API)
      .persist()
      .put(`${V8}/Contacts`)
      .reply(429, { code: 'TOO_MANY_REQUESTS', message: 'too many requests', status: 'error', details: {} });
    await expect(
      connector.upsertRecords('contact', [{ ref: 'u', remoteId: '5', fields: { Last_Name: 'X' } }]),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('deleteRecords', () => {
  it('deletes up to 100 ids in one call; an id Zoho no longer has counts as deleted', async () => {
    const { connector } = zohoUnit();
    nock(API)
      .delete(`${V8}/Deals`)
      .query({ ids: '1,2,3' })
      .reply(207, {
        data: [
          { code: 'SUCCESS', details: { id: '1' }, message: 'record deleted', status: 'success' },
          { code: 'INVALID_DATA', details: { id: '2' }, message: 'record not deleted', status: 'error' },
          { code: 'NO_PERMISSION', details: { id: '3' }, message: 'permission denied', status: 'error' },
        ],
      });
    const results = await connector.deleteRecords('deal', ['1', '2', '3', 'x']);
    expect(results.map((r) => (r.ok ? [r.ref, 'ok'] : [r.ref, r.error.code]))).toEqual([
      ['1', 'ok'],
      ['2', 'ok'],
      ['3', 'UPSTREAM'],
      ['x', 'NOT_FOUND'],
    ]);
  });
});

describe('linkRecords', () => {
  it('sets Contact_Name of the deals that have none in one update call; a missing record fails its pair', async () => {
    const { connector } = zohoUnit();
    fieldsOnce('Deals');
    fieldsOnce('Contacts');
    let update: unknown;
    nock(API)
      .get(`${V8}/Deals`)
      .query((q) => q.ids === '21,22,23')
      .reply(200, {
        data: [
          { id: '21', Contact_Name: null },
          { id: '22', Contact_Name: { id: '11' } },
        ],
      })
      .get(`${V8}/Contacts`)
      .query((q) => q.ids === '11')
      .reply(200, { data: [{ id: '11', Last_Name: 'J' }] })
      .put(`${V8}/Deals`, (b: unknown) => {
        update = b;
        return true;
      })
      .reply(200, {
        data: [{ code: 'SUCCESS', details: { id: '21' }, message: 'record updated', status: 'success' }],
      });
    nock(API)
      .get(`${V8}/org`)
      .optionally()
      .reply(200, { org: [{ id: '1', iso_code: 'EUR' }] });
    const results = await connector.linkRecords('deal', 'contact', [
      { ref: 'a', fromId: '21', toId: '11' },
      { ref: 'b', fromId: '22', toId: '11' },
      { ref: 'c', fromId: '23', toId: '11' },
    ]);
    expect(update).toEqual({ data: [{ id: '21', Contact_Name: { id: '11' } }] });
    expect(results.map((r) => (r.ok ? [r.ref, r.remoteId] : [r.ref, r.error.code]))).toEqual([
      ['a', '21'],
      ['b', '22'],
      ['c', 'NOT_FOUND'],
    ]);
  });
});

describe('linkRecords with dealContactRoles', () => {
  it("adds a contact role (the named role's id) where the deal's Contact_Name is another contact", async () => {
    const { connector } = zohoUnit({ settings: { dealContactRoles: true, contactRole: 'Purchasing' } });
    fieldsOnce('Deals');
    fieldsOnce('Contacts');
    let body: unknown;
    nock(API)
      .get(`${V8}/Deals`)
      .query(true)
      .reply(200, { data: [{ id: '21', Contact_Name: { id: '11' } }] })
      .get(`${V8}/Contacts`)
      .query(true)
      .reply(200, { data: [{ id: '12', Last_Name: 'R' }] })
      .get(`${V8}/settings/contact_roles`)
      .reply(200, {
        contact_roles: [
          { id: '901', name: 'Decision Maker', sequence_number: 1 },
          { id: '902', name: 'Purchasing', sequence_number: 2 },
        ],
      })
      .put(`${V8}/Deals/21/Contact_Roles/12`, (b: unknown) => {
        body = b;
        return true;
      })
      .reply(200, {
        data: [{ code: 'SUCCESS', details: { id: '12' }, message: 'relation updated', status: 'success' }],
      });
    nock(API)
      .get(`${V8}/org`)
      .optionally()
      .reply(200, { org: [{ id: '1', iso_code: 'EUR' }] });
    const [result] = await connector.linkRecords('contact', 'deal', [{ ref: 'r', fromId: '12', toId: '21' }]);
    expect(body).toEqual({ data: [{ Contact_Role: { id: '902' } }] });
    expect(result).toMatchObject({ ref: 'r', ok: true, remoteId: '12' });
  });
});
