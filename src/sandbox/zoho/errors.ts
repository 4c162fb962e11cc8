// Zoho's error bodies (docs/vendors/zoho.md "Errors"): a top-level `{code, details, message,
// status: "error"}` for a refused request, and the same four keys per record inside `data[]` for a
// write whose records fail one by one.

/** Raised by any handler; the route wrapper renders it with its HTTP status. */
export class ZohoError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ZohoError';
  }

  body(): Record<string, unknown> {
    return { code: this.code, details: this.details, message: this.message, status: 'error' };
  }
}

export function invalidData(message: string, details: Record<string, unknown>): ZohoError {
  return new ZohoError(400, 'INVALID_DATA', message, details);
}

export function requiredParam(name: string): ZohoError {
  return new ZohoError(400, 'REQUIRED_PARAM_MISSING', 'required param is missing', { param_name: name });
}

export function limitExceeded(param: string, limit: number, message = 'Limit Exceeded'): ZohoError {
  return new ZohoError(400, 'LIMIT_EXCEEDED', message, { limit, param_name: param });
}

export function invalidModule(index: number): ZohoError {
  return new ZohoError(400, 'INVALID_MODULE', 'the module name given seems to be invalid', {
    resource_path_index: index,
  });
}

export function invalidUrl(): ZohoError {
  return new ZohoError(
    404,
    'INVALID_URL_PATTERN',
    'Please check if the URL trying to access is a correct one',
  );
}

/** docs/vendors/zoho.md "Auth errors on API calls": a missing, expired, revoked or other-DC token. */
export const INVALID_TOKEN_BODY = {
  code: 'INVALID_TOKEN',
  details: {},
  message: 'invalid oauth token',
  status: 'error',
} as const;

/** One record's failure inside a write's `data[]` (not thrown: a write reports each record). */
export interface RecordOutcome {
  code: string;
  details: Record<string, unknown>;
  message: string;
  status: 'success' | 'error';
  duplicate_field?: string | null;
  action?: 'insert' | 'update';
}

export function recordError(code: string, message: string, details: Record<string, unknown>): RecordOutcome {
  return { code, details, message, status: 'error' };
}
