// Rate limits (docs/vendors/pipedrive.md "Rate limits"): a daily token budget shared by the whole
// company, charged per call at the documented cost and reset at midnight UTC on the company's clock;
// a burst limit per token over a rolling 2-second window (plan- and token-kind-dependent); a separate
// 10-per-2-s window for search. Refused calls cost nothing.
import { BURST_WINDOW_MS, PLANS, TOKEN_COSTS, type CallKind } from './constants';
import { dailyBudget, type PipedriveSettings } from './settings';

export type TokenKind = 'api_token' | 'oauth';

export interface Caller {
  /** The credential the burst window is counted on. */
  token: string;
  kind: TokenKind;
}

export type LimitDecision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; reason: 'burst' | 'search' | 'daily' | 'blocked'; headers: Record<string, string> };

const DAY_MS = 24 * 3600_000;

/** Timestamps of admitted calls within the last window. */
class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  /** Admits a call when fewer than `max` were admitted in the last `windowMs`; returns what is left. */
  take(key: string, now: number, max: number): { ok: boolean; remaining: number } {
    const live = (this.hits.get(key) ?? []).filter((t) => t > now - BURST_WINDOW_MS);
    if (live.length >= max) {
      this.hits.set(key, live);
      return { ok: false, remaining: 0 };
    }
    live.push(now);
    this.hits.set(key, live);
    return { ok: true, remaining: max - live.length };
  }
}

export class CompanyLimits {
  settings: PipedriveSettings;
  private used = 0;
  private day = -1;
  private readonly burst = new SlidingWindow();
  private readonly search = new SlidingWindow();
  /** 429s in a row per token, for the 403 HTML setting. */
  private readonly refusedInRow = new Map<string, number>();

  constructor(settings: PipedriveSettings) {
    this.settings = settings;
  }

  /** Tokens spent today (after a midnight reset, 0). */
  spent(now: number): number {
    this.roll(now);
    return this.used;
  }

  budget(): number {
    return dailyBudget(this.settings);
  }

  burstLimit(kind: TokenKind): number {
    const plan = PLANS[this.settings.plan];
    return this.settings.burstLimit ?? (kind === 'oauth' ? plan.oauthBurst : plan.apiTokenBurst);
  }

  /**
   * Admits (and charges) one call, or says which limit refused it; headers go on either answer. `cost`
   * is the endpoint's own price where it differs from its kind's.
   */
  charge(
    caller: Caller,
    version: 'v1' | 'v2',
    kind: CallKind,
    now: number,
    cost: number = TOKEN_COSTS[version][kind],
  ): LimitDecision {
    this.roll(now);
    const limit = this.burstLimit(caller.kind);
    const budget = this.budget();
    const headers = (remaining: number): Record<string, string> => ({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(remaining),
      'x-ratelimit-reset': String(BURST_WINDOW_MS / 1000),
      'x-daily-ratelimit-token-limit': String(budget),
      'x-daily-ratelimit-token-remaining': String(Math.max(0, budget - this.used)),
    });
    const refuse = (reason: 'burst' | 'search' | 'daily'): LimitDecision => {
      const inRow = (this.refusedInRow.get(caller.token) ?? 0) + 1;
      this.refusedInRow.set(caller.token, inRow);
      const blockAt = this.settings.forbiddenHtmlAfter429s;
      return {
        ok: false,
        reason: blockAt !== null && inRow > blockAt ? 'blocked' : reason,
        headers: headers(0),
      };
    };
    if (kind === 'search' && !this.search.take(caller.token, now, this.settings.searchBurst).ok)
      return refuse('search');
    if (this.used + cost > budget) return refuse('daily');
    const burst = this.burst.take(caller.token, now, limit);
    if (!burst.ok) return refuse('burst');
    this.used += cost;
    this.refusedInRow.delete(caller.token);
    return { ok: true, headers: headers(burst.remaining) };
  }

  /** A new UTC day (on the company's clock; a scaled period when set) starts with a full budget. */
  private roll(now: number): void {
    const day = Math.floor(now / (this.settings.dailyWindowMs ?? DAY_MS));
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
  }
}

/** The message of each refusal (UNVERIFIED beyond the documented `{"success":false` start). */
export const LIMIT_MESSAGES = {
  burst: 'Request over limit',
  search: 'Request over limit',
  daily: 'Daily token budget exceeded',
} as const;
