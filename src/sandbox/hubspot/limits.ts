// HubSpot's API limits (docs/vendors/hubspot.md "Rate limits") as plain logic: a rolling 10-second window per app (a private app's token,
// or an OAuth app in one portal), a daily cap per portal, and search's own per-second limit. Each
// decision yields the response headers or the documented 429 body.
import crypto from 'node:crypto';
import { RATE_WINDOW_MS, TIER_LIMITS, type HubSpotTier } from './constants';

export interface LimitSettings {
  /** @defaultValue 'starter' (100 / 10 s, 250,000 / day) */
  tier: HubSpotTier;
  /** Overrides the tier's burst figure. */
  burst?: number;
  /** Overrides the tier's daily figure. */
  daily?: number;
  /**
   * Burst per 10 s for OAuth apps, per installing account: 110 per the current usage doc (3P quotes),
   * 100 per the legacy docs — UNVERIFIED. @defaultValue 110
   */
  oauthBurst: number;
  /** OAuth (marketplace) apps have no daily limit per the usage doc. @defaultValue false */
  oauthDaily: boolean;
  /** Search requests per second per portal: 5 in the current doc, 4 in an older changelog — UNVERIFIED. @defaultValue 5 */
  searchPerSecond: number;
  /** Emit the deprecated `X-HubSpot-RateLimit-Secondly(-Remaining)` headers. @defaultValue false */
  legacySecondlyHeaders: boolean;
  /** Daily limits reset at midnight in the portal's time zone; minutes east of UTC. @defaultValue 0 */
  timeZoneOffsetMinutes: number;
  /** `Retry-After` (seconds) on 429s; undocumented for the API, so off by default. @defaultValue null */
  retryAfterSeconds: number | null;
}

export const DEFAULT_LIMITS: LimitSettings = {
  tier: 'starter',
  oauthBurst: 110,
  oauthDaily: false,
  searchPerSecond: 5,
  legacySecondlyHeaders: false,
  timeZoneOffsetMinutes: 0,
  retryAfterSeconds: null,
};

export type Caller = { kind: 'private_app'; token: string } | { kind: 'oauth'; appId: number };

export type LimitDecision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; headers: Record<string, string>; body: Record<string, unknown> };

/** Timestamps of accepted requests within the last window, oldest first. */
class Window {
  private hits: number[] = [];
  constructor(private readonly spanMs: number) {}

  used(now: number): number {
    let drop = 0;
    while (drop < this.hits.length && (this.hits[drop] as number) <= now - this.spanMs) drop++;
    if (drop > 0) this.hits.splice(0, drop);
    return this.hits.length;
  }

  take(now: number): void {
    this.hits.push(now);
  }
}

export class PortalLimits {
  settings: LimitSettings;
  private readonly bursts = new Map<string, Window>();
  private readonly search = new Window(1000);
  /** Days since the epoch in the portal's time zone. */
  private day = -1;
  private dailyUsed = 0;

  constructor(
    private readonly portalId: number,
    private readonly appId: number,
    settings: Partial<LimitSettings> = {},
  ) {
    this.settings = { ...DEFAULT_LIMITS, ...settings };
  }

  get burstMax(): number {
    return this.settings.burst ?? TIER_LIMITS[this.settings.tier].burst;
  }

  get dailyMax(): number {
    return this.settings.daily ?? TIER_LIMITS[this.settings.tier].daily;
  }

  /** Daily usage so far (for `/account-info/v3/api-usage/daily/private-apps`). */
  dailyUsage(now: number): { used: number; resetsAt: number } {
    this.rollDay(now);
    return { used: this.dailyUsed, resetsAt: this.nextMidnight(now) };
  }

  /** Counts one non-search API call, or refuses it with the documented 429. */
  takeApi(caller: Caller, now: number): LimitDecision {
    this.rollDay(now);
    const oauth = caller.kind === 'oauth';
    const key = oauth ? `oauth:${caller.appId}` : `pat:${caller.token}`;
    let w = this.bursts.get(key);
    if (!w) this.bursts.set(key, (w = new Window(RATE_WINDOW_MS)));
    const max = oauth ? this.settings.oauthBurst : this.burstMax;
    const countsDaily = !oauth || this.settings.oauthDaily;
    const used = w.used(now);
    if (countsDaily && this.dailyUsed >= this.dailyMax) {
      return this.refuse(this.headers(max, used, countsDaily), this.dailyBody());
    }
    if (used >= max) return this.refuse(this.headers(max, used, countsDaily), this.burstBody(caller));
    w.take(now);
    if (countsDaily) this.dailyUsed++;
    return { ok: true, headers: this.headers(max, used + 1, countsDaily) };
  }

  /** Search has its own per-second limit and answers without rate-limit headers (docs/vendors/hubspot.md "Search"). */
  takeSearch(now: number): LimitDecision {
    if (this.search.used(now) >= this.settings.searchPerSecond) {
      return this.refuse(
        {},
        {
          status: 'error',
          message: 'You have reached your secondly limit.',
          errorType: 'RATE_LIMIT',
          correlationId: crypto.randomUUID(),
          policyName: 'SECONDLY',
        },
      );
    }
    this.search.take(now);
    return { ok: true, headers: {} };
  }

  /** The body an injected 429 storm answers with: the ten-secondly one, as a burst would. */
  stormBody(caller: Caller): Record<string, unknown> {
    return this.burstBody(caller);
  }

  private refuse(headers: Record<string, string>, body: Record<string, unknown>): LimitDecision {
    const h = { ...headers };
    if (this.settings.retryAfterSeconds !== null) h['retry-after'] = String(this.settings.retryAfterSeconds);
    return { ok: false, headers: h, body };
  }

  private headers(max: number, used: number, daily: boolean): Record<string, string> {
    const h: Record<string, string> = {
      'x-hubspot-ratelimit-interval-milliseconds': String(RATE_WINDOW_MS),
      'x-hubspot-ratelimit-max': String(max),
      'x-hubspot-ratelimit-remaining': String(Math.max(0, max - used)),
    };
    // "X-HubSpot-RateLimit-Daily(-Remaining)" are omitted for OAuth-authorized requests [V-DOC].
    if (daily) {
      h['x-hubspot-ratelimit-daily'] = String(this.dailyMax);
      h['x-hubspot-ratelimit-daily-remaining'] = String(Math.max(0, this.dailyMax - this.dailyUsed));
    }
    if (this.settings.legacySecondlyHeaders) {
      const perSecond = Math.round(max / (RATE_WINDOW_MS / 1000));
      h['x-hubspot-ratelimit-secondly'] = String(perSecond);
      h['x-hubspot-ratelimit-secondly-remaining'] = String(Math.max(0, perSecond - 1));
    }
    return h;
  }

  private burstBody(caller: Caller): Record<string, unknown> {
    // The private-app group name is from a real capture [3P]; the OAuth variant is UNVERIFIED.
    const group =
      caller.kind === 'oauth' ? 'oauth-api-calls-ten-secondly' : 'private_app-api-calls-ten-secondly';
    return {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId: crypto.randomUUID(),
      policyName: 'TEN_SECONDLY_ROLLING',
      groupName: `publicapi:${group}:${this.appId}:${this.portalId}`,
    };
  }

  private dailyBody(): Record<string, unknown> {
    return {
      status: 'error',
      message: 'You have reached your daily limit.',
      errorType: 'RATE_LIMIT',
      correlationId: crypto.randomUUID(),
      policyName: 'DAILY',
      requestId: crypto.randomUUID(),
    };
  }

  private rollDay(now: number): void {
    const day = Math.floor((now + this.settings.timeZoneOffsetMinutes * 60_000) / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.dailyUsed = 0;
    }
  }

  private nextMidnight(now: number): number {
    const shift = this.settings.timeZoneOffsetMinutes * 60_000;
    return (Math.floor((now + shift) / 86_400_000) + 1) * 86_400_000 - shift;
  }
}
