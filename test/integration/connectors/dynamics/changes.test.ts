import { CHANGES_WINDOW_EXCEEDED } from '../../../../src/connectors/changes-window';
import { type NativeChange } from '../../../../src/connectors/types';
import { type CrmError } from '../../../../src/errors';
import { type DynamicsHarness, startHarness } from './harness';

describe('Dynamics change tracking and export against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 23, opportunity: 4, account: 2 });
  });
  afterAll(() => h.close());

  const since = () => new Date(h.server.org().now() - 60_000);

  it('starts from a delta position, then reports only later changes — paged at odd sizes, deletions last', async () => {
    const connector = h.connector();
    const position = await connector.startChanges('contact');
    expect(Buffer.from(position, 'base64url').toString()).not.toMatch(/http|api\/data/);
    const nothing = await connector.listChanges('contact', { since: since(), position });
    expect(nothing.items).toEqual([]);
    expect(nothing.position).toBeTruthy();

    const ids = [...h.server.org().state.store.table('contact').keys()];
    const [updated, gone] = [ids[2], ids[5]];
    const created = await connector.upsertRecords(
      'contact',
      Array.from({ length: 10 }, (_, i) => ({ ref: `n${i}`, fields: { lastname: `New ${i}` } })),
    );
    await connector.upsertRecords('contact', [
      { ref: 'u', remoteId: updated, fields: { jobtitle: 'Changed' } },
    ]);
    await connector.deleteRecords('contact', [gone]);
    const changes: NativeChange[] = [];
    let page = await connector.listChanges('contact', {
      since: since(),
      position: nothing.position,
      pageSize: 3,
    });
    changes.push(...page.items);
    while (page.nextCursor) {
      expect(page.position).toBeNull();
      page = await connector.listChanges('contact', { since: since(), cursor: page.nextCursor });
      changes.push(...page.items);
    }
    const newIds = created.map((r) => (r.ok ? r.remoteId : ''));
    expect(
      changes
        .filter((c) => c.kind === 'UPSERTED')
        .map((c) => c.remoteId)
        .sort(),
    ).toEqual([...newIds, updated].sort());
    expect(changes.at(-1)).toMatchObject({ remoteId: gone, kind: 'DELETED' });
    expect(changes.find((c) => c.remoteId === updated)?.record?.fields.jobtitle).toBe('Changed');
    // The next read continues after all of it.
    const after = await connector.listChanges('contact', { since: since(), position: page.position });
    expect(after.items).toEqual([]);
  });

  it('turns an expired delta token into CHANGES_WINDOW_EXCEEDED asking for a full reconcile', async () => {
    const connector = h.connector();
    const position = await connector.startChanges('deal');
    const org = h.server.org();
    org.clock.advance(8 * 24 * 3600_000);
    try {
      // `since` inside the window: the token's own expiry answers, at the vendor.
      const err = (await connector
        .listChanges('deal', { since: since(), position })
        .catch((e: unknown) => e)) as CrmError;
      expect(err.vendorCode).toBe(CHANGES_WINDOW_EXCEEDED);
      expect(err.details).toEqual({ fullResyncRequired: true });
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
