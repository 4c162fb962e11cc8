import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { type BudgetDeclaration } from '../../../src/config/crms';
import { type CrmError } from '../../../src/errors';
import { RedisBudgetGate } from '../../../src/ratelimit/budget-gate';
import { BudgetLeases } from '../../../src/ratelimit/budget-lease';
import { testStoreUrls, uniqueName } from '../../support/stores';

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisClient(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(() => redis.quit());

/** A daily budget of 1,000: leases of 10 (1 % of the limit). */
const daily: BudgetDeclaration = {
  name: 'daily',
  scope: 'account',
  limit: 1000,
  windowMs: 24 * 60 * 60 * 1000,
  interactiveReserve: 0,
  headers: { style: 'usage-ratio', header: 'Sforce-Limit-Info', key: 'api-usage' },
};

/** A gate of one process (its own leases) on the shared budget of `prefix`. */
function gate(prefix: string, leases: BudgetLeases, budgets: BudgetDeclaration[] = [daily]) {
  return new RedisBudgetGate({
    redis,
    prefix,
    connection: { id: 'c1', crm: 'salesforce', externalAccountId: 'org-1', settings: {} },
    budgets,
    leases,
  });
}

/** Units the shared count holds for the gate's only budget. */
async function counted(g: RedisBudgetGate): Promise<number> {
  const [b] = g.effectiveBudgets;
  const fields = await redis.hgetall(b!.key);
  return Object.entries(fields).reduce((n, [k, v]) => (/^\d+$/.test(k) ? n + Number(v) : n), 0);
}

/** Acquires one by one until the gate refuses; the number admitted. */
async function drain(g: RedisBudgetGate, max: number): Promise<number> {
  for (let i = 0; i < max; i++) {
    const refused = await g.acquire('interactive').then(
      () => false,
      (e: CrmError) => e.code === 'RATE_LIMITED',
    );
    if (refused) return i;
  }
  return max;
}

describe('RedisBudgetGate with leases (real Redis)', () => {
  it('passes most calls of a busy budget without a shared take, all counted before they are spent', async () => {
    const leases = new BudgetLeases({ maxUnits: 10 });
    const g = gate(uniqueName('lease'), leases);
    await g.acquire('interactive'); // the first call learns what is left
    const takes: number[] = [];
    const take = g.take.bind(g);
    g.take = (budget, priority, cost) => {
      takes.push(cost);
      return take(budget, priority, cost);
    };
    for (let i = 0; i < 40; i++) await g.acquire('interactive');
    // Four leases of 10 for 40 calls; the count holds every leased unit.
    expect(takes).toEqual([10, 10, 10, 10]);
    expect(await counted(g)).toBe(41);
  });

  it('never lets two processes together past the limit, and gives back what a lease did not spend', async () => {
    const prefix = uniqueName('lease2');
    const a = new BudgetLeases({ maxUnits: 10 });
    const b = new BudgetLeases({ maxUnits: 10 });
    const ga = gate(prefix, a);
    const gb = gate(prefix, b);
    let admitted = 0;
    // Interleaved, so both hold leases while the budget runs down.
    for (let round = 0; round < 600; round++) {
      admitted += await drain(ga, 1);
      admitted += await drain(gb, 1);
    }
    expect(admitted).toBeLessThanOrEqual(1000);
    // What is still leased is counted: the shared count is at the limit.
    expect(await counted(ga)).toBeLessThanOrEqual(1000);
    const [budget] = ga.effectiveBudgets;
    a.drop(budget!.key);
    b.drop(budget!.key);
    // Given back (best effort, not awaited by `drop`): wait for the count to settle on what was spent.
    for (let i = 0; i < 50 && (await counted(ga)) !== admitted; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await counted(ga)).toBe(admitted);
  });

  it('stops spending a lease once the vendor refuses for lack of budget', async () => {
    const leases = new BudgetLeases({ maxUnits: 10 });
    const g = gate(uniqueName('lease3'), leases);
    await g.acquire('interactive');
    await g.acquire('interactive'); // takes a lease of 10
    await g.exhausted(60_000);
    await expect(g.acquire('interactive')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('stops leasing when a reading says little is left', async () => {
    const leases = new BudgetLeases({ maxUnits: 10 });
    const g = gate(uniqueName('lease4'), leases);
    await g.acquire('interactive');
    await g.acquire('interactive'); // a lease of 10: 9 left in it
    await g.observe({ 'sforce-limit-info': 'api-usage=950/1000' }, { served: true });
    const takes: number[] = [];
    const take = g.take.bind(g);
    g.take = (budget, priority, cost) => {
      takes.push(cost);
      return take(budget, priority, cost);
    };
    await g.acquire('interactive');
    await g.acquire('interactive');
    // The lease was ended, and with 5 % left every call takes from the shared count on its own.
    expect(takes).toEqual([1, 1]);
  });

  it('leases nothing where the window is short or the limit small', async () => {
    const leases = new BudgetLeases({ maxUnits: 10 });
    const burst = gate(uniqueName('lease5'), leases, [
      { ...daily, name: 'burst', limit: 1000, windowMs: 10_000 },
    ]);
    const small = gate(uniqueName('lease6'), leases, [{ ...daily, limit: 150 }]);
    for (let i = 0; i < 5; i++) {
      await burst.acquire('interactive');
      await small.acquire('interactive');
    }
    expect(await counted(burst)).toBe(5);
    expect(await counted(small)).toBe(5);
  });
});
