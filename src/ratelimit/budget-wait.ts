import { type BudgetWaitTally } from './budget-gate.types';

/**
 * The waiting rule of the budget gate, apart from Redis so it is unit-tested: keep asking while the
 * answer is "wait N ms" and the request's running total of waits plus N stays within `maxWaitMs`.
 *
 * The total lives in `tally`, which the HTTP client shares between all attempts of one request: a read
 * that waited 1.5 s for budget before its first attempt has 0.5 s left for the budget checks of its
 * retries, so "an interactive read waits at most 2 s for budget" holds per request.
 */

/** Answer of one budget check: 0 admitted, > 0 ms until enough budget frees up, -1 never fits. */
export type BudgetCheck = () => Promise<number>;

/**
 * 0 once admitted; otherwise the last check's answer (ms to wait, or -1), for the caller to refuse
 * with. `maxWaitMs` 0 (background work) never sleeps. `leftMs` is the time left before the operation's
 * deadline: a wait that would end after it is not begun (the caller tells the two stops apart by
 * comparing the answer with `maxWaitMs`).
 */
export async function waitForBudget(
  check: BudgetCheck,
  maxWaitMs: number,
  tally: BudgetWaitTally,
  sleep: (ms: number) => Promise<void>,
  leftMs: () => number = () => Infinity,
): Promise<number> {
  for (;;) {
    const retryAfterMs = await check();
    if (retryAfterMs === 0) return 0;
    if (retryAfterMs < 0 || tally.waitedMs + retryAfterMs > maxWaitMs || retryAfterMs > leftMs()) {
      return retryAfterMs;
    }
    await sleep(retryAfterMs);
    tally.waitedMs += retryAfterMs;
  }
}
