// Pipedrive's error envelope (docs/vendors/pipedrive.md "Envelopes"): `success:false`, a message in
// `error`, the fixed `error_info`, null `data` / `additional_data`, and sometimes a `code`.
import { ERROR_INFO } from './constants';

/** Raised by any handler; the route wrapper renders it as Pipedrive's error body with its status. */
export class PdError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Machine-readable code some errors carry (the names are UNVERIFIED beyond the documented example). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PdError';
  }

  body(): Record<string, unknown> {
    return {
      success: false,
      error: this.message,
      error_info: ERROR_INFO,
      data: null,
      additional_data: null,
      ...(this.code ? { code: this.code } : {}),
    };
  }
}

export function badRequest(message: string): PdError {
  return new PdError(400, message, 'ERR_SCHEMA_VALIDATION_FAILED');
}

export function notFound(what: string): PdError {
  return new PdError(404, `${what} not found`);
}

/** The API gateway's 401 (docs/vendors/pipedrive.md "Authentication"): a different shape, with `errorCode`. */
export const UNAUTHORIZED_BODY = {
  success: false,
  error: 'unauthorized access',
  errorCode: 401,
  error_info: 'Please check developers.pipedrive.com',
} as const;

/** A 429 body (docs/vendors/pipedrive.md "Rate limits"): only its start is documented, the rest is UNVERIFIED. */
export function rateLimitBody(message: string): Record<string, unknown> {
  return {
    success: false,
    error: message,
    errorCode: 429,
    error_info: ERROR_INFO,
    data: null,
    additional_data: null,
  };
}

/** The HTML page some clients report after hammering on through 429s (setting `forbiddenHtmlAfter429s`). */
export const FORBIDDEN_HTML =
  '<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>' +
  '<body><h1>Sorry, you have been blocked</h1><p>You are unable to access pipedrive.com</p></body></html>';
