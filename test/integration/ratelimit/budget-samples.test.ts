import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { type BudgetReading } from '../../../src/ratelimit/budget-gate';
import { BudgetSamples, MAX_BUDGET_SAMPLES } from '../../../src/ratelimit/budget-samples';
import { processBudgetSample } from '../../../src/worker/budgets/budget-sample.processor';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { testStoreUrls, uniqueName } from '../../support/stores';

/** Budget samples in a real Redis: an hour of them per connection, oldest first, bounded and expiring. */

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisClient(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await redis.quit();
});

const reading = (name: string, remaining: number): BudgetReading => ({
  name,
  limit: 100,
  windowMs: 10_000,
  remaining,
  retryAfterMs: 0,
});

it('keeps the last hour of samples per connection, oldest first, and lets the key expire', async () => {
  const prefix = uniqueName('bsamp');
  const samples = new BudgetSamples(redis, prefix);
  for (let i = 0; i < MAX_BUDGET_SAMPLES + 5; i++) {
    await samples.record('conn-1', new Date(60_000 * i), [reading('burst', i), reading('daily', 1000 - i)]);
  }
  await samples.record('conn-2', new Date(0), [reading('burst', 7)]);
  const read = await samples.read('conn-1');
  expect(read).toHaveLength(MAX_BUDGET_SAMPLES);
  expect(read[0]).toEqual({ at: new Date(60_000 * 5), remaining: { burst: 5, daily: 995 } });
  expect(read.at(-1)!.remaining).toEqual({ burst: 64, daily: 936 });
  expect(await samples.read('conn-2')).toEqual([{ at: new Date(0), remaining: { burst: 7 } }]);
  expect(await samples.read('conn-none')).toEqual([]);
  const ttl = await redis.pttl(`${prefix}:budget-samples:conn-1`);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(3_600_000);
});

it('skips an entry it cannot read instead of failing the whole history', async () => {
  const prefix = uniqueName('bsamp');
  const samples = new BudgetSamples(redis, prefix);
  await samples.record('conn-1', new Date(1000), [reading('burst', 3)]);
  await redis.lpush(`${prefix}:budget-samples:conn-1`, 'not json', JSON.stringify({ t: 'x', r: {} }));
  await samples.record('conn-1', new Date(2000), [reading('burst', 2)]);
  expect((await samples.read('conn-1')).map((s) => s.remaining.burst)).toEqual([3, 2]);
});

it('samples every connection a job finds, and goes on past one whose budgets cannot be read', async () => {
  const prefix = uniqueName('bsamp');
  const samples = new BudgetSamples(redis, prefix);
  const connections = ['c1', 'c2', 'c3'].map((id) => ({ id }) as ConnectionView);
  const logger = { warn: jest.fn() };
  const run = processBudgetSample({
    connections: { listAll: async () => connections },
    readings: async (c) => {
      if (c.id === 'c2') throw new Error('unknown CRM kind');
      return [reading('burst', c.id === 'c1' ? 10 : 30)];
    },
    samples,
    logger,
    now: () => new Date(5000),
  });
  expect(await run()).toEqual({ sampled: 2, failed: 1 });
  expect(await samples.read('c3')).toEqual([{ at: new Date(5000), remaining: { burst: 30 } }]);
  expect(logger.warn).toHaveBeenCalledWith(
    expect.objectContaining({ connectionId: 'c2' }),
    'budgets not sampled',
  );
});
