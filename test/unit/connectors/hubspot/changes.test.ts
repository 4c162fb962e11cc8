import nock from '../../../support/nock';
import { type HsSearchRequest } from '../../../../src/connectors/hubspot/wire.types';
import { API, hubspot, mockProperties, resetNock, SEARCH_NOW, SEARCH_SINCE, searchHit } from './hs-context';

/** Changes through search (docs/vendors/hubspot.md "Search") and the archived listing (docs/vendors/hubspot.md "List paging"). */

afterEach(() => resetNock());

describe('listChanges', () => {
  it('walks a fixed window by id keyset (never the offset), then the archived listing for deletions', async () => {
    const { connector } = hubspot({ now: () => SEARCH_NOW, settings: { searchOverlapMs: 60_000 } });
    mockProperties('contacts', ['email', 'lastmodifieddate', 'hs_object_id']);
    const searches: HsSearchRequest[] = [];
    const same = '2026-01-10T11:30:00.000Z';
    nock(API)
      .post('/crm/v3/objects/contacts/search', (b: HsSearchRequest) => {
        searches.push(b);
        return true;
      })
      .reply(200, {
        total: 3,
        results: [searchHit(1, same), searchHit(2, same)],
        paging: { next: { after: '2' } },
      })
      .post('/crm/v3/objects/contacts/search', (b: HsSearchRequest) => {
        searches.push(b);
        return true;
      })
      .reply(200, { total: 1, results: [searchHit(3, same)] })
      .get('/crm/v3/objects/contacts')
      .query({ archived: 'true', limit: '2', properties: 'lastmodifieddate' })
      .reply(200, {
        results: [
          {
            id: '40',
            properties: {},
            archived: true,
            archivedAt: '2026-01-10T10:59:30.000Z',
            updatedAt: '2026-01-10T10:59:30.000Z',
          },
          {
            id: '41',
            properties: {},
            archived: true,
            archivedAt: '2026-01-09T00:00:00.000Z',
            updatedAt: '2026-01-09T00:00:00.000Z',
          },
        ],
        paging: { next: { after: '42' } },
      })
      .get('/crm/v3/objects/contacts')
      .query({ archived: 'true', limit: '2', after: '42', properties: 'lastmodifieddate' })
      .reply(200, {
        results: [{ id: '42', properties: {}, archived: true, archivedAt: '2026-01-10T11:59:00.000Z' }],
      });

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await connector.listChanges('contact', { since: SEARCH_SINCE, cursor, pageSize: 2 });
      for (const c of page.items) seen.push(`${c.kind}:${c.remoteId}@${c.occurredAt}`);
      // Every change says its object, the archived phase's deletions too.
      expect(page.items.every((c) => c.object === 'contact')).toBe(true);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);

    const start = String(SEARCH_SINCE.getTime() - 60_000);
    expect(searches[0]).toEqual({
      filterGroups: [
        {
          filters: [
            { propertyName: 'lastmodifieddate', operator: 'GTE', value: start },
            { propertyName: 'lastmodifieddate', operator: 'LTE', value: String(SEARCH_NOW) },
          ],
        },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
      properties: ['email', 'lastmodifieddate', 'hs_object_id'],
      limit: 2,
    });
    // The second page is a new query from result 0 past the last id, in the same window.
    expect(searches[1]?.after).toBeUndefined();
    expect(searches[1]?.filterGroups[0]?.filters[2]).toEqual({
      propertyName: 'hs_object_id',
      operator: 'GT',
      value: '2',
    });
    expect(searches[1]?.filterGroups[0]?.filters[1]?.value).toBe(String(SEARCH_NOW));
    expect(seen).toEqual([
      `UPSERTED:1@${same}`,
      `UPSERTED:2@${same}`,
      `UPSERTED:3@${same}`,
      'DELETED:40@2026-01-10T10:59:30.000Z',
      'DELETED:42@2026-01-10T11:59:00.000Z',
    ]);
  });

  it('asks search for ids only and reads the records by batch when all properties overflow the 3,000-char body', async () => {
    const { connector } = hubspot({ now: () => SEARCH_NOW });
    const many = Array.from({ length: 200 }, (_, i) => `custom_property_number_${i}`);
    mockProperties('deals', many);
    let searched: HsSearchRequest | undefined;
    nock(API)
      .post('/crm/v3/objects/deals/search', (b: HsSearchRequest) => {
        searched = b;
        return true;
      })
      .reply(200, {
        total: 1,
        results: [
          { id: '9', properties: { hs_object_id: '9', hs_lastmodifieddate: '2026-01-10T11:10:00.000Z' } },
        ],
      })
      .post(
        '/crm/v3/objects/deals/batch/read',
        (b: { properties: string[]; inputs: unknown[] }) =>
          b.properties.length === 200 && JSON.stringify(b.inputs) === '[{"id":"9"}]',
      )
      .reply(200, {
        status: 'COMPLETE',
        results: [
          { id: '9', properties: { custom_property_number_0: 'v' }, updatedAt: '2026-01-10T11:10:00.000Z' },
        ],
      });
    const page = await connector.listChanges('deal', { since: SEARCH_SINCE });
    expect(searched?.properties).toEqual(['hs_lastmodifieddate', 'hs_object_id']);
    expect(searched?.filterGroups[0]?.filters[0]?.propertyName).toBe('hs_lastmodifieddate');
    expect(JSON.stringify(searched).length).toBeLessThanOrEqual(3000);
    expect(page.items).toEqual([
      {
        object: 'deal',
        remoteId: '9',
        kind: 'UPSERTED',
        occurredAt: '2026-01-10T11:10:00.000Z',
        record: {
          remoteId: '9',
          fields: { custom_property_number_0: 'v' },
          updatedAt: '2026-01-10T11:10:00.000Z',
          isDeleted: false,
        },
      },
    ]);
  });

  it('waits on the search endpoint’s own 1-second limit: a secondly 429 is retried for an interactive read', async () => {
    const { connector, slept } = hubspot({ now: () => SEARCH_NOW });
    mockProperties('contacts', ['email']);
    nock(API)
      .post('/crm/v3/objects/contacts/search')
      .reply(429, {
        status: 'error',
        message: 'You have reached your secondly limit.',
        errorType: 'RATE_LIMIT',
        correlationId: 'c',
        policyName: 'SECONDLY',
      })
      .post('/crm/v3/objects/contacts/search')
      .reply(200, { total: 0, results: [] });
    const page = await connector.listChanges('contact', { since: SEARCH_SINCE });
    expect(page.items).toEqual([]);
    expect(slept.length).toBe(1);
    expect(page.nextCursor).not.toBeNull();
  });

  it('refuses a cursor it did not issue, saying so', async () => {
    const { connector } = hubspot();
    await expect(
      connector.listChanges('contact', {
        since: SEARCH_SINCE,
        cursor: Buffer.from('{"v":1,"phase":"x"}').toString('base64url'),
      }),
    ).rejects.toThrow(/not a hubspot cursor/);
  });
});
