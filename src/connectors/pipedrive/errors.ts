import { CrmNotFoundError, CrmUpstreamError, type CrmError } from '../../errors';
import {
  type CrmErrorClass,
  type ErrorExtra,
  type HookResponse,
  defaultParseError,
  errorClassForStatus,
} from '../http/hooks';

/**
 * Pipedrive error answers (`{"success": false, "error": "…", "error_info": "…", "code": "…"}`,
 * docs/vendors/pipedrive.md "Connector: errors and refusals") → the project's typed errors, by status: 401 expired or
 * revoked credentials, 404 and 410 (a record deleted for good) not found, 400/422 validation, 429 rate
 * limited, 402 (the company's subscription is not active) and 403 (no permission) upstream refusals.
 */

/** The daily token budget's remaining-tokens header. */
const DAILY_REMAINING = 'x-daily-ratelimit-token-remaining';

/** A 429 whose daily token budget reads 0: the company's allocation is spent until it resets. */
export function isDailyBudgetSpent(res: HookResponse): boolean {
  if (res.status !== 429) return false;
  const remaining = res.headers[DAILY_REMAINING];
  return remaining !== undefined && /^\s*0+\s*$/.test(remaining);
}

/** A 403 that is an HTML page (the edge's block), not the API's JSON refusal. */
export function isCloudflareBlock(res: HookResponse): boolean {
  if (res.status !== 403) return false;
  const type = res.headers['content-type'] ?? '';
  return /text\/html/i.test(type) || /^\s*</.test(res.text);
}

function errorClass(status: number): CrmErrorClass {
  if (status === 410) return CrmNotFoundError;
  if (status === 402 || status === 403) return CrmUpstreamError;
  return errorClassForStatus(status);
}

export function pipedriveError(res: HookResponse, extra: ErrorExtra, requestId?: string): CrmError {
  return defaultParseError(res, extra, requestId, errorClass(res.status));
}
