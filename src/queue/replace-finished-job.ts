import { type JobOptions, type Queue } from 'bull';

/** What {@link addReplacingFinished} did. */
export type ReaddResult = 'added' | 'replaced' | 'pending';

/**
 * Adds a job under `options.jobId` even when a finished job with that id is still kept in Redis.
 *
 * Bull 4 silently ignores an `add` whose job id exists — waiting, delayed, active, and also completed
 * or failed jobs it keeps (`removeOnComplete`/`removeOnFail`). A re-enqueue under the same id (the
 * write reconciler, `retryWriteOperation` of a DEAD write whose failed flush is kept) would then be
 * lost. So: a completed or failed job with the id is removed first; a waiting, delayed or active one is
 * left alone ('pending': it will run, and running it once is what the caller wants).
 */
export async function addReplacingFinished<T>(
  queue: Queue,
  name: string,
  data: T,
  options: JobOptions & { jobId: string },
): Promise<ReaddResult> {
  const existing = await queue.getJob(options.jobId);
  let replaced = false;
  if (existing) {
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed') return 'pending';
    // A job removed meanwhile (its own removeOnComplete) is fine: the id is free either way.
    await existing.remove().catch(() => undefined);
    replaced = true;
  }
  await queue.add(name, data, options);
  return replaced ? 'replaced' : 'added';
}
