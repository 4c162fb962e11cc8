import {
  type CrmError,
  type CrmErrorOptions,
  CrmConflictError,
  CrmNotFoundError,
  CrmRateLimitedError,
  CrmUnavailableError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../errors';
import { type WireSaveError } from './wire.types';

/**
 * Salesforce status codes (the StatusCode enum, as sObject Collections report them per record) → our
 * error classes. The HTTP-level errors are typed by the shared layer; these are the ones that arrive
 * inside a 200.
 */

type CrmErrorClass = new (message: string, options: CrmErrorOptions) => CrmError;

const CONFLICT = new Set([
  'DUPLICATE_VALUE',
  'DUPLICATES_DETECTED',
  'DUPLICATE_EXTERNAL_ID',
  'DUPLICATE_USERNAME',
]);
const NOT_FOUND = new Set(['ENTITY_IS_DELETED', 'NOT_FOUND', 'INVALID_ID_FIELD']);
/**
 * Codes that mean "this record was not applied, try again": a row lock held by another transaction,
 * or a valid record rolled back because a sibling failed under allOrNone.
 */
const TRANSIENT = new Set(['UNABLE_TO_LOCK_ROW', 'ALL_OR_NONE_OPERATION_ROLLED_BACK', 'SERVER_UNAVAILABLE']);
const RATE_LIMITED = new Set(['REQUEST_LIMIT_EXCEEDED']);
const VALIDATION = new Set([
  'REQUIRED_FIELD_MISSING',
  'INVALID_FIELD',
  'INVALID_FIELD_FOR_INSERT_UPDATE',
  'INVALID_EMAIL_ADDRESS',
  'INVALID_TYPE',
  'INVALID_TYPE_ON_FIELD_IN_RECORD',
  'MALFORMED_ID',
  'FIELD_CUSTOM_VALIDATION_EXCEPTION',
  'FIELD_INTEGRITY_EXCEPTION',
  'FIELD_FILTER_VALIDATION_EXCEPTION',
  'STRING_TOO_LONG',
  'NUMBER_OUTSIDE_VALID_RANGE',
  'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
  'INVALID_CROSS_REFERENCE_KEY',
  'JSON_PARSER_ERROR',
  'INVALID_INPUT',
  'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
]);

/**
 * Codes by which Salesforce refuses a request as we built it — a query, a locator, a field list — rather
 * than a record's values: UPSTREAM (our side, or the org's metadata, must change), never VALIDATION,
 * which the README keeps for a record the CRM found invalid. Only for errors at the HTTP level; inside
 * a 200, per record, they stay as {@link errorClassForStatusCode} says.
 */
export const REQUEST_REFUSED_CODES: ReadonlySet<string> = new Set([
  'MALFORMED_QUERY',
  'INVALID_QUERY_LOCATOR',
  'INVALID_QUERY_FILTER_OPERATOR',
  'INVALID_FIELD',
  'INVALID_TYPE',
]);

export function errorClassForStatusCode(statusCode: string): CrmErrorClass {
  if (VALIDATION.has(statusCode)) return CrmValidationError;
  if (CONFLICT.has(statusCode)) return CrmConflictError;
  if (NOT_FOUND.has(statusCode)) return CrmNotFoundError;
  if (TRANSIENT.has(statusCode)) return CrmUnavailableError;
  if (RATE_LIMITED.has(statusCode)) return CrmRateLimitedError;
  return CrmUpstreamError;
}

/** The typed error for one record's `errors[]` (the first names the class; all are in the message). */
export function recordError(errors: readonly WireSaveError[], crm: string): CrmError {
  if (errors.length === 0) {
    return new CrmUpstreamError(`${crm} reported a failed record without saying why`, { crm });
  }
  const [first] = errors;
  const ErrorClass = errorClassForStatusCode(first.statusCode);
  const text = errors
    .map(
      (e) => `${e.statusCode}: ${e.message}${e.fields && e.fields.length ? ` [${e.fields.join(', ')}]` : ''}`,
    )
    .join('; ');
  return new ErrorClass(`${crm} refused the record: ${text}`, {
    crm,
    vendorCode: first.statusCode,
    details: { fields: errors.flatMap((e) => e.fields ?? []) },
  });
}

/**
 * A Bulk 2.0 `sf__Error` cell: `STATUS_CODE:message:fields --` (the Bulk 1.0 form; for 2.0 the format
 * is not documented). The code is taken when the cell starts with one, else the whole text is the message.
 */
export function bulkRecordError(cell: string, crm: string): CrmError {
  const m = /^([A-Z_]+):(.*)$/s.exec(cell.trim());
  if (!m) return new CrmUpstreamError(`${crm} bulk job refused the record: ${cell}`, { crm });
  const [, statusCode, rest] = m;
  const parts = rest.replace(/\s*--\s*$/, '').split(':');
  const fields = parts.length > 1 ? parts[parts.length - 1].split(',').filter((f) => f !== '') : [];
  const message = (parts.length > 1 ? parts.slice(0, -1) : parts).join(':');
  return recordError([{ statusCode, message, fields }], crm);
}
