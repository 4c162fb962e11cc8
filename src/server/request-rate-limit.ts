import { answerWithin } from '../runtime/answer-within';
import { type RedisClient } from '../redis/client';
import { type Env } from '../config/env';
import { RequestRateLimitedError } from '../errors';
import { type Auth } from '../graphql/request-context';
import { type Logger } from '../logger';
import { BUDGET_LUA_DIR } from '../ratelimit/budget-gate';
import { LuaScript } from '../redis/lua-script';
import { redisKey } from '../redis/keys';

/**
 * Requests per API key and per tenant, counted in Redis so that every gateway process draws on one
 * count: one key must not flood the gateway, nor, through it, a vendor budget that every tenant on the
 * same vendor account shares. Each limit is a sliding window of the vendor budgets' own script
 * (`src/ratelimit/lua/budget-take-1.lua`), so the same boundary guarantee holds: no window of the
 * configured length ever admits more than the limit.
 */

const TAKE = LuaScript.load('budget-take-1', BUDGET_LUA_DIR);
const REFUND = LuaScript.load('budget-refund-1', BUDGET_LUA_DIR);

/** Per-window request limits; 0 turns one off. */
export interface RequestRateLimits {
  keyPerSecond: number;
  keyPerMinute: number;
  tenantPerMinute: number;
}

export function requestRateLimitsFromEnv(env: Env): RequestRateLimits {
  return {
    keyPerSecond: env.KEY_REQUESTS_PER_SECOND,
    keyPerMinute: env.KEY_REQUESTS_PER_MINUTE,
    tenantPerMinute: env.TENANT_REQUESTS_PER_MINUTE,
  };
}

/** Sub-buckets per window: a tenth of a second for the 1 s window, 3 s for the minute. */
const BUCKETS = { second: 10, minute: 20 } as const;

interface Window {
  /** `details.limit` of the error: key_per_second, key_per_minute, tenant_per_minute. */
  name: string;
  whose: "API key's" | "tenant's";
  per: 'second' | 'minute';
  key: string;
  limit: number;
  windowMs: number;
  buckets: number;
}

export interface RequestRateLimiterOptions {
  redis: RedisClient;
  redisPrefix: string;
  limits: RequestRateLimits;
  logger: Logger;
  /**
   * A Redis call slower than this lets the request through (logged): the limiter protects the gateway,
   * and refusing every request while Redis is slow would be the outage it exists to prevent.
   * @defaultValue 500
   */
  redisTimeoutMs?: number;
}

export class RequestRateLimiter {
  /** The windows with a limit, decided once: with every limit off (0) a request builds none. */
  private readonly enabled: readonly Omit<Window, 'key'>[];

  constructor(private readonly options: RequestRateLimiterOptions) {
    const { limits } = options;
    const all: Omit<Window, 'key'>[] = [
      {
        name: 'key_per_second',
        whose: "API key's",
        per: 'second',
        limit: limits.keyPerSecond,
        windowMs: 1000,
        buckets: BUCKETS.second,
      },
      {
        name: 'key_per_minute',
        whose: "API key's",
        per: 'minute',
        limit: limits.keyPerMinute,
        windowMs: 60_000,
        buckets: BUCKETS.minute,
      },
      {
        name: 'tenant_per_minute',
        whose: "tenant's",
        per: 'minute',
        limit: limits.tenantPerMinute,
        windowMs: 60_000,
        buckets: BUCKETS.minute,
      },
    ];
    this.enabled = all.filter((w) => w.limit > 0);
  }

  /** Counts one request of `auth`; throws RATE_LIMITED (with `retryAfterMs`) when a window is full. */
  async check(auth: Auth): Promise<void> {
    if (this.enabled.length === 0) return;
    const windows = this.windows(auth);
    let results: number[][];
    try {
      results = await this.withTimeout(
        Promise.all(
          windows.map(
            (w) =>
              TAKE.run(this.options.redis, [w.key], [w.windowMs, w.buckets, w.limit, 0, 1]) as Promise<
                number[]
              >,
          ),
        ),
      );
    } catch (err) {
      this.options.logger.warn(
        { err: (err as Error).message, keyId: auth.keyId },
        'request rate limit not checked: Redis did not answer; the request goes through',
      );
      return;
    }
    const takes = windows.map((w, i) => {
      const [allowed, , retryAfterMs, , bucket] = results[i]!;
      return { w, allowed: allowed === 1, retryAfterMs: retryAfterMs!, bucket: bucket! };
    });
    const refused = takes.filter((t) => !t.allowed);
    if (refused.length === 0) return;
    // The request is not served: give back what the windows that admitted it took.
    await Promise.all(
      takes
        .filter((t) => t.allowed)
        .map((t) => REFUND.run(this.options.redis, [t.w.key], [t.bucket, 1]).catch(() => undefined)),
    );
    const worst = refused.reduce((a, b) => (b.retryAfterMs > a.retryAfterMs ? b : a));
    const retryAfterMs = Math.max(1, worst.retryAfterMs);
    throw new RequestRateLimitedError(
      `this ${worst.w.whose} limit of ${worst.w.limit} requests per ${worst.w.per} is reached; retry after ${retryAfterMs} ms`,
      { retryAfterMs, details: { limit: worst.w.name, max: worst.w.limit } },
    );
  }

  private windows(auth: Auth): Window[] {
    const { redisPrefix } = this.options;
    return this.enabled.map((w) => ({
      ...w,
      key:
        w.whose === "tenant's"
          ? redisKey(redisPrefix, 'ratelimit', 'tenant', auth.tenantId, w.per)
          : redisKey(redisPrefix, 'ratelimit', 'key', auth.keyId, w.per),
    }));
  }

  private withTimeout<T>(call: Promise<T>): Promise<T> {
    const timeoutMs = this.options.redisTimeoutMs ?? 500;
    return answerWithin(call, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
  }
}
