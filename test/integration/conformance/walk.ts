import {
  type ChangesOptions,
  type CrmConnector,
  type CrmObject,
  type NativeChange,
} from '../../../src/connectors/types';
import { CrmError } from '../../../src/errors';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one step of background work as the queue runs it: background calls never sleep in-process, they
 * throw RATE_LIMITED with `retryAfterMs` (our budget or the vendor said wait), and the job comes back
 * after that wait. Any other error, or a refusal without a wait, fails the step.
 */
export async function asTheQueueDoes<T>(step: () => Promise<T>, maxTries = 200): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await step();
    } catch (err) {
      if (!(err instanceof CrmError) || err.code !== 'RATE_LIMITED' || tries >= maxTries) throw err;
      if (err.retryAfterMs === undefined) throw err;
      await sleep(err.retryAfterMs);
    }
  }
}

/** Every change since `since`, page by page to the end of the feed, each page fetched as the queue would. */
export async function allChanges(
  connector: CrmConnector,
  obj: CrmObject,
  since: Date,
  pageSize?: number,
): Promise<NativeChange[]> {
  const out: NativeChange[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const options: ChangesOptions = { since, cursor, pageSize };
    const page = await asTheQueueDoes(() => connector.listChanges(obj, options));
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('listChanges did not end within 1000 pages');
}
