import nock from '../../../support/nock';
import { API, BATCH_ENVELOPE, hubspot, resetNock } from './hs-context';

/** linkRecords / unlinkRecords through associations v4 (docs/vendors/hubspot.md "Association writes"). */

afterEach(() => resetNock());

interface AssociateBody {
  inputs: { from: { id: string }; to: { id: string } }[];
}

const linked = (from: string, to: string) => ({
  from: { id: from },
  to: { id: to },
  associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 },
});

describe('HubSpot linkRecords', () => {
  it('sends one batch/associate/default; a 207 error naming a pair fails that pair alone, NOT_FOUND', async () => {
    const { connector } = hubspot();
    let body: AssociateBody | undefined;
    nock(API)
      .post('/crm/v4/associations/contacts/deals/batch/associate/default', (b: AssociateBody) => {
        body = b;
        return true;
      })
      .reply(207, {
        ...BATCH_ENVELOPE,
        status: 'COMPLETE',
        results: [linked('1', '10'), linked('3', '10')],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'One or more objects do not exist',
            context: { fromObjectId: ['2'], toObjectId: ['99'] },
          },
        ],
      });
    const results = await connector.linkRecords('contact', 'deal', [
      { ref: 'a', fromId: '1', toId: '10' },
      { ref: 'b', fromId: '2', toId: '99' },
      { ref: 'c', fromId: '3', toId: '10' },
      // Not a HubSpot id: no such record, and not sent.
      { ref: 'd', fromId: 'x-1', toId: '10' },
    ]);
    expect(body?.inputs).toEqual([
      { from: { id: '1' }, to: { id: '10' } },
      { from: { id: '2' }, to: { id: '99' } },
      { from: { id: '3' }, to: { id: '10' } },
    ]);
    expect(results[0]).toEqual({ ref: 'a', ok: true, remoteId: '1', created: false });
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'NOT_FOUND', 'ok', 'NOT_FOUND']);
  });

  it('a whole call refused for one of its pairs is split until that pair is alone; the others are linked', async () => {
    const { connector } = hubspot();
    const calls: string[][] = [];
    nock(API)
      .post('/crm/v4/associations/deals/contacts/batch/associate/default', (b: AssociateBody) => {
        calls.push(b.inputs.map((i) => i.to.id));
        return true;
      })
      .times(5)
      .reply(() => {
        // The body of this request, as its matcher just recorded it.
        const ids = calls[calls.length - 1] ?? [];
        if (ids.includes('66')) {
          return [
            404,
            {
              status: 'error',
              category: 'OBJECT_NOT_FOUND',
              message: 'contact 66 does not exist',
              context: {},
            },
          ];
        }
        return [200, { ...BATCH_ENVELOPE, status: 'COMPLETE', results: ids.map((id) => linked('5', id)) }];
      });
    const results = await connector.linkRecords('deal', 'contact', [
      { ref: 'a', fromId: '5', toId: '1' },
      { ref: 'b', fromId: '5', toId: '66' },
      { ref: 'c', fromId: '5', toId: '2' },
      { ref: 'd', fromId: '5', toId: '3' },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'NOT_FOUND', 'ok', 'ok']);
    expect(calls[0]).toEqual(['1', '66', '2', '3']);
    expect(calls).toContainEqual(['2', '3']);
    expect(calls).toContainEqual(['66']);
  });

  it('a 429 for the whole call is thrown for the engine to reschedule, never isolated', async () => {
    const { connector } = hubspot({ priority: 'background' });
    nock(API).post('/crm/v4/associations/contacts/deals/batch/associate/default').reply(429, {
      status: 'error',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      message: 'slow',
    });
    await expect(
      connector.linkRecords('contact', 'deal', [{ ref: 'a', fromId: '1', toId: '2' }]),
    ).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('refuses more than 100 pairs without a call', async () => {
    const { connector } = hubspot();
    const pairs = Array.from({ length: 101 }, (_, i) => ({
      ref: String(i),
      fromId: '1',
      toId: String(i + 1),
    }));
    await expect(connector.linkRecords('contact', 'deal', pairs)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('HubSpot unlinkRecords', () => {
  it('sends one batch/archive (to as a list); 204 → every pair unlinked; an unknown record is a success', async () => {
    const { connector } = hubspot();
    let body: unknown;
    nock(API)
      .post('/crm/v4/associations/contacts/deals/batch/archive', (b: unknown) => {
        body = b;
        return true;
      })
      .reply(204);
    const results = await connector.unlinkRecords('contact', 'deal', [
      { ref: 'a', fromId: '1', toId: '10' },
      { ref: 'b', fromId: '2', toId: '11' },
      { ref: 'c', fromId: 'nope', toId: '11' },
    ]);
    expect(body).toEqual({
      inputs: [
        { from: { id: '1' }, to: [{ id: '10' }] },
        { from: { id: '2' }, to: [{ id: '11' }] },
      ],
    });
    expect(results).toEqual([
      { ref: 'a', ok: true, remoteId: '1', created: false },
      { ref: 'b', ok: true, remoteId: '2', created: false },
      { ref: 'c', ok: true, remoteId: 'nope', created: false },
    ]);
  });

  it('per-input errors: OBJECT_NOT_FOUND is nothing to unlink (a success), another refusal fails its pair', async () => {
    const { connector } = hubspot();
    nock(API)
      .post('/crm/v4/associations/contacts/deals/batch/archive')
      .reply(207, {
        ...BATCH_ENVELOPE,
        status: 'COMPLETE',
        results: [],
        numErrors: 2,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'gone',
            context: { fromObjectId: ['1'] },
          },
          {
            status: 'error',
            category: 'VALIDATION_ERROR',
            message: 'locked',
            context: { fromObjectId: ['2'] },
          },
        ],
      });
    const results = await connector.unlinkRecords('contact', 'deal', [
      { ref: 'a', fromId: '1', toId: '10' },
      { ref: 'b', fromId: '2', toId: '11' },
      { ref: 'c', fromId: '3', toId: '12' },
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'VALIDATION', 'ok']);
  });
});
