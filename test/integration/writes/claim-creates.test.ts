import { type AppContext } from '../../../src/runtime/context';
import { FlushLock } from '../../../src/writes/flush-lock';
import { type WriteGroup } from '../../../src/writes/write-operation.types';
import { createTestContext } from '../../support/context';
import { groupOf, insertOperations } from '../../support/writes/operations';

/**
 * The claim of a batch of creates (issue 17, `bench:writes` Salesforce): a create keyed by itself is the
 * first write of its record, so such a batch skips the look at the records' other operations — a
 * collection scan on FerretDB. A batch with anything else still orders each record's writes. Real FerretDB.
 */

let ctx: AppContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.store.conn.dropDatabase().catch(() => undefined);
  await ctx.close();
});

async function claim(group: WriteGroup) {
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix);
  const token = await lock.tryAcquire(group);
  try {
    return await ctx.store.writeBatches.claim(group, token!, 200, new Date());
  } finally {
    await lock.release(group, token!);
  }
}

it('claims a batch of creates in two round trips: the candidates and their updates', async () => {
  const connection = { id: 'conn-creates', tenantId: 't-creates', crm: 'salesforce' };
  const ids = await insertOperations(
    ctx.store,
    connection,
    Array.from({ length: 3 }, (_, i) => ({ kind: 'CREATE' as const, fields: { LastName: `c${i}` } })),
  );
  const result = await claim(groupOf(connection.id, 'CREATE'));
  expect(result.claimed.map((o) => o.id)).toEqual(ids);
  expect(result.claimed.every((o) => o.status === 'RUNNING')).toBe(true);
  expect(result.roundTrips).toBe(2);
});

it('a batch with an update still waits for the earlier unfinished write of its record', async () => {
  const connection = { id: 'conn-mixed', tenantId: 't-mixed', crm: 'salesforce' };
  // The record's delete came first and is RUNNING (another group): the update waits for it.
  await insertOperations(ctx.store, connection, [
    { kind: 'DELETE', remoteId: '003A', status: 'RUNNING', runningSince: new Date(), claimToken: 'x' },
  ]);
  const [create, update] = await insertOperations(ctx.store, connection, [
    { kind: 'CREATE', fields: { LastName: 'new' } },
    { kind: 'UPDATE', remoteId: '003A', fields: { LastName: 'later' } },
  ]);
  const result = await claim(groupOf(connection.id, 'CREATE'));
  expect(result.claimed.map((o) => o.id)).toEqual([create]);
  expect(result.claimed.map((o) => o.id)).not.toContain(update);
  expect(result.roundTrips).toBe(3);
});
