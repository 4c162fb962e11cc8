import { CHANGES_WINDOW_EXCEEDED } from '../../../../src/connectors/changes-window';
import { DATA, rejection, salesforce, sf, sfId } from './sf-context';

const NOW = Date.parse('2024-05-20T12:00:00Z');

const row = (n: number, stamp: string, deleted = false) => ({
  attributes: { type: 'Contact', url: `${DATA}/sobjects/Contact/${sfId('003', n)}` },
  Id: sfId('003', n),
  IsDeleted: deleted,
  LastName: `Last${n}`,
  LastModifiedDate: stamp,
  SystemModstamp: stamp,
});

describe('Salesforce listChanges', () => {
  it('asks queryAll for records modified after `since`, ordered by (SystemModstamp, Id), and reports deletions', async () => {
    const { connector } = salesforce({ now: () => NOW });
    let soql = '';
    sf()
      .get(`${DATA}/queryAll`)
      .query((q) => {
        soql = String(q.q);
        return true;
      })
      .reply(200, {
        totalSize: 2,
        done: true,
        records: [row(1, '2024-05-20T10:00:00.000+0000'), row(2, '2024-05-20T10:05:00.000+0000', true)],
      });
    const page = await connector.listChanges('contact', {
      since: new Date('2024-05-20T09:00:00Z'),
      pageSize: 100,
    });
    expect(soql).toMatch(
      / FROM Contact WHERE SystemModstamp > 2024-05-20T09:00:00Z ORDER BY SystemModstamp ASC, Id ASC LIMIT 100$/,
    );
    expect(page.items.map((c) => [c.object, c.remoteId, c.kind, c.occurredAt])).toEqual([
      ['contact', sfId('003', 1), 'UPSERTED', '2024-05-20T10:00:00.000Z'],
      ['contact', sfId('003', 2), 'DELETED', '2024-05-20T10:05:00.000Z'],
    ]);
    expect(page.items[0].record?.fields.LastName).toBe('Last1');
    expect(page.nextCursor).toBeNull();
  });

  it('continues after the last (timestamp, id) so records sharing a timestamp across a page boundary are neither lost nor repeated', async () => {
    const { connector } = salesforce({ now: () => NOW });
    const stamp = '2024-05-20T10:00:00.000+0000';
    const soql: string[] = [];
    sf()
      .get(`${DATA}/queryAll`)
      .query((q) => {
        soql.push(String(q.q));
        return true;
      })
      .reply(200, { totalSize: 3, done: true, records: [row(1, stamp), row(2, stamp), row(3, stamp)] })
      .get(`${DATA}/queryAll`)
      .query((q) => {
        soql.push(String(q.q));
        return true;
      })
      .reply(200, {
        totalSize: 2,
        done: true,
        records: [row(4, stamp), row(5, '2024-05-20T10:00:01.000+0000')],
      });

    const first = await connector.listChanges('contact', {
      since: new Date('2024-05-20T09:00:00Z'),
      pageSize: 3,
    });
    expect(first.nextCursor).not.toBeNull();
    const second = await connector.listChanges('contact', {
      since: new Date('2024-05-20T09:00:00Z'),
      pageSize: 3,
      cursor: first.nextCursor,
    });
    expect(soql[1]).toContain(
      `WHERE (SystemModstamp > 2024-05-20T10:00:00Z OR (SystemModstamp = 2024-05-20T10:00:00Z AND Id > '${sfId('003', 3)}'))`,
    );
    expect([...first.items, ...second.items].map((c) => c.remoteId)).toEqual(
      [1, 2, 3, 4, 5].map((n) => sfId('003', n)),
    );
    expect(second.nextCursor).toBeNull();
  });

  it('writes `since` as whole seconds, rounded down, so no record of that second is lost', async () => {
    const { connector } = salesforce({ now: () => NOW });
    let soql = '';
    sf()
      .get(`${DATA}/queryAll`)
      .query((q) => {
        soql = String(q.q);
        return true;
      })
      .reply(200, { totalSize: 0, done: true, records: [] });
    const page = await connector.listChanges('contact', { since: new Date('2024-05-20T09:00:00.750Z') });
    expect(soql).toContain('WHERE SystemModstamp > 2024-05-20T09:00:00Z ORDER BY');
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('asks for a full reconcile when `since` is older than the 15 days deletions stay visible', async () => {
    const { connector } = salesforce({ now: () => NOW });
    const err = await rejection(
      connector.listChanges('contact', { since: new Date(NOW - 16 * 24 * 3600 * 1000) }),
    );
    expect(err.vendorCode).toBe(CHANGES_WINDOW_EXCEEDED);
    expect(err.details).toMatchObject({ fullResyncRequired: true });
    expect(err.message).toMatch(/reconcile in full/);
  });
});
