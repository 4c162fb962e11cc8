import { type Job } from 'bull';
import { QueueFactory, QUEUES } from '../../../src/queue/queues';
import { addReplacingFinished } from '../../../src/queue/replace-finished-job';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';

/**
 * Bull 4 ignores an `add` whose job id is still in Redis — a kept completed or failed job included —
 * so a re-enqueue under the same id must remove the finished job first. Real Bull on the test Redis.
 */
describe('addReplacingFinished', () => {
  let queues: QueueFactory;
  beforeEach(() => {
    queues = new QueueFactory({ redisUrl: testStoreUrls().redisUrl, prefix: uniqueName('cgwreadd') });
  });
  afterEach(async () => {
    await queues.close();
  });

  async function runOnce(outcome: 'complete' | 'fail') {
    const queue = queues.get(QUEUES.writes);
    const runs: unknown[] = [];
    void queue.process('job', 1, async (job: Job) => {
      runs.push(job.data);
      if (outcome === 'fail') throw new Error('the job failed on purpose');
    });
    const options = { jobId: 'same-id', removeOnComplete: false, removeOnFail: false, attempts: 1 };
    await queue.add('job', { n: 1 }, options);
    await within(10_000, async () => expect(runs).toHaveLength(1));
    await within(10_000, async () => {
      expect(await (await queue.getJob('same-id'))?.getState()).toBe(
        outcome === 'fail' ? 'failed' : 'completed',
      );
    });
    return { queue, runs, options };
  }

  it.each(['complete', 'fail'] as const)(
    're-enqueues under the id of a kept job that did %s',
    async (outcome) => {
      const { queue, runs, options } = await runOnce(outcome);
      // What Bull does on its own: nothing.
      await queue.add('job', { n: 2 }, options);
      expect((await queue.getJob('same-id'))?.data).toEqual({ n: 1 });

      expect(await addReplacingFinished(queue, 'job', { n: 3 }, options)).toBe('replaced');
      await within(10_000, async () => expect(runs).toEqual([{ n: 1 }, { n: 3 }]));
    },
  );

  it('leaves a waiting or delayed job with the id alone', async () => {
    const queue = queues.get(QUEUES.writes);
    const options = { jobId: 'pending-id', delay: 60_000 };
    expect(await addReplacingFinished(queue, 'job', { n: 1 }, options)).toBe('added');
    expect(await addReplacingFinished(queue, 'job', { n: 2 }, options)).toBe('pending');
    const job = await queue.getJob('pending-id');
    expect(await job?.getState()).toBe('delayed');
    expect(job?.data).toEqual({ n: 1 });
  });
});
