import { type RedisClient } from '../redis/client';
import { CrmNeedsReauthError, isAppError } from '../errors';
import { type Logger } from '../logger';
import { type TokenService } from '../connectors/tokens/token.service';

export interface TokenRefreshJobOptions {
  /**
   * Refresh tokens expiring within this window.
   * @defaultValue 600000 (10 min: two runs' worth, so one missed run loses nothing)
   */
  withinMs?: number;
  /** @defaultValue 500 */
  maxPerRun?: number;
  /** @defaultValue 4 */
  concurrency?: number;
}

export interface TokenRefreshResult {
  scanned: number;
  refreshed: number;
  needsReauth: number;
  failed: number;
}

/**
 * Processes the token-refresh job (`src/queue/token-refresh.producer.ts`): refreshes the tokens of the
 * expiry index that expire within the window, a few at a time.
 */
export async function processTokenRefresh(
  deps: { tokens: TokenService; redis: RedisClient; logger?: Logger; now?: () => number },
  options: TokenRefreshJobOptions = {},
): Promise<TokenRefreshResult> {
  const withinMs = options.withinMs ?? 600_000;
  const now = deps.now?.() ?? Date.now();
  const ids = await deps.redis.zrangebyscore(
    deps.tokens.expiryIndexKey,
    '-inf',
    now + withinMs,
    'LIMIT',
    0,
    options.maxPerRun ?? 500,
  );
  const result: TokenRefreshResult = { scanned: ids.length, refreshed: 0, needsReauth: 0, failed: 0 };
  const queue = [...ids];
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        if (await deps.tokens.refreshIfExpiring(id, withinMs)) result.refreshed += 1;
      } catch (err) {
        if (err instanceof CrmNeedsReauthError) result.needsReauth += 1;
        else {
          result.failed += 1;
          deps.logger?.warn(
            refreshFailureLog(err, id),
            'scheduled token refresh failed; the next run retries',
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return result;
}

/**
 * What a failed scheduled refresh logs. A failure we raise on purpose (the vendor unreachable, a 5xx, a
 * budget) is routine — a sandbox from an earlier run gone, a vendor blip — and takes one line with its
 * code and reason; anything else is unexpected and keeps its stack.
 */
export function refreshFailureLog(err: unknown, connectionId: string): Record<string, unknown> {
  if (isAppError(err)) return { connectionId, code: err.code, reason: err.message };
  return { err, connectionId };
}
