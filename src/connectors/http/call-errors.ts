import { type CrmError, CrmAuthExpiredError, CrmRateLimitedError, CrmUnavailableError } from '../../errors';
import { type RateLimitSignal, type RetryDecision } from './retry-policy';
import { describeNetworkError } from './transport';
import { type VendorRequest } from './vendor-request';

/**
 * The typed errors the shared client (`vendor-client.ts`) raises itself, rather than a vendor hook's
 * `parseError`: the vendor could not be reached, it refused for rate, or it refused a token it had
 * just issued. Each message says what happened and what the caller may do about it.
 */

/** The network failed; `decision` says whether the request may have been applied and when to retry. */
export function unreachableError(
  crm: string,
  err: unknown,
  decision: RetryDecision,
  attempts: number,
): CrmUnavailableError {
  const retryAfterMs = decision.action === 'retry' ? decision.delayMs : decision.retryAfterMs;
  const outcomeUnknown = decision.action === 'fail' && decision.reason === 'outcome_unknown';
  return new CrmUnavailableError(
    `${crm} could not be reached (${describeNetworkError(err)})${
      outcomeUnknown ? '; the request may have been applied, so it was not resent' : ''
    }`,
    { crm, cause: err, retryAfterMs: retryAfterMs ?? undefined, details: { outcomeUnknown, attempts } },
  );
}

/** The vendor refused for rate: throttled (clears in seconds) or a spent allocation. */
export function rateLimitedError(
  crm: string,
  rateLimit: RateLimitSignal,
  status: number,
  holdMs: number | null,
  vendorRequestId: string | undefined,
): CrmRateLimitedError {
  const exhausted = rateLimit.kind === 'budget_exhausted';
  return new CrmRateLimitedError(
    `${crm} ${exhausted ? 'API allocation is exhausted' : 'is throttling calls'} (HTTP ${status}); retry after ${holdMs ?? '?'} ms`,
    {
      crm,
      status,
      vendorRequestId,
      retryAfterMs: holdMs ?? undefined,
      vendorCode: exhausted ? 'BUDGET_EXHAUSTED' : 'THROTTLED',
    },
  );
}

/**
 * The vendor rejected the token a refresh just returned: AUTH_EXPIRED, the vendor's own error when its
 * hooks already read it so, else one wrapping it.
 */
export function refreshRejectedError(
  crm: string,
  status: number,
  vendorRequestId: string | undefined,
  parsed: CrmError,
): CrmAuthExpiredError {
  if (parsed instanceof CrmAuthExpiredError) return parsed;
  return new CrmAuthExpiredError(`${crm} rejected a freshly refreshed access token`, {
    crm,
    status,
    vendorRequestId,
    cause: parsed,
  });
}

/**
 * `GET /services/data/v62.0/query`: method and path, never the query string (it may hold data). Only
 * the part before the query or fragment is parsed (the path ends there whatever follows): a SOQL
 * query of a hundred ids is kilobytes of URL.
 */
export function describeRequest(req: VendorRequest): string {
  const beforeQuery = req.url.split(/[?#]/, 1)[0]!;
  let path: string;
  try {
    path = new URL(beforeQuery, 'http://relative.invalid/').pathname;
  } catch {
    path = beforeQuery;
  }
  return `${req.method} ${path}`;
}
