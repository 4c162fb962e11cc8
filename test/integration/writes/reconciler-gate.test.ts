import { createWriteOperationEventPublisher } from '../../../src/events/write-operation-events';
import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { type AppContext } from '../../../src/runtime/context';
import { FlushLock } from '../../../src/writes/flush-lock';
import { processWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { createTestContext } from '../../support/context';

/**
 * The reconciler's job gate (issue 17, `bench:writes` Salesforce at 0 records/s): Bull starts each
 * repeat of the job when due, whether or not the last run ended, so slow runs piled up on the flushes'
 * slots and the store. One run at a time, then a rest proportional to how long it took. Real Redis and
 * FerretDB; the store's first query of a run is slowed, so the runs overlap as they did under load.
 */

let ctx: AppContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.store.conn.dropDatabase().catch(() => undefined);
  await ctx.close();
});

const RUN_MS = 150;

function job(redisPrefix: string) {
  return processWriteReconciler({
    store: ctx.store,
    queue: ctx.queues.get(QUEUES.writes),
    lock: new FlushLock(ctx.redis, ctx.redisPrefix, 1000),
    events: createWriteOperationEventPublisher({ redis: ctx.redis, redisPrefix: ctx.redisPrefix }),
    logger: createLogger({ level: 'silent' }),
    redis: ctx.redis,
    redisPrefix,
  });
}

/** Counts the runs that reached the store, each made to take at least RUN_MS. */
function slowRuns(): { runs: () => number; restore: () => void } {
  const repo = ctx.store.writeBatches;
  const original = repo.recoverStale;
  let runs = 0;
  const spy = jest.spyOn(repo, 'recoverStale').mockImplementation(async (...args) => {
    runs += 1;
    await new Promise((r) => setTimeout(r, RUN_MS));
    return original(...args);
  });
  return { runs: () => runs, restore: () => spy.mockRestore() };
}

it('runs one reconciler job at a time: the jobs started meanwhile do nothing', async () => {
  const slow = slowRuns();
  try {
    const run = job(`${ctx.redisPrefix}:one`);
    const results = await Promise.all(Array.from({ length: 8 }, () => run()));
    expect(slow.runs()).toBe(1);
    expect(results.filter((r) => 'skipped' in r)).toHaveLength(7);
    expect(results.filter((r) => !('skipped' in r))).toHaveLength(1);
  } finally {
    slow.restore();
  }
});

it('rests after a run for a multiple of its length, then runs again', async () => {
  const slow = slowRuns();
  try {
    const run = job(`${ctx.redisPrefix}:rest`);
    const started = Date.now();
    await run();
    const took = Date.now() - started;
    expect(await run()).toEqual({ skipped: 'resting' });
    expect(slow.runs()).toBe(1);
    // The rest is four runs long (REST_FACTOR): past it, the next job runs.
    await new Promise((r) => setTimeout(r, 4 * took + 100));
    expect(await run()).not.toHaveProperty('skipped');
    expect(slow.runs()).toBe(2);
  } finally {
    slow.restore();
  }
});

it('a separate gate per Redis prefix: two deployments on one Redis do not hold each other', async () => {
  const slow = slowRuns();
  try {
    const [a, b] = await Promise.all([job(`${ctx.redisPrefix}:a`)(), job(`${ctx.redisPrefix}:b`)()]);
    expect(a).not.toHaveProperty('skipped');
    expect(b).not.toHaveProperty('skipped');
    expect(slow.runs()).toBe(2);
  } finally {
    slow.restore();
  }
});
