import {
  CrmConflictError,
  CrmNotFoundError,
  CrmRateLimitedError,
  CrmValidationError,
  type CrmError,
} from '../../errors';
import { type CrmErrorClass, type HookResponse, defaultParseError, errorClassForStatus } from '../http/hooks';
import { type VendorResponse } from '../http/vendor-client';
import { dynamicsDeclaration } from './declaration';

/**
 * Dataverse error bodies (`{"error": {"code": "0x…", "message": "…"}}`, docs/vendors/dynamics.md
 * "Errors") → the project's typed errors. The HTTP status already says most of it; the code decides
 * where one status covers failures the gateway treats apart, and inside `$batch`, where each part has
 * its own status and body. Older environments send an empty code: the status alone decides then.
 */
export const DATAVERSE_CODES = {
  rowNotFound: '0x80040217',
  duplicate: '0x80040237',
  versionMismatch: '0x80060882',
  querySyntax: '0x80060888',
  stringTooLong: '0x80044331',
  choiceOutOfRange: '0x8004431a',
  changeTrackingExpired: '0x80044352',
  tooManyRequests: '0x80072322',
  executionTime: '0x80072321',
  concurrentRequests: '0x80072326',
} as const;

const CLASS_BY_CODE: Readonly<Record<string, CrmErrorClass>> = {
  [DATAVERSE_CODES.rowNotFound]: CrmNotFoundError,
  [DATAVERSE_CODES.duplicate]: CrmConflictError,
  [DATAVERSE_CODES.versionMismatch]: CrmConflictError,
  [DATAVERSE_CODES.querySyntax]: CrmValidationError,
  [DATAVERSE_CODES.stringTooLong]: CrmValidationError,
  [DATAVERSE_CODES.choiceOutOfRange]: CrmValidationError,
  [DATAVERSE_CODES.tooManyRequests]: CrmRateLimitedError,
  [DATAVERSE_CODES.executionTime]: CrmRateLimitedError,
  [DATAVERSE_CODES.concurrentRequests]: CrmRateLimitedError,
};

/** The Dataverse error code of a body, lower-cased (`0x8004…`), or undefined. */
export function dataverseCode(json: unknown): string | undefined {
  const error = (json as { error?: { code?: unknown } } | null | undefined)?.error;
  return typeof error?.code === 'string' && error.code !== '' ? error.code.toLowerCase() : undefined;
}

/** The typed error class of a Dataverse answer: by its code where we know it, else by its status. */
export function dataverseErrorClass(res: Pick<HookResponse, 'status' | 'json'>): CrmErrorClass {
  const code = dataverseCode(res.json);
  return (code && CLASS_BY_CODE[code]) || errorClassForStatus(res.status);
}

/** The typed error of one Dataverse answer (a whole response or one `$batch` part). */
export function dataverseError(
  res: HookResponse,
  options: { requestId?: string; retryAfterMs?: number } = {},
): CrmError {
  return defaultParseError(
    res,
    { crm: dynamicsDeclaration.kind, retryAfterMs: options.retryAfterMs },
    options.requestId,
    dataverseErrorClass(res),
  );
}

/** Whether a failed call was Dataverse's "expired change-tracking version stamp" (`changes.ts`). */
export function isChangeTrackingExpired(err: unknown): boolean {
  return (err as CrmError | undefined)?.vendorCode?.toLowerCase() === DATAVERSE_CODES.changeTrackingExpired;
}

/** A successful answer's body must be a JSON object; anything else is a vendor fault worth naming. */
export function isJsonObject(res: VendorResponse): boolean {
  return !!res.body && typeof res.body === 'object' && !Array.isArray(res.body);
}
