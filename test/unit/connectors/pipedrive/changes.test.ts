import nock from '../../../support/nock';
import { DOMAIN, V1, V2, fieldsOnce, ok, pipedrive } from './pd-context';

/** Changes by update_time, deleted deals and deleted persons (docs/vendors/pipedrive.md "Connector: changes and deletions"). */

const NOW = Date.parse('2026-03-10T12:00:00.750Z');

describe('listChanges', () => {
  it('walks persons by update_time in a fixed window, then reads deleted persons from recents', async () => {
    const { connector, budget } = pipedrive({ now: () => NOW });
    fieldsOnce();
    let q: Record<string, string> = {};
    nock(DOMAIN)
      .get(`${V2}/persons`)
      .query((query) => {
        q = query as Record<string, string>;
        return true;
      })
      .reply(
        200,
        ok([
          { id: 1, update_time: '2026-03-10T11:00:00Z', custom_fields: {} },
          { id: 2, update_time: '2026-03-10T11:00:00Z', custom_fields: {} },
        ]),
      );
    const page1 = await connector.listChanges('contact', { since: new Date('2026-03-10T10:00:00.400Z') });
    expect(q).toEqual({
      updated_since: '2026-03-10T10:00:00Z',
      updated_until: '2026-03-10T12:00:01Z',
      sort_by: 'update_time',
      sort_direction: 'asc',
      limit: '500',
    });
    expect(page1.items.map((c) => [c.remoteId, c.kind])).toEqual([
      ['1', 'UPSERTED'],
      ['2', 'UPSERTED'],
    ]);
    expect(page1.items[0].record?.remoteId).toBe('1');
    expect(page1.nextCursor).not.toBeNull();

    nock(DOMAIN)
      .get(`${V1}/recents`)
      .query({ since_timestamp: '2026-03-10 10:00:00', items: 'person', start: '0', limit: '500' })
      .reply(200, {
        success: true,
        data: [
          { item: 'person', id: 7, data: { id: 7, active_flag: false, update_time: '2026-03-10 11:30:00' } },
          { item: 'person', id: 1, data: { id: 1, active_flag: true, update_time: '2026-03-10 11:00:00' } },
          { item: 'deal', id: 3, data: { id: 3, active: false } },
        ],
        additional_data: { pagination: { start: 0, limit: 500, more_items_in_collection: false } },
      });
    const page2 = await connector.listChanges('contact', { since: new Date(0), cursor: page1.nextCursor });
    expect(page2.items).toEqual([
      { object: 'contact', remoteId: '7', kind: 'DELETED', occurredAt: '2026-03-10T11:30:00.000Z' },
    ]);
    expect(page2.nextCursor).toBeNull();
    expect(budget.endpoints).toContain('v1.list');
  });

  it('reports deleted deals from the same walk (status includes deleted)', async () => {
    const { connector } = pipedrive({ now: () => NOW });
    fieldsOnce('dealFields');
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query((q) => q.status === 'open,won,lost,deleted' && q.sort_by === 'update_time')
      .reply(200, ok([{ id: 4, is_deleted: true, status: 'deleted', update_time: '2026-03-10T09:00:00Z' }]));
    const page = await connector.listChanges('deal', { since: new Date('2026-03-09T00:00:00Z') });
    expect(page.items).toEqual([
      { object: 'deal', remoteId: '4', kind: 'DELETED', occurredAt: '2026-03-10T09:00:00.000Z' },
    ]);
    expect(page.nextCursor).toBeNull();
  });

  it('asks for a full reconcile past the 30 days Pipedrive keeps deleted records, before any call', async () => {
    const { connector } = pipedrive({ now: () => NOW });
    await expect(
      connector.listChanges('contact', { since: new Date(NOW - 31 * 86_400_000) }),
    ).rejects.toMatchObject({
      vendorCode: 'CHANGES_WINDOW_EXCEEDED',
      details: { fullResyncRequired: true },
    });
  });
});
