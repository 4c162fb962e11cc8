import { type AppContext } from '../../../src/runtime/context';
import { createTestContext } from '../../support/context';

/**
 * The account index webhook routing reads (`ConnectionAccountsRepository`): every connection of a
 * portal, not disabled ones, and a connection made, moved or disabled shows at once (the store change
 * feed drops the cached index).
 */
describe('connections by vendor account', () => {
  let ctx: AppContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => {
    await ctx.store.conn.dropDatabase().catch(() => undefined);
    await ctx.close();
  });

  const make = async (tenantId: string, portal: string | null, crm = 'hubspot') =>
    (
      await ctx.store.connections.create({
        tenantId,
        crm,
        displayName: 'c',
        credentials: {},
        externalAccountId: portal,
      })
    ).id;

  it('finds every connection of each account, and follows changes', async () => {
    const t1 = (await ctx.store.tenants.create('acc-1')).id;
    const t2 = (await ctx.store.tenants.create('acc-2')).id;
    const a1 = await make(t1, '111');
    const a2 = await make(t2, '111');
    const b1 = await make(t1, '222');
    await make(t1, null);
    await make(t1, '111', 'salesforce');
    const accounts = ctx.store.connectionAccounts;
    const found = await accounts.connectionIdsOf('hubspot', ['111', '222', '333']);
    expect([...found.keys()].sort()).toEqual(['111', '222']);
    expect(found.get('111')!.sort()).toEqual([a1, a2].sort());
    expect(found.get('222')).toEqual([b1]);

    const a3 = await make(t2, '111');
    expect((await accounts.connectionIdsOf('hubspot', ['111'])).get('111')!.sort()).toEqual(
      [a1, a2, a3].sort(),
    );
    await ctx.store.connections.setStatus(a2, 'DISABLED');
    await ctx.store.connections.update(b1, { externalAccountId: '333' });
    const after = await accounts.connectionIdsOf('hubspot', ['111', '222', '333']);
    expect(after.get('111')!.sort()).toEqual([a1, a3].sort());
    expect(after.get('222')).toBeUndefined();
    expect(after.get('333')).toEqual([b1]);
  });
});
