import nock from '../../../support/nock';
import { API, hubspot, mockProperties, resetNock } from './hs-context';

/** exportRecords: the list endpoint's pages (docs/vendors/hubspot.md "List paging") with a search's total (docs/vendors/hubspot.md "Counting records"). */

afterEach(() => resetNock());

describe('HubSpot exportRecords', () => {
  it('pages the live listing with `after` and counts once, by one limit-1 search on the first page', async () => {
    const { connector, budget } = hubspot();
    mockProperties('contacts', ['email']);
    const searches: unknown[] = [];
    nock(API)
      .post('/crm/v3/objects/contacts/search', (b: unknown) => {
        searches.push(b);
        return true;
      })
      .reply(200, {
        total: 3,
        results: [{ id: '1', properties: { hs_object_id: '1' } }],
        paging: { next: { after: '1' } },
      })
      .get('/crm/v3/objects/contacts')
      .query({ limit: '2', properties: 'email' })
      .reply(200, {
        results: [
          { id: '1', properties: { email: 'a@x.io' }, archived: false },
          { id: '2', properties: { email: 'b@x.io' }, archived: false },
        ],
        paging: { next: { after: '3' } },
      })
      .get('/crm/v3/objects/contacts')
      .query({ limit: '2', after: '3', properties: 'email' })
      .reply(200, { results: [{ id: '3', properties: { email: 'c@x.io' }, archived: false }] });

    const first = await connector.exportRecords!('contact', { pageSize: 2 });
    expect(first.items.map((r) => r.remoteId)).toEqual(['1', '2']);
    expect(first.total).toBe(3);
    expect(first.itemCursors).toHaveLength(2);
    const second = await connector.exportRecords!('contact', { pageSize: 2, cursor: first.nextCursor });
    expect(second.items.map((r) => r.remoteId)).toEqual(['3']);
    expect(second).toMatchObject({ nextCursor: null, total: 3 });

    expect(searches).toEqual([{ filterGroups: [], sorts: [], properties: ['hs_object_id'], limit: 1 }]);
    // The count drew on the search budget alone; list pages on the ordinary ones.
    expect(budget.named.filter((n) => n?.includes('search'))).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it('resumes right after a record from its item cursor, and never lists archived records', async () => {
    const { connector } = hubspot();
    mockProperties('deals', ['dealname']);
    nock(API)
      .post('/crm/v3/objects/deals/search')
      .reply(200, { total: 2, results: [] })
      .get('/crm/v3/objects/deals')
      .query({ limit: '100', properties: 'dealname' })
      .reply(200, {
        results: [
          { id: '10', properties: { dealname: 'A' }, archived: false },
          { id: '11', properties: { dealname: 'B' }, archived: false },
        ],
      })
      .get('/crm/v3/objects/deals')
      .query({ limit: '100', after: '11', properties: 'dealname' })
      .reply(200, { results: [{ id: '11', properties: { dealname: 'B' }, archived: false }] });
    const page = await connector.exportRecords!('deal', {});
    expect(page).toMatchObject({ nextCursor: null, total: 2 });
    const resumed = await connector.exportRecords!('deal', { cursor: page.itemCursors![0] });
    expect(resumed.items.map((r) => r.remoteId)).toEqual(['11']);
    expect(resumed.total).toBe(2);
    expect(nock.isDone()).toBe(true);
  });
});
