import { type Job } from 'bull';
import { QueueFactory, QUEUES } from '../../../src/queue/queues';
import { processJobs } from '../../../src/worker/worker';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * WORKER_CONCURRENCY is the number of jobs one worker process runs at once, over all job names of a
 * queue: Bull would otherwise add up a concurrency per name. Real Bull on the test Redis; the
 * processors hold their jobs until the test releases them, so what is active is counted, not timed.
 */
describe('worker concurrency', () => {
  let queues: QueueFactory;
  /** Lets held jobs finish, also when an assertion failed first (the queue closes only then). */
  let release: () => void = () => undefined;
  beforeEach(() => {
    queues = new QueueFactory({ redisUrl: testStoreUrls().redisUrl, prefix: uniqueName('cgwconc') });
  });
  afterEach(async () => {
    release();
    await queues.close();
  });

  it('runs at most `concurrency` jobs at once across every job name, then the rest', async () => {
    const concurrency = 3;
    const queue = queues.get(QUEUES.system);
    // Fewer names than `concurrency`, so neither "n per name" nor "1 per name" can pass by accident.
    const names = ['alpha', 'beta'];
    const total = 8;
    // Enqueued before any processor exists: every polling loop finds work the moment it starts.
    for (let i = 0; i < total; i++) await queue.add(names[i % names.length]!, { i });

    let active = 0;
    let maxActive = 0;
    let done = 0;
    const gate = new Promise<void>((r) => (release = r));
    let saturated!: () => void;
    const isSaturated = new Promise<void>((r) => (saturated = r));
    const hold = async (_job: Job): Promise<void> => {
      active++;
      maxActive = Math.max(maxActive, active);
      if (active === concurrency) saturated();
      await gate;
      active--;
      done++;
    };
    processJobs(queue, concurrency, Object.fromEntries(names.map((n) => [n, hold])));

    await isSaturated;
    // Bull moves a job to `active` in Redis before its processor runs: a surplus loop would show here.
    const counts = await queue.getJobCounts();
    expect(counts.active).toBe(concurrency);
    expect(counts.waiting).toBe(total - concurrency);
    expect(maxActive).toBe(concurrency);

    const allDone = new Promise<void>((resolve) => {
      queue.on('completed', () => {
        if (done === total) resolve();
      });
    });
    release();
    await allDone;
    expect(maxActive).toBe(concurrency);
    expect(await queue.getCompletedCount()).toBe(total);
  });
});
