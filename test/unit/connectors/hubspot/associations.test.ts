import nock from '../../../support/nock';
import { API, hubspot, resetNock } from './hs-context';

/** Associations v4 (docs/vendors/hubspot.md "Associations"), read in batches. */

afterEach(() => resetNock());

describe('getAssociations', () => {
  it('reads v4 associations in one batch per 100 ids, follows per-record paging, and maps misses to []', async () => {
    const { connector } = hubspot();
    const ids = Array.from({ length: 150 }, (_, i) => String(i + 1));
    const batches: number[] = [];
    nock(API)
      .post('/crm/v4/associations/contacts/deals/batch/read', (b: { inputs: unknown[] }) => {
        batches.push(b.inputs.length);
        return b.inputs.length === 100;
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          {
            from: { id: '1' },
            to: [
              {
                toObjectId: 501,
                associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
              },
              {
                toObjectId: 501,
                associationTypes: [{ category: 'USER_DEFINED', typeId: 77, label: 'Champion' }],
              },
            ],
            paging: { next: { after: 'abc' } },
          },
          { from: { id: '2' }, to: [{ toObjectId: '502', associationTypes: [] }] },
        ],
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'No associations found',
            context: { fromObjectId: ['3'] },
          },
        ],
      })
      .get('/crm/v4/objects/contacts/1/associations/deals')
      .query({ limit: '500', after: 'abc' })
      .reply(200, { results: [{ toObjectId: 503, associationTypes: [] }] })
      .post('/crm/v4/associations/contacts/deals/batch/read', (b: { inputs: unknown[] }) => {
        batches.push(b.inputs.length);
        return b.inputs.length === 50;
      })
      .reply(200, { status: 'COMPLETE', results: [{ from: { id: '150' }, to: [{ toObjectId: 9 }] }] });
    const map = await connector.getAssociations('contact', ids, 'deal');
    expect(batches).toEqual([100, 50]);
    expect(map.size).toBe(150);
    expect(map.get('1')).toEqual(['501', '503']);
    expect(map.get('2')).toEqual(['502']);
    expect(map.get('3')).toEqual([]);
    expect(map.get('150')).toEqual(['9']);
  });
});
