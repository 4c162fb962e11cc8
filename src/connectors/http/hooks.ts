import { type BudgetDeclaration } from '../../config/crms';
import {
  type CrmError,
  type CrmErrorOptions,
  CrmAuthExpiredError,
  CrmConflictError,
  CrmNotFoundError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../errors';
import { type AccessToken, type ResponseHeaders, type TransportResponse } from './http.types';
import { type RateLimitSignal, parseResetHeader, parseRetryAfter } from './retry-policy';

/**
 * The named hooks of the shared HTTP client. A connector overrides only what its vendor does
 * differently (the `isSessionExpired`/`parseError` pattern of the vendors' own clients); the defaults fit a plain JSON API.
 */
export interface VendorHooks {
  /** Puts the credentials on an outgoing request. */
  authorize(headers: Record<string, string>, token: AccessToken): void;
  /** The response says the access token is no longer valid: refresh once and retry. */
  isSessionExpired(res: HookResponse): boolean;
  /** The response says "too much", and for how long; `null` when it is not a rate limit. */
  isRateLimited(res: HookResponse, nowMs: number): RateLimitSignal | null;
  /**
   * The response refuses because an allocation is spent (a daily quota), not for throttling: the
   * default `isRateLimited` then reports `budget_exhausted` and waits only for a spent budget's reset.
   * A vendor that says so otherwise than with a plain 429 (another status, a body field) supplies it.
   */
  isBudgetExhausted?(res: HookResponse): boolean;
  /**
   * The error response says the vendor did not apply the request and the same request can succeed
   * later (a locked record, an account being moved), where HTTP's own statuses do not say so: the
   * retry policy then retries it, a create included. Absent: only HTTP's transient statuses count.
   */
  isNotApplied?(res: HookResponse): boolean;
  /** Turns an error response into the typed error; `extra` carries what the client already knows. */
  parseError(res: HookResponse, extra: ErrorExtra): CrmError;
  /** The vendor's request/correlation id, for error reports and logs. */
  requestId(res: HookResponse): string | undefined;
  /**
   * A cheap call showing whether the vendor serves again after it refused for lack of budget without
   * saying until when; sent alone, on the gate's probe schedule, before the caller's own request.
   * Absent: the caller's own request is the probe.
   */
  budgetProbe?: BudgetProbe;
}

/** A request a vendor answers cheaply (relative to the API base). */
export interface BudgetProbe {
  method: 'GET';
  url: string;
}

/** A response as hooks see it: status, lower-cased headers, raw text and the body parsed when JSON. */
export interface HookResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
  /** `JSON.parse(text)` when that works, else `undefined`. */
  json: unknown;
}

export interface ErrorExtra {
  crm: string;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}

export type CrmErrorClass = new (message: string, options: CrmErrorOptions) => CrmError;

/** Status → error class for vendors that use HTTP statuses as documented. */
export function errorClassForStatus(status: number): CrmErrorClass {
  if (status === 401) return CrmAuthExpiredError;
  if (status === 404) return CrmNotFoundError;
  if (status === 409 || status === 412) return CrmConflictError;
  if (status === 429) return CrmRateLimitedError;
  if (status === 400 || status === 422) return CrmValidationError;
  if (status === 408 || status >= 500) return CrmUnavailableError;
  return CrmUpstreamError;
}

/**
 * The vendor's message and code from the common JSON error shapes: `[{message, errorCode}]` arrays,
 * `{message, category}`, OData `{error: {code, message}}`, OAuth `{error, error_description}`,
 * `{code, message}` and `{status, message}`.
 */
export function extractVendorError(json: unknown): { message?: string; code?: string } {
  const first = Array.isArray(json) ? (json[0] as unknown) : json;
  if (!first || typeof first !== 'object') return {};
  const o = first as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  if (o.error && typeof o.error === 'object') {
    const e = o.error as Record<string, unknown>;
    return { message: str(e.message), code: str(e.code) };
  }
  return {
    message: str(o.message) ?? str(o.error_description) ?? str(o.error),
    code: str(o.errorCode) ?? str(o.category) ?? str(o.code) ?? str(o.error) ?? str(o.status),
  };
}

/** The typed error of a response; a vendor hook may pick the class where its statuses mean otherwise. */
export function defaultParseError(
  res: HookResponse,
  extra: ErrorExtra,
  requestId?: string,
  ErrorClass: CrmErrorClass = errorClassForStatus(res.status),
): CrmError {
  const { message, code } = extractVendorError(res.json);
  const text = message ?? (res.text.slice(0, 200) || '(empty body)');
  return new ErrorClass(`${extra.crm} answered HTTP ${res.status}${code ? ` ${code}` : ''}: ${text}`, {
    crm: extra.crm,
    status: res.status,
    vendorRequestId: requestId,
    vendorCode: code,
    retryAfterMs: extra.retryAfterMs,
    details: extra.details,
  });
}

/**
 * 429 is throttling, unless the vendor's `isBudgetExhausted` says the refusal is a spent allocation
 * (which will not clear within seconds; it may come with another status than 429).
 *
 * The wait is `Retry-After` when the vendor sends one, else what the budgets' reset headers say
 * (`budgets`, from the CRM's declaration; see {@link resetWaitFromHeaders}).
 */
export function defaultIsRateLimited(
  res: HookResponse,
  nowMs: number,
  budgets: readonly BudgetDeclaration[] = [],
  isBudgetExhausted?: (res: HookResponse) => boolean,
): RateLimitSignal | null {
  const retryAfter = parseRetryAfter(res.headers['retry-after'], nowMs);
  const told = (kind: RateLimitSignal['kind']): RateLimitSignal => ({
    kind,
    // An exhausted allocation takes only the reset of a budget the headers show spent: the burst
    // window's interval says nothing about when a daily allocation comes back.
    retryAfterMs:
      retryAfter ?? resetWaitFromHeaders(res.headers, nowMs, budgets, kind === 'budget_exhausted'),
  });
  if (isBudgetExhausted?.(res)) return told('budget_exhausted');
  if (res.status !== 429) return null;
  return told('throttled');
}

/**
 * The wait a refusal's reset headers state (names and units from each budget's `headers.reset`):
 * the longest among the budgets whose `remaining` header reads 0 — the ones that refused — or, when
 * no header shows a spent budget and `spentOnly` is false, the longest of any. `null`: nothing said.
 */
export function resetWaitFromHeaders(
  headers: ResponseHeaders,
  nowMs: number,
  budgets: readonly BudgetDeclaration[],
  spentOnly = false,
): number | null {
  const stated: { ms: number; spent: boolean }[] = [];
  for (const { headers: spec } of budgets) {
    if (spec?.style !== 'remaining' || !spec.reset) continue;
    const ms = parseResetHeader(headers[spec.reset.toLowerCase()], spec.resetUnit ?? 's', nowMs);
    if (ms === null) continue;
    const remaining = headers[spec.remaining.toLowerCase()];
    stated.push({ ms, spent: remaining !== undefined && /^\s*0+\s*$/.test(remaining) });
  }
  const spent = stated.filter((s) => s.spent);
  const pool = spent.length > 0 || spentOnly ? spent : stated;
  return pool.length > 0 ? Math.max(...pool.map((s) => s.ms)) : null;
}

/** Default hooks for a vendor using `Authorization: <scheme> <token>` and plain HTTP statuses. */
export function defaultHooks(
  options: {
    authScheme?: string;
    requestIdHeader?: string;
    /** The CRM's budgets, whose reset headers tell how long a refusal lasts (`isRateLimited`). */
    budgets?: readonly BudgetDeclaration[];
    /** The vendor's {@link VendorHooks.isBudgetExhausted}, consulted by the default `isRateLimited`. */
    isBudgetExhausted?: (res: HookResponse) => boolean;
  } = {},
): VendorHooks {
  const scheme = options.authScheme ?? 'Bearer';
  const requestIdHeader = options.requestIdHeader?.toLowerCase();
  const requestId = (res: HookResponse): string | undefined =>
    (requestIdHeader && res.headers[requestIdHeader]) || res.headers['x-request-id'] || undefined;
  return {
    authorize(headers, token) {
      headers.authorization = `${scheme} ${token.value}`;
    },
    isSessionExpired: (res) => res.status === 401,
    isRateLimited: (res, nowMs) =>
      defaultIsRateLimited(res, nowMs, options.budgets, options.isBudgetExhausted),
    parseError: (res, extra) => defaultParseError(res, extra, requestId(res)),
    requestId,
  };
}

/**
 * A transport's response as hooks see it. `json` is parsed on first read, once: an answer that succeeds
 * goes on as text where its reader parses it itself (a vendor SDK that reads the text), and hooks
 * read it only on the error path, so a body of hundreds of records is not parsed twice.
 */
export function toHookResponse(raw: TransportResponse): HookResponse {
  let parsed: { value: unknown } | undefined;
  return {
    status: raw.status,
    headers: raw.headers,
    text: raw.body,
    get json() {
      return (parsed ??= { value: parseJsonOrUndefined(raw.body) }).value;
    },
  };
}

function parseJsonOrUndefined(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
