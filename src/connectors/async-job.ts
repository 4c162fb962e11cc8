/**
 * Waiting for a vendor's asynchronous job (a bulk ingest or query job, a bulk write job): look, and
 * until the job ends or the time allowed would pass, sleep and look again. Every look is one call of
 * the caller's through the shared client, so it counts against the budgets like any other.
 */

export interface JobWait {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The first sleep, before the second look. */
  intervalMs: number;
  /** How long the job may take from the first look. */
  timeoutMs: number;
  /** The wait is multiplied by this after each look. @defaultValue 1 */
  backoff?: number;
  /** The longest single wait. @defaultValue no cap */
  maxWaitMs?: number;
}

export interface JobPoll<J> {
  job: J;
  /** The job reached an end state; false: `timeoutMs` passed first. */
  ended: boolean;
}

export async function waitForJob<J>(
  look: () => Promise<J>,
  isEnded: (job: J) => boolean,
  wait: JobWait,
): Promise<JobPoll<J>> {
  const deadline = wait.now() + wait.timeoutMs;
  let delay = wait.intervalMs;
  for (;;) {
    const job = await look();
    if (isEnded(job)) return { job, ended: true };
    if (wait.now() + delay > deadline) return { job, ended: false };
    await wait.sleep(delay);
    delay = Math.min(wait.maxWaitMs ?? Infinity, Math.round(delay * (wait.backoff ?? 1)));
  }
}
