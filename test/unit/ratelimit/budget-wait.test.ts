import { waitForBudget } from '../../../src/ratelimit/budget-wait';

/** Answers the given checks in order (ms to wait, 0 admitted, -1 never). */
function checks(...answers: number[]) {
  const asked: number[] = [];
  return {
    asked,
    check: async (): Promise<number> => {
      const next = answers.shift();
      if (next === undefined) throw new Error('asked once too often');
      asked.push(next);
      return next;
    },
  };
}

describe('waitForBudget', () => {
  it('sleeps told waits while the running total stays within the cap, then admits', async () => {
    const slept: number[] = [];
    const tally = { waitedMs: 0 };
    const c = checks(700, 600, 0);
    await expect(waitForBudget(c.check, 2000, tally, async (ms) => void slept.push(ms))).resolves.toBe(0);
    expect(slept).toEqual([700, 600]);
    expect(tally.waitedMs).toBe(1300);
  });

  it('counts what earlier checks of the same request waited: the cap is per request', async () => {
    const slept: number[] = [];
    const sleep = async (ms: number): Promise<void> => void slept.push(ms);
    const tally = { waitedMs: 0 };
    // First attempt of a request: waits 1,500 ms, then is admitted.
    await expect(waitForBudget(checks(1500, 0).check, 2000, tally, sleep)).resolves.toBe(0);
    // Its retry is told 1,000 ms: alone that fits 2 s, together with the first wait it does not.
    await expect(waitForBudget(checks(1000).check, 2000, tally, sleep)).resolves.toBe(1000);
    expect(slept).toEqual([1500]);
    expect(tally.waitedMs).toBe(1500);
    // A wait that still fits the remainder is slept.
    await expect(waitForBudget(checks(500, 0).check, 2000, tally, sleep)).resolves.toBe(0);
    expect(tally.waitedMs).toBe(2000);
  });

  it('never sleeps with a cap of 0 (background work), nor on a cost that can never fit', async () => {
    const slept: number[] = [];
    const sleep = async (ms: number): Promise<void> => void slept.push(ms);
    await expect(waitForBudget(checks(1).check, 0, { waitedMs: 0 }, sleep)).resolves.toBe(1);
    await expect(waitForBudget(checks(-1).check, 2000, { waitedMs: 0 }, sleep)).resolves.toBe(-1);
    expect(slept).toEqual([]);
  });

  it('does not begin a wait that would end after the operation deadline', async () => {
    const slept: number[] = [];
    const tally = { waitedMs: 0 };
    const c = checks(700, 900);
    // 1,000 ms left: the first wait fits, the second (700 + 900) would end after the deadline.
    let left = 1000;
    const sleep = async (ms: number): Promise<void> => {
      slept.push(ms);
      left -= ms;
    };
    await expect(waitForBudget(c.check, 2000, tally, sleep, () => left)).resolves.toBe(900);
    expect(slept).toEqual([700]);
  });
});
