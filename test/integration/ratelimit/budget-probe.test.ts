import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { type BudgetDeclaration } from '../../../src/config/crms';
import { type ConnectionInfo } from '../../../src/connectors/types';
import { type CrmError } from '../../../src/errors';
import { operationDeadline } from '../../../src/vendor-calls/deadline';
import { RedisBudgetGate } from '../../../src/ratelimit/budget-gate';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The probe schedule that replaced the fixed lockout after a vendor refusal without a stated wait
 * (Salesforce REQUEST_LIMIT_EXCEEDED): holds grow 1×, 2×, 4× … the first, one caller probes at the end
 * of each hold, and a served probe reopens the budget at what the vendor says is left.
 */

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisClient(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(() => redis.quit());

const connection: ConnectionInfo = {
  id: 'c1',
  tenantId: 't1',
  crm: 'salesforce',
  externalAccountId: 'org-1',
  vendorUrls: {},
  settings: {},
};
const daily: BudgetDeclaration = {
  name: 'daily',
  scope: 'account',
  limit: 1000,
  windowMs: 60_000,
  interactiveReserve: 0,
  headers: { style: 'usage-ratio', header: 'Sforce-Limit-Info', key: 'api-usage' },
};

function gate(prefix: string, over: Partial<ConstructorParameters<typeof RedisBudgetGate>[0]> = {}) {
  return new RedisBudgetGate({
    redis,
    prefix,
    connection,
    budgets: [daily],
    probeFirstMs: 200,
    probeMaxMs: 800,
    ...over,
  });
}

const refusal = (p: Promise<unknown>): Promise<CrmError | null> =>
  p.then(
    () => null,
    (e: CrmError) => e,
  );
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RedisBudgetGate probe schedule (real Redis)', () => {
  it('holds for the first interval, then lets exactly one caller probe while the others wait', async () => {
    const g = gate(uniqueName('rlp'));
    expect(await g.backOff({ probe: false })).toBe(200);
    const held = await refusal(g.acquire('background'));
    expect(held).toMatchObject({ code: 'RATE_LIMITED' });
    expect(held?.retryAfterMs).toBeGreaterThan(0);
    expect(held?.retryAfterMs).toBeLessThanOrEqual(200);

    await sleep(250);
    const grants = await Promise.allSettled(Array.from({ length: 10 }, () => g.acquire('background')));
    const probes = grants.filter((r) => r.status === 'fulfilled' && r.value === 'probe');
    const others = grants.filter((r) => r.status === 'fulfilled' && r.value !== 'probe');
    expect(probes).toHaveLength(1);
    // No one else got through while the probe is out: they are told to wait for its lease.
    expect(others).toHaveLength(0);
  });

  it('doubles the hold after each refused probe, up to the cap; late refusals of earlier calls do not move it', async () => {
    const g = gate(uniqueName('rlp'));
    expect(await g.backOff({ probe: false })).toBe(200);
    // Calls admitted before the refusals began come back refused too: the schedule stands.
    const late = await g.backOff({ probe: false });
    expect(late).toBeGreaterThan(0);
    expect(late).toBeLessThanOrEqual(200);
    expect(await g.backOff({ probe: true })).toBe(400);
    expect(await g.backOff({ probe: true })).toBe(800);
    expect(await g.backOff({ probe: true })).toBe(800);
  });

  it('a served probe reopens the budget at the allocation the vendor reports', async () => {
    const g = gate(uniqueName('rlp'));
    const remaining: number[] = [];
    const g2 = gate(uniqueName('rlp'), { onRemaining: (_b, n) => remaining.push(n) });
    for (const x of [g, g2]) {
      // Our count was spent down by the outage's corrections...
      await x.observe({ 'sforce-limit-info': 'api-usage=1000/1000' });
      await x.backOff({ probe: false });
    }
    await sleep(250);
    expect(await g2.acquire('background')).toBe('probe');
    // ...the vendor now says 40 of 1000 are used: that is our count from now on.
    await g2.reopen({ 'sforce-limit-info': 'api-usage=40/1000' });
    expect(await g2.acquire('background')).toBeUndefined();
    expect(remaining.at(-1)).toBe(1000 - 40 - 1);
    // Without a reopen the hold and the probe slot stay.
    await sleep(250);
    expect(await g.acquire('background')).toBe('probe');
    expect(await refusal(g.acquire('background'))).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('a probe that ended neither served nor refused frees its slot for the next caller at once', async () => {
    const g = gate(uniqueName('rlp'), { probeLeaseMs: 60_000 });
    await g.backOff({ probe: false });
    await sleep(250);
    expect(await g.acquire('background')).toBe('probe');
    expect(await refusal(g.acquire('background'))).toMatchObject({ code: 'RATE_LIMITED' });
    await g.releaseProbe();
    expect(await g.acquire('background')).toBe('probe');
  });
});

describe('RedisBudgetGate and the operation deadline (real Redis)', () => {
  it('an interactive budget wait that would end after the deadline fails UNAVAILABLE naming the budget', async () => {
    const g = gate(uniqueName('rld'), { budgets: [{ ...daily, limit: 1, windowMs: 1500 }] });
    await g.acquire('interactive');
    // The next unit frees within the 2 s interactive wait, but after this operation's deadline.
    const err = await refusal(g.acquire('interactive', 1, { deadline: operationDeadline(300) }));
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(err?.message).toMatch(
      /deadline \(300 ms, OPERATION_TIMEOUT_MS\) passed while waiting \d+ ms for the salesforce daily budget/,
    );
  });
});
