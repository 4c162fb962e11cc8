import { type CallPriority } from './http.types';

/**
 * Whether and when to try a vendor call again: one pure function, so every rule is unit-tested and the
 * client only executes the decision. No I/O, no clock, no randomness of its own (both are inputs).
 */

export interface RetryPolicyOptions {
  /**
   * Attempts in all, the first included.
   * @defaultValue 4
   */
  maxAttempts: number;
  /**
   * First backoff ceiling; doubles per attempt.
   * @defaultValue 250
   */
  baseDelayMs: number;
  /**
   * Ceiling of one computed backoff (full jitter draws below it).
   * @defaultValue 4000
   */
  maxDelayMs: number;
  /**
   * Total an interactive read may sleep between its attempts, after the vendor answered 429/5xx or the
   * network failed. A query waiting longer than this is better answered with RATE_LIMITED/UNAVAILABLE
   * and a `retryAfterMs` the client can act on. Not the wait for our own budget before an attempt:
   * that is the gate's `interactiveMaxBudgetWaitMs` (2 s per request, `ratelimit/budget-gate.ts`), and
   * the two are counted apart, so a read spends at most 10 s sleeping on the vendor plus 2 s on budget.
   * @defaultValue 10000
   */
  interactiveMaxRetrySleepMs: number;
  /**
   * Largest wait we believe from a vendor header; larger values (a Retry-After of a year, an epoch read
   * as seconds) are clamped to it.
   * @defaultValue 3600000 (1 h)
   */
  maxRetryAfterMs: number;
  /**
   * Wait assumed when a vendor says a budget is exhausted without saying until when (a
   * REQUEST_LIMIT_EXCEEDED carries no header; its window is a rolling 24 h).
   * @defaultValue 300000 (5 min)
   */
  budgetExhaustedWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicyOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  interactiveMaxRetrySleepMs: 10_000,
  maxRetryAfterMs: 60 * 60 * 1000,
  budgetExhaustedWaitMs: 5 * 60 * 1000,
});

/**
 * A vendor saying "too much": `throttled` clears within seconds (a burst window); `budget_exhausted`
 * does not clear soon (a daily allocation) and is never slept on.
 */
export interface RateLimitSignal {
  kind: 'throttled' | 'budget_exhausted';
  /** What the vendor said about when to come back, already parsed; `null` when it said nothing. */
  retryAfterMs: number | null;
}

export type AttemptOutcome =
  | {
      kind: 'response';
      status: number;
      rateLimit: RateLimitSignal | null;
      retryAfterMs: number | null;
      /**
       * The vendor's hooks say this answer means the request was not applied and the same request can
       * succeed later, beyond HTTP's own transient statuses (`VendorHooks.isNotApplied`: a locked
       * record, an account being moved). Such a response is retried, a create included.
       * @defaultValue false
       */
      vendorNotApplied?: boolean;
    }
  | {
      kind: 'network';
      /**
       * Whether the request may have reached the vendor. False only when we know it did not (connection
       * refused, DNS failure): then even a create is safe to send again.
       */
      mayHaveReachedServer: boolean;
    };

export interface RetryInput {
  outcome: AttemptOutcome;
  /** Attempts made so far, this one included (≥ 1). */
  attempt: number;
  /** Time already slept between earlier attempts of this call (retry sleeps only, not budget waits). */
  waitedMs: number;
  priority: CallPriority;
  /**
   * Whether sending the request twice has the effect of sending it once (GET, PUT, DELETE, an upsert by
   * external id). A create (POST) is not: if its outcome is unknown we must not blindly send it again.
   */
  idempotent: boolean;
  /** Uniform in [0, 1); injected so tests pin the jitter. */
  random: () => number;
}

export type FailReason =
  /** The outcome is final (4xx other than throttling): retrying would get the same answer. */
  | 'not_retryable'
  /** Background work never sleeps: the queue reschedules after `retryAfterMs`. */
  | 'background'
  | 'attempts_exhausted'
  /** An interactive read would sleep more than `interactiveMaxRetrySleepMs` in all. */
  | 'wait_exceeded'
  /** A non-idempotent request may have been applied: the caller must reconcile before resending. */
  | 'outcome_unknown'
  /** The vendor's budget is gone for longer than anyone should wait in-process. */
  | 'budget_exhausted';

export type RetryDecision =
  { action: 'retry'; delayMs: number } | { action: 'fail'; reason: FailReason; retryAfterMs: number | null };

/**
 * Statuses after which the same request can succeed later, whatever the vendor. A vendor's own
 * (a 423 for a locked record, a non-standard status for maintenance) come from its hooks, as
 * `AttemptOutcome.vendorNotApplied`.
 */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524]);
/**
 * Statuses that say the vendor did not apply the request, so even a create may be resent: throttled,
 * too early, temporarily unavailable. 500/502/504 are absent on purpose: a gateway timeout may hide a
 * create that went through.
 */
const NOT_APPLIED_STATUSES = new Set([425, 429, 503]);

export function decideRetry(
  input: RetryInput,
  options: RetryPolicyOptions = DEFAULT_RETRY_POLICY,
): RetryDecision {
  const { outcome } = input;

  if (outcome.kind === 'response' && outcome.rateLimit?.kind === 'budget_exhausted') {
    const wait = clampDelay(outcome.rateLimit.retryAfterMs, options) ?? options.budgetExhaustedWaitMs;
    return { action: 'fail', reason: 'budget_exhausted', retryAfterMs: wait };
  }

  const transient =
    outcome.kind === 'network' ||
    outcome.rateLimit !== null ||
    outcome.vendorNotApplied === true ||
    TRANSIENT_STATUSES.has(outcome.status);
  if (!transient) return { action: 'fail', reason: 'not_retryable', retryAfterMs: null };

  const vendorWait =
    outcome.kind === 'response'
      ? clampDelay(outcome.rateLimit?.retryAfterMs ?? outcome.retryAfterMs, options)
      : null;
  const delayMs = vendorWait ?? backoffDelay(input.attempt, input.random, options);

  if (!input.idempotent && !notApplied(outcome)) {
    return { action: 'fail', reason: 'outcome_unknown', retryAfterMs: delayMs };
  }
  if (input.priority === 'background') return { action: 'fail', reason: 'background', retryAfterMs: delayMs };
  if (input.attempt >= options.maxAttempts) {
    return { action: 'fail', reason: 'attempts_exhausted', retryAfterMs: delayMs };
  }
  if (input.waitedMs + delayMs > options.interactiveMaxRetrySleepMs) {
    return { action: 'fail', reason: 'wait_exceeded', retryAfterMs: delayMs };
  }
  return { action: 'retry', delayMs };
}

function notApplied(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'network') return !outcome.mayHaveReachedServer;
  return (
    outcome.rateLimit !== null ||
    outcome.vendorNotApplied === true ||
    NOT_APPLIED_STATUSES.has(outcome.status)
  );
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"): a
 * uniform draw in [0, min(cap, base · 2^(attempt−1))). Full jitter spreads a herd of clients that failed
 * together better than equal or decorrelated jitter at the same mean.
 */
export function backoffDelay(attempt: number, random: () => number, options: RetryPolicyOptions): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/** A vendor-supplied wait made safe: `null` stays unknown, negatives become 0, absurd values the cap. */
export function clampDelay(
  ms: number | null | undefined,
  options: Pick<RetryPolicyOptions, 'maxRetryAfterMs'>,
): number | null {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return null;
  if (ms <= 0) return 0;
  return Math.min(Math.ceil(ms), options.maxRetryAfterMs);
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns ms from `nowMs`, or `null`
 * when absent or unparseable. A date in the past gives 0. Fractional seconds are accepted (some proxies
 * send them) and negative numbers give 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (text === '') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.max(0, Math.ceil(Number(text) * 1000));
  // Only accept something that looks like a date: Date.parse takes bare numbers and odd strings too.
  if (!/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * Epoch values a reset header might carry instead of a delay. Any "delay" of more than ~31 years is an
 * absolute time: seconds since 1970 for 10-digit values, milliseconds for 13-digit ones.
 */
const EPOCH_SECONDS_FLOOR = 1e9;
const EPOCH_MS_FLOOR = 1e12;

/**
 * A vendor "window resets in" header: a delay in `unit` (seconds or milliseconds). Vendors and proxies
 * also send absolute epoch times under the same names, so a value too large to be a delay is read as
 * an epoch (seconds or ms by magnitude). Returns ms from `nowMs`, `null` when unparseable.
 */
export function parseResetHeader(value: string | undefined, unit: 's' | 'ms', nowMs: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  if (n >= EPOCH_MS_FLOOR) return Math.max(0, Math.ceil(n - nowMs));
  if (n >= EPOCH_SECONDS_FLOOR) return Math.max(0, Math.ceil(n * 1000 - nowMs));
  return Math.max(0, Math.ceil(unit === 's' ? n * 1000 : n));
}
