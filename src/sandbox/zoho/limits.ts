// Rate limits (docs/vendors/zoho.md "Rate limits"): credits over a rolling 24-hour window per org (each
// call's credits are freed 24 hours after it was made), charged per call at its documented cost and
// only for admitted calls; and a cap on the org's calls in flight at once (the edition's concurrency),
// Both refusals are 429s.
import { CREDIT_WINDOW_MS } from './constants';
import { concurrencyLimit, creditAllowance, type ZohoSettings } from './settings';

export type LimitRefusal = 'credits' | 'concurrency';

export class OrgLimits {
  settings: ZohoSettings;
  /** Admitted calls of the last 24 hours: when, and what they cost. */
  private charges: { at: number; credits: number }[] = [];
  private used = 0;
  private inFlight = 0;

  constructor(settings: ZohoSettings) {
    this.settings = settings;
  }

  allowance(): number {
    return creditAllowance(this.settings);
  }

  /** Credits spent in the 24 hours before `now`. */
  spent(now: number): number {
    this.expire(now);
    return this.used;
  }

  /** Charges a call, or refuses it when the window has too few credits left. */
  charge(now: number, credits: number): { ok: boolean; remaining: number } {
    this.expire(now);
    const allowance = this.allowance();
    if (this.used + credits > allowance) return { ok: false, remaining: Math.max(0, allowance - this.used) };
    this.charges.push({ at: now, credits });
    this.used += credits;
    return { ok: true, remaining: allowance - this.used };
  }

  /**
   * `X-RATELIMIT-*` headers describing the credit window, for the setting `rateLimitHeaders` (off by
   * default: UNVERIFIED, docs/vendors/zoho.md "Rate limits"): the allowance, what is left, and the
   * seconds until the oldest charge of the window is freed (0 with none).
   */
  headers(now: number): Record<string, string> {
    this.expire(now);
    const allowance = this.allowance();
    const oldest = this.charges[0];
    const resetMs = oldest ? Math.max(0, oldest.at + CREDIT_WINDOW_MS - now) : 0;
    return {
      'x-ratelimit-limit': String(allowance),
      'x-ratelimit-remaining': String(Math.max(0, allowance - this.used)),
      'x-ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    };
  }

  /**
   * A call starts: admitted unless the org already has its limit of calls in flight. An admitted call
   * must `leave` when it ends. (The sub-concurrency of heavy writes is not simulated.)
   */
  enter(): LimitRefusal | null {
    if (this.inFlight >= concurrencyLimit(this.settings)) return 'concurrency';
    this.inFlight++;
    return null;
  }

  leave(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get callsInFlight(): number {
    return this.inFlight;
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.charges.length && this.charges[drop]!.at <= now - CREDIT_WINDOW_MS) {
      this.used -= this.charges[drop]!.credits;
      drop++;
    }
    if (drop > 0) this.charges = this.charges.slice(drop);
  }
}
