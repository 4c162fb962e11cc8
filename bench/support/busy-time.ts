/** One request a sandbox answered: when it finished (real clock, ms) and how long it took. */
export interface BusySpan {
  endedAt: number;
  durationMs: number;
}

/**
 * Milliseconds during which at least one of `spans` was in progress: calls made in parallel (one
 * level's batches) count once, calls made one after another add up — the time the sandboxes held a
 * request's critical path. The rest of its latency is the gateway's own.
 */
export function busyMs(spans: readonly BusySpan[]): number {
  const intervals = spans
    .map((s) => [s.endedAt - s.durationMs, s.endedAt] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let start = -Infinity;
  let end = -Infinity;
  for (const [s, e] of intervals) {
    if (s > end) {
      total += end - start > 0 ? end - start : 0;
      start = s;
      end = e;
    } else if (e > end) {
      end = e;
    }
  }
  return total + (end - start > 0 ? end - start : 0);
}
