// Service protection limits (docs/vendors/dynamics.md "Service protection limits"): per user, over a
// sliding window (5 minutes): a request count, a combined execution time, and a concurrency cap that
// refuses at once. A refused request gets 429 with `Retry-After`, which grows while the client keeps
// sending; accepted ones carry the `x-ms-ratelimit-*-xrm-requests` headers. Figures are org settings.
import { DV_CODES, DvError } from './errors';
import { type DynamicsSettings } from './settings';

/**
 * Timed amounts inside a sliding window, oldest first, with their running total: O(1) amortised per
 * request, so a benchmark's hundreds of thousands of requests per window cost no per-request scan.
 */
class SlidingWindow {
  private readonly at: number[] = [];
  private readonly amount: number[] = [];
  private head = 0;
  total = 0;

  get count(): number {
    return this.at.length - this.head;
  }

  get oldest(): number | undefined {
    return this.at[this.head];
  }

  add(at: number, amount: number): void {
    this.at.push(at);
    this.amount.push(amount);
    this.total += amount;
  }

  /** Drops what happened at or before `since`. */
  prune(since: number): void {
    while (this.head < this.at.length && this.at[this.head] <= since) {
      this.total -= this.amount[this.head];
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.at.length) {
      this.at.splice(0, this.head);
      this.amount.splice(0, this.head);
      this.head = 0;
    }
  }
}

interface UserUsage {
  /** Arrival times of counted requests in the window (amount 1 each). */
  hits: SlidingWindow;
  /** End times and durations (ms) of finished requests in the window. */
  durations: SlidingWindow;
  /** Requests in flight, by arrival sequence number. */
  inFlight: Set<number>;
  /** Requests refused since the last accepted one: each lengthens the next Retry-After. */
  strikes: number;
}

export type LimitDecision =
  { ok: true; ticket: number; headers: Record<string, string> } | { ok: false; error: DvError };

/** Per-user usage of one org. `now` is the org clock; durations are the requests' real elapsed time. */
export class ServiceProtection {
  private readonly users = new Map<string, UserUsage>();
  private sequence = 0;
  /** Tickets that arrived while the user already had the concurrency limit in flight. */
  private readonly overConcurrency = new Set<number>();

  constructor(private settings: () => DynamicsSettings) {}

  private usage(userId: string, now: number): UserUsage {
    let u = this.users.get(userId);
    if (!u)
      this.users.set(
        userId,
        (u = { hits: new SlidingWindow(), durations: new SlidingWindow(), inFlight: new Set(), strikes: 0 }),
      );
    const since = now - this.settings().limitWindowMs;
    u.hits.prune(since);
    u.durations.prune(since);
    return u;
  }

  /**
   * Called when a request arrives: a ticket for `admit` and `finish`. Concurrency is judged here, on
   * arrival: a request that finds the limit already in flight is refused however long it waits.
   */
  arrive(userId: string, now: number): number {
    const ticket = ++this.sequence;
    const u = this.usage(userId, now);
    if (u.inFlight.size >= this.settings().concurrentRequests) this.overConcurrency.add(ticket);
    u.inFlight.add(ticket);
    return ticket;
  }

  /** Decides once the request is about to run: counted limits over the window, concurrency now. */
  admit(userId: string, ticket: number, now: number): LimitDecision {
    const s = this.settings();
    const u = this.usage(userId, now);
    const overConcurrency = this.overConcurrency.delete(ticket);
    const usedMs = u.durations.total;
    let error: DvError | undefined;
    if (overConcurrency) {
      error = this.refusal(
        u,
        DV_CODES.concurrencyLimit,
        `Number of concurrent requests exceeded the limit of ${s.concurrentRequests}.`,
        1000,
      );
    } else if (u.hits.count >= s.requestsPerWindow) {
      error = this.refusal(
        u,
        DV_CODES.requestCountLimit,
        `Number of requests exceeded the limit of ${s.requestsPerWindow} over time window of ${s.limitWindowMs / 1000} seconds.`,
        (u.hits.oldest ?? now) + s.limitWindowMs - now,
      );
    } else if (usedMs >= s.executionTimeMsPerWindow) {
      error = this.refusal(
        u,
        DV_CODES.executionTimeLimit,
        `Combined execution time of incoming requests exceeded limit of ${s.executionTimeMsPerWindow.toLocaleString('en-US')} milliseconds over time window of ${s.limitWindowMs / 1000} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`,
        (u.durations.oldest ?? now) + s.limitWindowMs - now,
      );
    }
    if (error) {
      u.inFlight.delete(ticket);
      return { ok: false, error };
    }
    u.strikes = 0;
    u.hits.add(now, 1);
    return {
      ok: true,
      ticket,
      headers: {
        'x-ms-ratelimit-burst-remaining-xrm-requests': String(
          Math.max(0, s.requestsPerWindow - u.hits.count),
        ),
        'x-ms-ratelimit-time-remaining-xrm-requests': String(
          Math.max(0, s.executionTimeMsPerWindow - usedMs),
        ),
      },
    };
  }

  /** Called when the response is sent (or the request aborted). */
  finish(userId: string, ticket: number, now: number, durationMs: number, counted: boolean): void {
    const u = this.usage(userId, now);
    this.overConcurrency.delete(ticket);
    if (!u.inFlight.delete(ticket) || !counted) return;
    u.durations.add(now, durationMs);
  }

  private refusal(u: UserUsage, code: string, message: string, untilFreeMs: number): DvError {
    u.strikes++;
    const growth = (u.strikes - 1) * this.settings().retryAfterGrowthSeconds;
    const seconds = Math.max(1, Math.ceil(untilFreeMs / 1000)) + growth;
    return new DvError(429, code, message, { 'retry-after': String(seconds) });
  }
}
