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

/**
 * Where a change feed starts before a case changes anything, as sync starts one: the vendor position
 * now for a feed kept by position (`startChanges`), null for a feed read by time.
 */
export async function feedStart(connector: CrmConnector, obj: CrmObject): Promise<string | null> {
  return connector.startChanges ? asTheQueueDoes(() => connector.startChanges!(obj)) : null;
}

/** A feed read to its end: its changes, and the position the next read continues from (null: by time). */
export interface ChangesWalk {
  changes: NativeChange[];
  position: string | null;
}

/** Every change since `since` (or `position`), page by page to the end of the feed, each page fetched as the queue would. */
export async function walkChanges(
  connector: CrmConnector,
  obj: CrmObject,
  since: Date,
  pageSize?: number,
  position: string | null = null,
): Promise<ChangesWalk> {
  const changes: NativeChange[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const options: ChangesOptions = { since, cursor, pageSize, position };
    const page = await asTheQueueDoes(() => connector.listChanges(obj, options));
    changes.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return { changes, position: page.position ?? null };
  }
  throw new Error('listChanges did not end within 1000 pages');
}

/** The changes of {@link walkChanges}. */
export async function allChanges(
  connector: CrmConnector,
  obj: CrmObject,
  since: Date,
  pageSize?: number,
  position: string | null = null,
): Promise<NativeChange[]> {
  return (await walkChanges(connector, obj, since, pageSize, position)).changes;
}
