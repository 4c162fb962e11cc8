import {
  CrmConflictError,
  CrmNotFoundError,
  CrmUpstreamError,
  CrmValidationError,
  type CrmError,
} from '../../errors';
import {
  type CrmErrorClass,
  type ErrorExtra,
  type HookResponse,
  defaultParseError,
  errorClassForStatus,
} from '../http/hooks';
import { type ZohoResultItem } from './wire.types';

/**
 * Zoho CRM error answers (docs/vendors/zoho.md "Connector: errors"): a call refused whole answers
 * `{"code","details","message","status":"error"}`; a write whose every record failed answers 400 with
 * the per-record items in `data`. Typed by `code` first, then by status.
 */

/** Codes whose 401 is no token problem: a refresh would not help (a missing scope, a disabled API). */
const NOT_TOKEN_401 = new Set(['OAUTH_SCOPE_MISMATCH', 'NO_PERMISSION']);

/** A 401 meaning the access token is expired, revoked, or of another data centre. */
export function isTokenRefused(res: HookResponse): boolean {
  if (res.status !== 401) return false;
  const code = topCode(res.json);
  return code === undefined || !NOT_TOKEN_401.has(code);
}

function topCode(json: unknown): string | undefined {
  const o = json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  return typeof o.code === 'string' ? o.code : undefined;
}

/** A record-level code → the project's error class. */
export function classOfCode(code: string | undefined, status: number): CrmErrorClass {
  switch (code) {
    case 'DUPLICATE_DATA':
    case 'ALREADY_MODIFIED':
    case 'RECORD_LOCKED':
      return CrmConflictError;
    case 'INVALID_URL_PATTERN':
    case 'RESOURCE_NOT_FOUND':
    case 'INVALID_MODULE':
      return CrmNotFoundError;
    case 'INVALID_DATA':
    case 'MANDATORY_NOT_FOUND':
    case 'REQUIRED_PARAM_MISSING':
    case 'DEPENDENT_FIELD_MISSING':
    case 'DEPENDENT_MISMATCH':
    case 'MULTIPLE_OR_MULTI_ERRORS':
    case 'LIMIT_EXCEEDED':
    case 'INVALID_QUERY':
    case 'SYNTAX_ERROR':
      return CrmValidationError;
    case 'OAUTH_SCOPE_MISMATCH':
    case 'NO_PERMISSION':
    case 'AUTHORIZATION_FAILED':
    case 'NOT_APPROVED':
      return CrmUpstreamError;
    default:
      return status === 403 ? CrmUpstreamError : errorClassForStatus(status);
  }
}

/** Per-record items of a refused write (`data` of a 400), kept off the error's client-facing details. */
const refusedItems = new WeakMap<CrmError, ZohoResultItem[]>();

/** The items of a write (or channel call) Zoho refused whole, one per record; null for any other error. */
export function refusedWriteItems(err: unknown): ZohoResultItem[] | null {
  if (!err || typeof err !== 'object') return null;
  return refusedItems.get(err as CrmError) ?? null;
}

export function zohoError(res: HookResponse, extra: ErrorExtra, requestId?: string): CrmError {
  // Writes answer per record in `data`; notification channels per channel in `watch`.
  const json = res.json as { data?: unknown; watch?: unknown } | undefined;
  const list = Array.isArray(json?.data) ? json.data : Array.isArray(json?.watch) ? json.watch : null;
  const items = list as ZohoResultItem[] | null;
  if (items && items.length > 0) {
    const first = items[0] ?? {};
    const err = defaultParseError(
      { ...res, json: first },
      extra,
      requestId,
      classOfCode(first.code, res.status),
    );
    refusedItems.set(err, items);
    return err;
  }
  return defaultParseError(res, extra, requestId, classOfCode(topCode(res.json), res.status));
}
