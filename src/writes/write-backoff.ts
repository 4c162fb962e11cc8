/**
 * When a write that failed transiently (the vendor down, a 5xx, a network error) is tried again: pure,
 * so it is unit-tested. A rate-limit or budget refusal never comes here — it is rescheduled with the
 * error's own `retryAfterMs` and does not count as an attempt (docs/writes.md).
 */
export interface WriteBackoffOptions {
  /**
   * Delay after the first failed attempt; doubles with each further one.
   * @defaultValue 2000
   */
  baseMs?: number;
  /**
   * Longest delay between two attempts.
   * @defaultValue 600000 (10 min)
   */
  maxMs?: number;
}

/**
 * The delay before attempt `attempts + 1`, given `attempts` failed ones (≥ 1): exponential, capped,
 * with "equal jitter" (half fixed, half random) so that a batch that failed together spreads out.
 */
export function writeBackoffMs(
  attempts: number,
  random: () => number,
  options: WriteBackoffOptions = {},
): number {
  const base = options.baseMs ?? 2000;
  const max = options.maxMs ?? 600_000;
  const exp = Math.min(max, base * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exp / 2 + (exp / 2) * r);
}
