// HubSpot error bodies (docs/vendors/hubspot.md "Error bodies"). Real responses carry `status:"error"`, a category and a correlation id;
// everything else is optional, which is why clients must parse them leniently.
import crypto from 'node:crypto';

export interface HsErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category?: string;
  subCategory?: string;
  context?: Record<string, string[]>;
  links?: Record<string, string>;
  errors?: { message: string; code?: string; in?: string; context?: Record<string, string[]> }[];
  [extra: string]: unknown;
}

/** A failure that becomes one HTTP response with a HubSpot error body. */
export class HsError extends Error {
  constructor(
    readonly statusCode: number,
    readonly category: string | undefined,
    message: string,
    readonly extra: Partial<HsErrorBody> = {},
  ) {
    super(message);
  }

  body(): HsErrorBody {
    return {
      status: 'error',
      message: this.message,
      correlationId: crypto.randomUUID(),
      ...(this.category ? { category: this.category } : {}),
      ...this.extra,
    };
  }
}

/** One invalid property, as listed inside a VALIDATION_ERROR message (inner format UNVERIFIED). */
export interface PropertyProblem {
  isValid: false;
  message: string;
  error: string;
  name: string;
}

export function validationError(message: string, extra: Partial<HsErrorBody> = {}): HsError {
  return new HsError(400, 'VALIDATION_ERROR', message, extra);
}

export function propertyValidationError(problems: PropertyProblem[]): HsError {
  return validationError(`Property values were not valid: ${JSON.stringify(problems)}`, {
    errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
  });
}

export function notFound(message = 'resource not found'): HsError {
  return new HsError(404, 'OBJECT_NOT_FOUND', message);
}

export function unauthorized(): HsError {
  return new HsError(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );
}

export function expired(expiredAtMs: number, nowMs: number): HsError {
  const ago = Math.max(0, Math.round((nowMs - expiredAtMs) / 1000));
  return new HsError(
    401,
    'EXPIRED_AUTHENTICATION',
    `The OAuth token used to make this call expired ${ago} second(s) ago.`,
    {
      context: { 'expire time': [new Date(expiredAtMs).toISOString()] },
    },
  );
}

/**
 * A server-side failure (injected 5xx, unexpected error). docs/vendors/hubspot.md "Error bodies" makes `category` required in every error
 * body but names none for 5xx: `INTERNAL_ERROR` is UNVERIFIED.
 */
export function serverError(status: number, message = 'internal error'): HsError {
  return new HsError(status, 'INTERNAL_ERROR', message);
}
