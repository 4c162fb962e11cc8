import { fork } from 'node:child_process';
import { QueueFactory, QUEUES } from '../../src/queue/queues';
import { processJobs } from '../../src/worker/worker';

/**
 * `writes.queue.noop_jobs_per_s`: Bull 4's own enqueue-to-complete rate on the bench's Redis — jobs
 * added one `queue.add` at a time by `adders` concurrent producers here, completed by a no-op processor
 * in a child process (as a worker is its own process) at the worker's concurrency. The ceiling the
 * gateway's `writes.queue.jobs_per_s` is compared with.
 */

export const NOOP_WORKER_FLAG = '--noop-worker';
const JOB = 'bench-noop';

interface NoopSpec {
  redisUrl: string;
  prefix: string;
  concurrency: number;
  jobs: number;
}

/** Child side: processes `jobs` no-op jobs, then tells the parent. */
export function serveNoopWorker(): void {
  process.once('message', (spec: NoopSpec) => {
    const queues = new QueueFactory({ redisUrl: spec.redisUrl, prefix: spec.prefix });
    const queue = queues.get(QUEUES.writes);
    let done = 0;
    processJobs(queue, spec.concurrency, {
      [JOB]: async () => {
        done += 1;
        if (done === spec.jobs) process.send?.({ type: 'done' });
      },
    });
    void queue.isReady().then(() => process.send?.({ type: 'ready' }));
    process.once('disconnect', () => void queues.close().then(() => process.exit(0)));
  });
}

export async function noopJobsPerSecond(
  script: string,
  options: NoopSpec & { adders: number },
): Promise<number> {
  const child = fork(script, [NOOP_WORKER_FLAG], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: string) =>
    new Promise<void>((resolve, reject) => {
      child.on('message', (m: { type?: string }) => m?.type === type && resolve());
      child.once('exit', (code) => reject(new Error(`no-op worker exited with ${String(code)}`)));
    });
  const queues = new QueueFactory({ redisUrl: options.redisUrl, prefix: options.prefix });
  try {
    const ready = next('ready');
    const { adders: _adders, ...spec } = options;
    child.send(spec);
    await ready;
    const done = next('done');
    const queue = queues.get(QUEUES.writes);
    const started = performance.now();
    let added = 0;
    await Promise.all(
      Array.from({ length: options.adders }, async () => {
        while (added < options.jobs) {
          added += 1;
          await queue.add(JOB, { n: added }, { removeOnComplete: true, removeOnFail: 1000 });
        }
      }),
    );
    await done;
    return options.jobs / ((performance.now() - started) / 1000);
  } finally {
    child.disconnect();
    await queues.close();
  }
}
