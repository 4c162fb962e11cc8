import { CHANGES_WINDOW_EXCEEDED } from '../../../../src/connectors/changes-window';
import { type CrmError } from '../../../../src/errors';
import { type DynamicsHarness, startHarness } from './harness';

describe('Dynamics change tracking and export against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 23, opportunity: 4, account: 2 });
  });
  afterAll(() => h.close());

  it('reads every row at odd page sizes, then only the changes behind the delta link, deletions last', async () => {
    const connector = h.connector();
    let page = await connector.readChanges('contact', { pageSize: 7 });
    const first = [...page.items];
    while (page.nextCursor) {
      expect(page.deltaCursor).toBeNull();
      page = await connector.readChanges('contact', { cursor: page.nextCursor });
      first.push(...page.items);
    }
    expect(first).toHaveLength(23);
    expect(new Set(first.map((c) => c.remoteId)).size).toBe(23);
    const delta = page.deltaCursor!;
    expect(Buffer.from(delta, 'base64url').toString()).not.toMatch(/http|api\/data/);

    const [updated, gone] = [first[2].remoteId, first[5].remoteId];
    await connector.upsertRecords('contact', [
      { ref: 'u', remoteId: updated, fields: { jobtitle: 'Changed' } },
    ]);
    await connector.deleteRecords('contact', [gone]);
    const changes = await connector.readChanges('contact', { cursor: delta });
    expect(changes.items.map((c) => [c.remoteId, c.kind])).toEqual([
      [updated, 'UPSERTED'],
      [gone, 'DELETED'],
    ]);
    expect(changes.items[0].record?.fields.jobtitle).toBe('Changed');
    expect(changes.deltaCursor).toBeTruthy();
  });

  it('turns an expired delta token into CHANGES_WINDOW_EXCEEDED asking for a full reconcile', async () => {
    const connector = h.connector();
    let page = await connector.readChanges('deal', { pageSize: 5000 });
    expect(page.nextCursor).toBeNull();
    const org = h.server.org();
    org.clock.advance(8 * 24 * 3600_000);
    try {
      const err = (await connector
        .readChanges('deal', { cursor: page.deltaCursor })
        .catch((e: unknown) => e)) as CrmError;
      expect(err.vendorCode).toBe(CHANGES_WINDOW_EXCEEDED);
      expect(err.details).toEqual({ fullResyncRequired: true });
      page = await connector.readChanges('deal', {});
      expect(page.items).toHaveLength(4);
    } finally {
      org.clock.setOffset(0);
    }
  });

  it('exports every row with the count on the first page', async () => {
    const connector = h.connector();
    const first = await connector.exportRecords('deal', { pageSize: 3 });
    expect(first.total).toBe(4);
    expect(first.items).toHaveLength(3);
    const second = await connector.exportRecords('deal', { cursor: first.nextCursor });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
  });
});
