import { ConnectorCursorError } from '../../../../src/connectors/cursor';
import nock from '../../../support/nock';
import { type HsSearchRequest } from '../../../../src/connectors/hubspot/wire.types';
import { API, hubspot, mockProperties, resetNock } from './hs-context';

/** Filtered lists through CRM search (docs/vendors/hubspot.md "Search"): the bodies HubSpot receives, keyset paging, the fallbacks. */

const PROPS = ['email', 'firstname', 'lastname', 'lastmodifieddate', 'hs_object_id'];

function hit(id: number) {
  return {
    id: String(id),
    properties: { hs_object_id: String(id), email: `u${id}@x.io`, firstname: 'Ada', lastname: `L${id}` },
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
    archived: false,
  };
}

/** Answers each search in turn with `pages`, recording the bodies. */
function searches(obj: 'contacts' | 'deals', pages: object[]): HsSearchRequest[] {
  const bodies: HsSearchRequest[] = [];
  let scope = nock(API);
  for (const page of pages) {
    scope = scope
      .post(`/crm/v3/objects/${obj}/search`, (b: HsSearchRequest) => {
        bodies.push(b);
        return true;
      })
      .reply(200, page);
  }
  return bodies;
}

afterEach(() => resetNock());

describe('HubSpot filtered listRecords', () => {
  it('searches with EQ on email, a CONTAINS_TOKEN prefix per OR group and GTE on the modification date', async () => {
    const { connector, budget } = hubspot();
    mockProperties('contacts', PROPS);
    const bodies = searches('contacts', [{ total: 1, results: [hit(7)] }]);
    const page = await connector.listRecords('contact', {
      pageSize: 25,
      filter: {
        equals: [{ field: 'email', value: 'ada@example.com' }],
        prefix: [
          { field: 'firstname', value: 'ad' },
          { field: 'lastname', value: 'ad' },
        ],
        modifiedSince: new Date('2026-01-01T00:00:00.000Z'),
      },
    });
    const common = [
      { propertyName: 'email', operator: 'EQ', value: 'ada@example.com' },
      {
        propertyName: 'lastmodifieddate',
        operator: 'GTE',
        value: String(Date.parse('2026-01-01T00:00:00.000Z')),
      },
    ];
    expect(bodies).toEqual([
      {
        filterGroups: [
          { filters: [...common, { propertyName: 'firstname', operator: 'CONTAINS_TOKEN', value: 'ad*' }] },
          { filters: [...common, { propertyName: 'lastname', operator: 'CONTAINS_TOKEN', value: 'ad*' }] },
        ],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: PROPS,
        limit: 25,
      },
    ]);
    expect(page.items.map((r) => r.remoteId)).toEqual(['7']);
    expect(page.nextCursor).toBeNull();
    // The properties read takes the ordinary budgets; the search the search budget alone.
    expect(budget.named).toEqual([undefined, ['search']]);
  });

  it('pages by id keyset, never by the offset, so the 10,000-results cap never ends a list', async () => {
    const { connector } = hubspot();
    mockProperties('deals', ['dealname', 'hs_lastmodifieddate', 'hs_object_id']);
    const bodies = searches('deals', [
      { total: 3, results: [hit(1), hit(2)], paging: { next: { after: '2' } } },
      { total: 1, results: [hit(3)] },
    ]);
    const filter = { modifiedSince: new Date('2026-01-01T00:00:00.000Z') };
    const first = await connector.listRecords('deal', { pageSize: 2, filter });
    expect(first.nextCursor).not.toBeNull();
    const second = await connector.listRecords('deal', { pageSize: 2, filter, cursor: first.nextCursor });
    expect(second.items.map((r) => r.remoteId)).toEqual(['3']);
    expect(second.nextCursor).toBeNull();
    expect(bodies[1]?.after).toBeUndefined();
    expect(bodies[1]?.filterGroups).toEqual([
      {
        filters: [
          {
            propertyName: 'hs_lastmodifieddate',
            operator: 'GTE',
            value: String(filter.modifiedSince.getTime()),
          },
          { propertyName: 'hs_object_id', operator: 'GT', value: '2' },
        ],
      },
    ]);
  });

  it('caps the page at 200 and asks for ids only, then one batch read, when the properties overflow the body', async () => {
    const { connector } = hubspot();
    const many = Array.from({ length: 200 }, (_, i) => `custom_property_number_${i}_custom`);
    mockProperties('contacts', [...PROPS, ...many]);
    const bodies = searches('contacts', [{ total: 1, results: [{ id: '9', properties: {} }] }]);
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read')
      .reply(200, { status: 'COMPLETE', results: [hit(9)] });
    const page = await connector.listRecords('contact', {
      pageSize: 500,
      filter: { equals: [{ field: 'email', value: 'u9@x.io' }] },
    });
    expect(bodies[0]?.properties).toEqual(['hs_object_id']);
    expect(bodies[0]?.limit).toBe(100);
    expect(JSON.stringify(bodies[0]).length).toBeLessThanOrEqual(3000);
    expect(page.items.map((r) => r.remoteId)).toEqual(['9']);
  });

  it('lists without search when nothing can be searched: includeDeleted, or only a prefix that is not one word', async () => {
    const { connector, budget } = hubspot();
    mockProperties('contacts', PROPS);
    nock(API)
      .get('/crm/v3/objects/contacts')
      .query((q) => q.archived === undefined && q.limit === '10')
      .reply(200, { results: [hit(1)] })
      .get('/crm/v3/objects/contacts')
      .query((q) => q.limit === '10')
      .reply(200, { results: [hit(2)] });
    const prefix = await connector.listRecords('contact', {
      pageSize: 10,
      filter: {
        prefix: [
          { field: 'firstname', value: 'ada' },
          { field: 'lastname', value: 'ada l' },
        ],
      },
    });
    expect(prefix.items.map((r) => r.remoteId)).toEqual(['1']);
    const deleted = await connector.listRecords('contact', {
      pageSize: 10,
      includeDeleted: true,
      filter: { equals: [{ field: 'email', value: 'u2@x.io' }] },
    });
    expect(deleted.items.map((r) => r.remoteId)).toEqual(['2']);
    expect(budget.named).not.toContainEqual(['search']);
  });

  it('declares what it pushes down: word prefixes only, and nothing with deleted records', () => {
    expect(hubspot().connector.listFilters).toEqual({
      equals: true,
      prefix: 'word',
      modifiedSince: true,
      withDeleted: false,
    });
  });

  it('refuses a list cursor for a search and the other way round (an internal error: clients hold sealed cursors)', async () => {
    const { connector } = hubspot();
    mockProperties('contacts', PROPS);
    const filter = { equals: [{ field: 'email', value: 'x@y.z' }] };
    nock(API)
      .get('/crm/v3/objects/contacts')
      .query(true)
      .reply(200, { results: [hit(1)], paging: { next: { after: '2' } } });
    searches('contacts', [{ total: 2, results: [hit(1)], paging: { next: { after: '1' } } }]);
    const listed = await connector.listRecords('contact', { pageSize: 1 });
    const searched = await connector.listRecords('contact', { pageSize: 1, filter });
    expect(searched.nextCursor).not.toBeNull();
    await expect(
      connector.listRecords('contact', { pageSize: 1, cursor: listed.nextCursor, filter }),
    ).rejects.toThrow(ConnectorCursorError);
    await expect(
      connector.listRecords('contact', { pageSize: 1, cursor: searched.nextCursor }),
    ).rejects.toThrow(ConnectorCursorError);
  });
});
