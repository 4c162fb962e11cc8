import nock from '../../../support/nock';
import { type RecordWrite } from '../../../../src/connectors/types';
import { API, hubspot, rejection, resetNock, BATCH_ENVELOPE, hsObject } from './hs-context';

/** Batch create/update/upsert and archive against the documented HubSpot responses (docs/vendors/hubspot.md "Error bodies", docs/vendors/hubspot.md "Batch endpoints"). */

afterEach(() => resetNock());

function writes(n: number, make: (i: number) => Partial<RecordWrite>): RecordWrite[] {
  return Array.from({ length: n }, (_, i) => ({
    ref: `op-${i}`,
    fields: { email: `u${i}@x.io` },
    ...make(i),
  }));
}

describe('upsertRecords', () => {
  it('upserts by a unique property in one call with a trace id per input, and reads a 207 per record', async () => {
    const { connector } = hubspot();
    const batch = writes(3, (i) => ({ externalId: { field: 'external_id', value: `ext-${i}` } }));
    let inputs: Record<string, unknown>[] = [];
    nock(API)
      .post('/crm/v3/objects/contacts/batch/upsert', (body: { inputs: Record<string, unknown>[] }) => {
        inputs = body.inputs;
        return true;
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          { ...hsObject('101', { external_id: 'ext-0' }), new: true, objectWriteTraceId: 'cgw-0' },
          { ...hsObject('102', { external_id: 'ext-2' }), new: false, objectWriteTraceId: 'cgw-2' },
        ],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'VALIDATION_ERROR',
            message:
              'Property values were not valid: [{"isValid":false,"message":"Email address u1@x is invalid","error":"INVALID_EMAIL","name":"email"}]',
            context: { objectWriteTraceId: ['cgw-1'] },
            links: {},
            errors: [],
          },
        ],
        ...BATCH_ENVELOPE,
      });
    const results = await connector.upsertRecords('contact', batch);
    expect(inputs[0]).toEqual({
      id: 'ext-0',
      idProperty: 'external_id',
      properties: { email: 'u0@x.io' },
      objectWriteTraceId: 'cgw-0',
    });
    expect(results[0]).toEqual({ ref: 'op-0', ok: true, remoteId: '101', created: true });
    expect(results[2]).toEqual({ ref: 'op-2', ok: true, remoteId: '102', created: false });
    const bad = results[1];
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) {
      expect(bad.ref).toBe('op-1');
      expect(bad.error.code).toBe('VALIDATION');
      expect(bad.error.message).toMatch(/VALIDATION_ERROR: Property values were not valid/);
    }
  });

  it('sends creates, updates and upserts to their own endpoints and keeps results in input order', async () => {
    const { connector } = hubspot();
    const batch: RecordWrite[] = [
      { ref: 'c', fields: { dealname: 'New', amount: 1500.5 } },
      { ref: 'u', remoteId: '55', fields: { dealname: 'Renamed', closedate: null } },
    ];
    nock(API)
      .post('/crm/v3/objects/deals/batch/update', {
        inputs: [
          { id: '55', properties: { dealname: 'Renamed', closedate: '' }, objectWriteTraceId: 'cgw-1' },
        ],
      })
      .reply(200, {
        status: 'COMPLETE',
        results: [hsObject('55', { dealname: 'Renamed' })],
        ...BATCH_ENVELOPE,
      })
      .post('/crm/v3/objects/deals/batch/create', {
        inputs: [
          {
            properties: { dealname: 'New', amount: '1500.5' },
            associations: [],
            objectWriteTraceId: 'cgw-0',
          },
        ],
      })
      .reply(201, {
        status: 'COMPLETE',
        results: [{ ...hsObject('77', { dealname: 'New' }), objectWriteTraceId: 'cgw-0' }],
        ...BATCH_ENVELOPE,
      });
    const results = await connector.upsertRecords('deal', batch);
    expect(results).toEqual([
      { ref: 'c', ok: true, remoteId: '77', created: true },
      { ref: 'u', ok: true, remoteId: '55', created: false },
    ]);
  });

  it('maps an update 207 OBJECT_NOT_FOUND (context.ids, no trace id) to NOT_FOUND for that record only', async () => {
    const { connector } = hubspot();
    nock(API)
      .post('/crm/v3/objects/contacts/batch/update')
      .reply(207, {
        status: 'COMPLETE',
        results: [hsObject('1', {})],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'Object not found. objectId are usually numeric.',
            context: { ids: ['404'] },
          },
        ],
        ...BATCH_ENVELOPE,
      });
    const results = await connector.upsertRecords('contact', [
      { ref: 'a', remoteId: '1', fields: { firstname: 'A' } },
      { ref: 'b', remoteId: '404', fields: { firstname: 'B' } },
    ]);
    expect(results[0]).toMatchObject({ ref: 'a', ok: true, remoteId: '1' });
    expect(results[1]).toMatchObject({ ref: 'b', ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('isolates the bad record when HubSpot refuses a whole batch with 400, writing the good ones', async () => {
    const { connector } = hubspot();
    const batch = writes(4, (i) => ({ fields: { email: i === 2 ? 'not-an-email' : `u${i}@x.io` } }));
    const invalid = {
      status: 'error',
      message:
        'Property values were not valid: [{"isValid":false,"message":"Email address not-an-email is invalid","error":"INVALID_EMAIL","name":"email"}]',
      correlationId: 'c-400',
      category: 'VALIDATION_ERROR',
    };
    const created = (ids: number[]) => ({
      status: 'COMPLETE',
      results: ids.map((i) => ({ ...hsObject(String(900 + i), {}), objectWriteTraceId: `cgw-${i}` })),
      ...BATCH_ENVELOPE,
    });
    const bodies: string[][] = [];
    const record = (body: { inputs: { objectWriteTraceId: string }[] }) => {
      bodies.push(body.inputs.map((x) => x.objectWriteTraceId));
      return true;
    };
    nock(API)
      .post('/crm/v3/objects/contacts/batch/create', record)
      .reply(400, invalid)
      .post('/crm/v3/objects/contacts/batch/create', record)
      .reply(201, created([0, 1]))
      .post('/crm/v3/objects/contacts/batch/create', record)
      .reply(400, invalid)
      .post('/crm/v3/objects/contacts/batch/create', record)
      .reply(400, invalid)
      .post('/crm/v3/objects/contacts/batch/create', record)
      .reply(201, created([3]));
    const results = await connector.upsertRecords('contact', batch);
    expect(bodies).toEqual([
      ['cgw-0', 'cgw-1', 'cgw-2', 'cgw-3'],
      ['cgw-0', 'cgw-1'],
      ['cgw-2', 'cgw-3'],
      ['cgw-2'],
      ['cgw-3'],
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, true]);
    expect(results[2]).toMatchObject({ ref: 'op-2', error: { code: 'VALIDATION', status: 400 } });
  });

  it('stops bisecting when both halves fail alike (a complaint about every record)', async () => {
    const { connector } = hubspot();
    const body = {
      status: 'error',
      message: 'Property "nope" does not exist',
      correlationId: 'c',
      category: 'VALIDATION_ERROR',
    };
    nock(API).post('/crm/v3/objects/deals/batch/create').times(3).reply(400, body);
    const results = await connector.upsertRecords(
      'deal',
      writes(8, () => ({ fields: { nope: 'x' } })),
    );
    expect(results.every((r) => !r.ok && r.error.code === 'VALIDATION')).toBe(true);
  });

  it('reports a 409 duplicate ("Contact already exists") as CONFLICT for that record', async () => {
    const { connector } = hubspot();
    nock(API).post('/crm/v3/objects/contacts/batch/create').reply(409, {
      status: 'error',
      message: 'Contact already exists. Existing ID: 512',
      correlationId: 'c-409',
      category: 'CONFLICT',
    });
    const [result] = await connector.upsertRecords(
      'contact',
      writes(1, () => ({})),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'CONFLICT', status: 409 } });
    if (result && !result.ok) expect(result.error.message).toMatch(/Existing ID: 512/);
  });

  it('throws a retryable RATE_LIMITED (nothing written) when background work meets a ten-secondly 429', async () => {
    const { connector, budget } = hubspot({ priority: 'background' });
    nock(API).post('/crm/v3/objects/contacts/batch/upsert').reply(429, {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: '20f98dfa-05b6-4d27-8d96-ecfde54ca211',
      policyName: 'TEN_SECONDLY_ROLLING',
      groupName: 'publicapi:private_app-api-calls-ten-secondly:1512050:26892217',
    });
    const err = await rejection(
      connector.upsertRecords(
        'contact',
        writes(2, (i) => ({ externalId: { field: 'email', value: `u${i}@x.io` } })),
      ),
    );
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryable).toBe(true);
    expect(err.retryAfterMs).toBeGreaterThanOrEqual(0);
    expect(budget.exhaustedFor.length).toBe(1);
  });

  it('after one group was written, a later 429 fails the rest per record instead of throwing', async () => {
    const { connector } = hubspot({ priority: 'background' });
    nock(API)
      .post('/crm/v3/objects/deals/batch/update')
      .reply(200, { status: 'COMPLETE', results: [hsObject('5', {})], ...BATCH_ENVELOPE })
      .post('/crm/v3/objects/deals/batch/create')
      .reply(429, {
        status: 'error',
        message: 'You have reached your daily limit.',
        errorType: 'RATE_LIMIT',
        correlationId: 'c',
        policyName: 'DAILY',
      });
    const results = await connector.upsertRecords('deal', [
      { ref: 'new', fields: { dealname: 'x' } },
      { ref: 'old', remoteId: '5', fields: { dealname: 'y' } },
    ]);
    expect(results[1]).toMatchObject({ ref: 'old', ok: true });
    expect(results[0]).toMatchObject({
      ref: 'new',
      ok: false,
      error: { code: 'RATE_LIMITED', retryable: true },
    });
  });
});

describe('deleteRecords', () => {
  it('archives ≤ 100 ids in one batch/archive (204)', async () => {
    const { connector } = hubspot();
    nock(API)
      .post('/crm/v3/objects/deals/batch/archive', { inputs: [{ id: '1' }, { id: '2' }] })
      .reply(204);
    expect(await connector.deleteRecords('deal', ['1', '2'])).toEqual([
      { ref: '1', ok: true, remoteId: '1', created: false },
      { ref: '2', ok: true, remoteId: '2', created: false },
    ]);
  });
});
