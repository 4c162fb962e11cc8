import { type HookResponse, type VendorHooks, defaultHooks, defaultIsRateLimited } from '../http/hooks';
import { parseRetryAfter } from '../http/retry-policy';
import { pipedriveDeclaration } from './declaration';
import { isCloudflareBlock, isDailyBudgetSpent, pipedriveError } from './errors';

const base = defaultHooks({
  authScheme: pipedriveDeclaration.authScheme,
  requestIdHeader: pipedriveDeclaration.requestIdHeader,
  budgets: pipedriveDeclaration.budgets,
});

/**
 * How long to hold back after Pipedrive's edge answered a 403 page instead of the API, which it does
 * to a client that kept sending after 429s: no header says for how long, so a minute.
 */
export const EDGE_BLOCK_HOLD_MS = 60_000;

/**
 * The shared client's hooks where Pipedrive differs from a plain JSON API
 * (docs/vendors/pipedrive.md "Connector: errors and refusals"):
 * - an API token travels in `x-api-token`, an OAuth token as `Authorization: Bearer`;
 * - a 429 with the daily token budget at 0 is a spent allocation (back at midnight), not throttling;
 * - a 403 HTML page from the edge after repeated 429s is a rate limit, not a permission error;
 * - errors are typed by status and the body's `error`/`code` (`errors.ts`).
 */
export const pipedriveHooks: Partial<VendorHooks> = {
  authorize(headers, token) {
    if (token.authKind === 'static_token') headers['x-api-token'] = token.value;
    else headers.authorization = `${pipedriveDeclaration.authScheme} ${token.value}`;
  },
  isBudgetExhausted: isDailyBudgetSpent,
  isRateLimited(res: HookResponse, nowMs: number) {
    if (isCloudflareBlock(res)) {
      return {
        kind: 'throttled',
        retryAfterMs: parseRetryAfter(res.headers['retry-after'], nowMs) ?? EDGE_BLOCK_HOLD_MS,
      };
    }
    return defaultIsRateLimited(res, nowMs, pipedriveDeclaration.budgets, isDailyBudgetSpent);
  },
  parseError: (res, extra) => pipedriveError(res, extra, base.requestId(res)),
  requestId: base.requestId,
};
