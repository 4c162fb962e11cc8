/**
 * `tsc -p tsconfig.bench.json && node dist/bench/bench/ratelimit.bench.js`: what the budget gate costs
 * in front of every vendor call. Runs `acquire` against the service manager's throwaway Redis (or
 * REDIS_URL, refused unless its policy is noeviction) with a budget too large to refuse, from N concurrent callers for a fixed time. Prints
 * `BENCH ratelimit.acquire.rps <value> ops/s` and `BENCH ratelimit.acquire.p99 <value> ms` for one
 * budget, and the same for two budgets (HubSpot: burst + daily) under `ratelimit.acquire2.*`.
 *   --callers=N  concurrent callers (default 32)   --seconds=N  measured time (default 3)
 */
import Redis from 'ioredis';
import { type BudgetDeclaration } from '../src/config/crms';
import { RedisBudgetGate } from '../src/ratelimit/budget-gate';
import { startThrowawayStores } from '../src/runtime/services';

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

async function measure(
  redis: Redis,
  label: string,
  budgets: BudgetDeclaration[],
  callers: number,
  seconds: number,
) {
  const gate = new RedisBudgetGate({
    redis,
    prefix: `bench-${Date.now()}`,
    connection: {
      id: 'c',
      crm: 'hubspot',
      externalAccountId: 'p',
      settings: {},
    },
    budgets,
  });
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        await gate.acquire('background');
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  console.log(`BENCH ratelimit.${label}.rps ${Math.round(latencies.length / seconds)} ops/s`);
  console.log(`BENCH ratelimit.${label}.p99 ${latencies[Math.floor(latencies.length * 0.99)].toFixed(2)} ms`);
}

async function main(): Promise<void> {
  const callers = arg('callers', 32);
  const seconds = arg('seconds', 3);
  // The one service manager (as the other benches and the tests): it checks an external REDIS_URL
  // keeps jobs (noeviction) and removes its temporary directory on stop.
  const stores = await startThrowawayStores('bench-ratelimit', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  const redis = new Redis(stores.redisUrl);
  const huge = (name: string, windowMs: number): BudgetDeclaration => ({
    name,
    scope: 'account',
    limit: 1e9,
    windowMs,
    interactiveReserve: 0,
  });
  try {
    await measure(redis, 'acquire', [huge('daily', 86_400_000)], callers, seconds);
    await measure(redis, 'acquire2', [huge('burst', 10_000), huge('daily', 86_400_000)], callers, seconds);
  } finally {
    redis.disconnect();
    await stores.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
