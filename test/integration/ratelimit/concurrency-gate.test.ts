import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { CrmRateLimitedError } from '../../../src/errors';
import { ConcurrencyGate } from '../../../src/ratelimit/concurrency-gate';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The concurrent-request slots in a real Redis: shared by every gate of one connection (each gateway
 * and worker builds its own), given back when a call ends, reclaimed when a holder died.
 */

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisClient(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await redis.quit();
});

function gate(prefix: string, overrides: Partial<ConstructorParameters<typeof ConcurrencyGate>[0]> = {}) {
  return new ConcurrencyGate({ redis, prefix, crm: 'dynamics', scopeId: 'conn-1', limit: 3, ...overrides });
}

it('gives at most `limit` slots across gates of one connection; background is refused at once with a wait', async () => {
  const prefix = uniqueName('conc');
  const [a, b] = [gate(prefix), gate(prefix)];
  const held = [await a.acquire('background'), await b.acquire('background'), await a.acquire('background')];
  const refused = await b.acquire('background').catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(CrmRateLimitedError);
  expect((refused as CrmRateLimitedError).retryAfterMs).toBeGreaterThan(0);
  // Another connection has slots of its own.
  await (
    await gate(prefix, { scopeId: 'conn-2' }).acquire('background')
  )();
  await held[0]!();
  const next = await b.acquire('background');
  await Promise.all([next(), held[1]!(), held[2]!()]);
});

it('lets an interactive call wait for a slot a call gives back, up to its bound', async () => {
  const prefix = uniqueName('conc');
  const g = gate(prefix, { limit: 1, interactiveMaxWaitMs: 2000 });
  const first = await g.acquire('interactive');
  setTimeout(() => void first(), 100);
  const second = await g.acquire('interactive');
  await second();
  const held = await g.acquire('interactive');
  const late = await gate(prefix, { limit: 1, interactiveMaxWaitMs: 100 })
    .acquire('interactive')
    .catch((e: unknown) => e);
  expect(late).toBeInstanceOf(CrmRateLimitedError);
  await held();
});

it('reclaims the slot of a holder that never gave it back once its lease ends', async () => {
  const prefix = uniqueName('conc');
  // The lease is long enough that a loaded CI machine cannot let it run out between the first two
  // acquires (150 ms once did), and short enough to keep the test quick.
  const leaseMs = 1500;
  const g = gate(prefix, { limit: 1, leaseMs });
  const heldSince = Date.now();
  await g.acquire('background'); // never released: a process killed mid-call
  const refused = await g.acquire('background').catch((e: unknown) => e);
  if (Date.now() - heldSince < leaseMs) expect(refused).toBeInstanceOf(CrmRateLimitedError);
  await new Promise((r) => setTimeout(r, leaseMs + 100));
  await (
    await g.acquire('background')
  )();
});
