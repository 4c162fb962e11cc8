/**
 * Every error this product raises on purpose, each with a stable `code`.
 *
 * The code is the contract: GraphQL responses carry it as `extensions.code`, the README lists each one
 * (a test keeps the two in agreement), and clients branch on it. Messages are for humans and say what
 * was expected and what arrived.
 */

export const ERROR_CODES = {
  BAD_USER_INPUT: 'The input does not have the expected shape or value; the message says which field.',
  UNAUTHENTICATED:
    'No API key, an unknown key or a revoked key; an invalid or expired access token, or one whose key was revoked.',
  FORBIDDEN:
    "The key's or access token's scope does not allow this operation (a read-only key on a mutation, a token on an object it does not list or on a key-only field).",
  NOT_FOUND: 'The id does not name anything this tenant can see.',
  CONFLICT:
    'The write collides with existing data (a unique value already taken, an idempotency key reused with other input).',
  QUERY_TOO_COMPLEX: 'The operation is deeper, uses more aliases or costs more than the server allows.',
  RATE_LIMITED:
    "A vendor API budget, or the API key's or tenant's request rate limit, is exhausted; retry after `retryAfterMs`.",
  AUTH_EXPIRED: 'The CRM access token expired and could not be refreshed right now; retryable.',
  NEEDS_REAUTH: 'The CRM refused the stored refresh token; the connection must be authorized again.',
  VALIDATION: 'The CRM rejected the record as invalid.',
  UNAVAILABLE: 'A dependency (a CRM, Redis, MongoDB) is unreachable or failing; retryable.',
  UPSTREAM:
    "The CRM refused a request as we built it (a query, a field the org no longer has) or answered an error we do not classify further; the server log has the vendor's request id.",
  INTERNAL_SERVER_ERROR: 'A bug on our side; the message is generic and the details are in the server log.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AppErrorOptions {
  cause?: unknown;
  /** Safe, structured details for the client (never secrets). */
  details?: Record<string, unknown>;
}

/** Base of every intentional error. `retryable` tells callers (and the queue) whether to try again. */
export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  readonly retryable: boolean = false;
  readonly details?: Record<string, unknown>;

  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.details = options.details;
  }
}

/** Raised when input fails validation before anything is stored or sent. */
export class BadUserInputError extends AppError {
  readonly code = 'BAD_USER_INPUT';
}
/** Raised when a request carries no valid API key. */
export class UnauthenticatedError extends AppError {
  readonly code = 'UNAUTHENTICATED';
}
/** Raised when the key is valid but its scope does not cover the operation. */
export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN';
}
/** Raised when an id names nothing the caller's tenant can see (other tenants' ids included). */
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
}
/** Raised when a write collides with existing data, e.g. a unique index. */
export class ConflictError extends AppError {
  readonly code = 'CONFLICT';
}
/** Raised by the depth, alias and complexity limits before any resolver runs. */
export class QueryTooComplexError extends AppError {
  readonly code = 'QUERY_TOO_COMPLEX';
}
/** Raised when an API key or its tenant sent more requests than the gateway's rate limit allows. */
export class RequestRateLimitedError extends AppError {
  readonly code = 'RATE_LIMITED';
  override readonly retryable = true;
  readonly retryAfterMs: number;

  constructor(message: string, options: AppErrorOptions & { retryAfterMs: number }) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}
/** Raised when a store or another internal dependency cannot be reached. */
export class UnavailableError extends AppError {
  readonly code = 'UNAVAILABLE';
  override readonly retryable = true;
}

/**
 * Raised when a valid request cannot be served because of how the operator configured the server (a
 * stored connection's vendor URL that the current ALLOW_VENDOR_URL_OVERRIDES / VENDOR_URL_ALLOWLIST
 * refuse). It is not the client's error: the client gets a generic UNAVAILABLE, while
 * `operatorMessage` — what is refused and which setting to change — goes to the server log only.
 */
export class ServerConfigError extends UnavailableError {
  readonly operatorMessage: string;

  constructor(operatorMessage: string, options: AppErrorOptions = {}) {
    super(
      "this server's configuration does not allow this request right now; the operator has the details in the server log",
      options,
    );
    this.operatorMessage = operatorMessage;
  }
}

// ---------------------------------------------------------------------------------------------------
// CRM errors: what a connector raises. Each carries the CRM, the HTTP status, the vendor's request id
// and, where the vendor told us (or a budget did), how long to wait.

export type CrmErrorCode =
  | 'RATE_LIMITED'
  | 'AUTH_EXPIRED'
  | 'NEEDS_REAUTH'
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'UPSTREAM';

export interface CrmErrorOptions extends AppErrorOptions {
  crm: string;
  status?: number;
  vendorRequestId?: string;
  retryAfterMs?: number;
  /** The vendor's own error code (e.g. `INVALID_FIELD`), kept for diagnostics. */
  vendorCode?: string;
}

export abstract class CrmError extends AppError {
  abstract override readonly code: CrmErrorCode;
  readonly crm: string;
  readonly status?: number;
  readonly vendorRequestId?: string;
  readonly retryAfterMs?: number;
  readonly vendorCode?: string;

  constructor(message: string, options: CrmErrorOptions) {
    super(message, options);
    this.crm = options.crm;
    this.status = options.status;
    this.vendorRequestId = options.vendorRequestId;
    this.retryAfterMs = options.retryAfterMs;
    this.vendorCode = options.vendorCode;
  }
}

/** A budget (ours or the vendor's) is exhausted; wait `retryAfterMs`. */
export class CrmRateLimitedError extends CrmError {
  readonly code = 'RATE_LIMITED';
  override readonly retryable = true;
}
/** The access token was rejected and one refresh did not help yet; the next attempt may succeed. */
export class CrmAuthExpiredError extends CrmError {
  readonly code = 'AUTH_EXPIRED';
  override readonly retryable = true;
}
/** The refresh token was revoked or is invalid: a human must reconnect the CRM. */
export class CrmNeedsReauthError extends CrmError {
  readonly code = 'NEEDS_REAUTH';
}
/** The record or object does not exist in the CRM. */
export class CrmNotFoundError extends CrmError {
  readonly code = 'NOT_FOUND';
}
/** The CRM rejected the input (bad field, bad value, missing required field). */
export class CrmValidationError extends CrmError {
  readonly code = 'VALIDATION';
}
/** The CRM reports a duplicate or a concurrent modification. */
export class CrmConflictError extends CrmError {
  readonly code = 'CONFLICT';
}
/** The CRM is down, timed out or answered 5xx. */
export class CrmUnavailableError extends CrmError {
  readonly code = 'UNAVAILABLE';
  override readonly retryable = true;
}
/** Anything else the CRM said that we do not classify further. */
export class CrmUpstreamError extends CrmError {
  readonly code = 'UPSTREAM';
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
