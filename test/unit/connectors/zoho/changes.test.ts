import nock from '../../../support/nock';
import { CHANGES_WINDOW_EXCEEDED } from '../../../../src/connectors/changes-window';
import { API, V8, contact, fieldsOnce, zohoUnit } from './zoho-context';

/** Changes by (Modified_Time, id) keyset, then deletions (docs/vendors/zoho.md "Connector: changes and deletions"). */

const NOW = Date.parse('2026-03-10T12:00:00.400Z');
const SINCE = new Date('2026-03-10T11:00:00.700Z');

describe('listChanges', () => {
  it('walks a fixed window by (Modified_Time, id), so records of one second are neither lost nor repeated', async () => {
    const { connector } = zohoUnit({ now: () => NOW });
    fieldsOnce();
    const queries: string[] = [];
    const at = '2026-03-10T11:30:00+00:00';
    nock(API)
      .post(`${V8}/coql`, (b: { select_query: string }) => queries.push(b.select_query) > 0)
      .reply(200, {
        data: [contact('7', { Modified_Time: at }), contact('9', { Modified_Time: at })],
        info: { more_records: true },
      })
      .post(`${V8}/coql`, (b: { select_query: string }) => queries.push(b.select_query) > 0)
      .reply(200, {
        data: [contact('8', { Modified_Time: '2026-03-10T11:30:01+00:00' })],
        info: { more_records: false },
      });
    const first = await connector.listChanges('contact', { since: SINCE, pageSize: 2 });
    expect(first.items.map((c) => [c.remoteId, c.kind, c.occurredAt])).toEqual([
      ['7', 'UPSERTED', '2026-03-10T11:30:00.000Z'],
      ['9', 'UPSERTED', '2026-03-10T11:30:00.000Z'],
    ]);
    expect(first.items[0]!.record?.fields.Email).toBe('jane@acme.example');
    expect(queries[0]).toContain(
      "where (Modified_Time >= '2026-03-10T11:00:00+00:00' and Modified_Time <= '2026-03-10T12:00:01+00:00') order by Modified_Time asc, id asc limit 2",
    );
    const second = await connector.listChanges('contact', {
      since: SINCE,
      pageSize: 2,
      cursor: first.nextCursor,
    });
    expect(queries[1]).toContain(
      "where ((Modified_Time > '2026-03-10T11:30:00+00:00' or (Modified_Time = '2026-03-10T11:30:00+00:00' and id > '9')) and Modified_Time <= '2026-03-10T12:00:01+00:00')",
    );
    expect(second.items.map((c) => c.remoteId)).toEqual(['8']);
    // Then the deletions of the same window, modified since its start.
    nock(API)
      .get(`${V8}/Contacts/deleted`)
      .query((q) => q.type === 'all' && q.page === '1' && q.per_page === '200')
      .matchHeader('if-modified-since', '2026-03-10T11:00:00+00:00')
      .reply(200, {
        data: [
          { id: '41', deleted_time: '2026-03-10T16:50:00+05:30', type: 'recycle', display_name: 'A' },
          { id: '42', deleted_time: '2026-03-09T10:00:00+00:00', type: 'permanent', display_name: null },
        ],
        info: { per_page: 200, count: 2, page: 1, more_records: false },
      });
    const third = await connector.listChanges('contact', { since: SINCE, cursor: second.nextCursor });
    expect(third.items).toEqual([
      { object: 'contact', remoteId: '41', kind: 'DELETED', occurredAt: '2026-03-10T11:20:00.000Z' },
    ]);
    expect(third.nextCursor).toBeNull();
  });

  it('pages the deleted list while Zoho says there are more', async () => {
    const { connector } = zohoUnit({ now: () => NOW });
    fieldsOnce('Deals');
    nock(API).post(`${V8}/coql`).reply(204);
    const modified = await connector.listChanges('deal', { since: SINCE });
    expect(modified.items).toEqual([]);
    nock(API)
      .get(`${V8}/Deals/deleted`)
      .query((q) => q.page === '1')
      .reply(200, {
        data: [{ id: '51', deleted_time: '2026-03-10T11:10:00+00:00', type: 'recycle' }],
        info: { more_records: true },
      })
      .get(`${V8}/Deals/deleted`)
      .query((q) => q.page === '2')
      .reply(204);
    const first = await connector.listChanges('deal', { since: SINCE, cursor: modified.nextCursor });
    expect(first.items.map((c) => c.remoteId)).toEqual(['51']);
    const second = await connector.listChanges('deal', { since: SINCE, cursor: first.nextCursor });
    expect(second).toEqual({ items: [], nextCursor: null });
  });

  it('asks for a full reconcile, before any call, past the 60 days Zoho keeps deletions', async () => {
    const { connector } = zohoUnit({ now: () => NOW });
    await expect(
      connector.listChanges('contact', { since: new Date(NOW - 61 * 24 * 3600 * 1000) }),
    ).rejects.toMatchObject({ vendorCode: CHANGES_WINDOW_EXCEEDED, details: { fullResyncRequired: true } });
  });
});
