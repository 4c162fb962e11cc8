import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { type ValidationError } from 'class-validator';
import {
  type AppError,
  CrmError,
  ERROR_CODES,
  type ErrorCode,
  isAppError,
  RequestRateLimitedError,
  ServerConfigError,
} from '../errors';
import { type Logger } from '../logger';
import { isStoreUnavailableError, storeUnavailable } from '../store/errors';

/**
 * The one mapping from "something went wrong" to what a client sees, for HTTP and WebSocket alike:
 * - AppErrors: their stable code and message (and safe details);
 * - class-validator failures: BAD_USER_INPUT, saying what was expected and what arrived;
 * - GraphQL's own request errors (syntax, schema validation, variable coercion): their code;
 * - a store (MongoDB, Redis) that cannot be reached in time: UNAVAILABLE, retryable, and logged;
 * - anything else: INTERNAL_SERVER_ERROR with a generic message; the details go to the log only.
 */

export const INTERNAL_MESSAGE = 'Internal server error: the details are in the server log.';

/**
 * Codes Apollo gives request errors, mapped onto ours: an operation that does not parse or does not
 * fit the schema is input of the wrong shape, and the message says where.
 */
const REQUEST_ERROR_CODES: Record<string, ErrorCode> = {
  GRAPHQL_PARSE_FAILED: 'BAD_USER_INPUT',
  GRAPHQL_VALIDATION_FAILED: 'BAD_USER_INPUT',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  BAD_REQUEST: 'BAD_USER_INPUT',
  OPERATION_RESOLUTION_FAILURE: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_FOUND: 'BAD_USER_INPUT',
  PERSISTED_QUERY_NOT_SUPPORTED: 'BAD_USER_INPUT',
};

export interface ClassifiedError {
  code: ErrorCode;
  message: string;
  extensions?: Record<string, unknown>;
  /** True when this is a bug or an unexpected failure: log it with its stack. */
  internal: boolean;
}

export function classifyError(error: unknown): ClassifiedError {
  const chain = errorChain(error);
  // What we raised on purpose wins, however deeply GraphQL and Apollo wrapped it.
  for (const e of chain) {
    if (isAppError(e)) return fromAppError(e);
    if (e instanceof ArgumentValidationError) {
      const errors = (e.extensions.validationErrors ?? []) as ValidationError[];
      const path = error instanceof GraphQLError && error.path ? `${error.path.join('.')}: ` : '';
      return { code: 'BAD_USER_INPUT', message: path + describeValidationErrors(errors), internal: false };
    }
  }
  // An outage, not a bug and not the client's fault: retryable. Logged (`internal`) for the operator.
  if (chain.some(isStoreUnavailableError))
    return { ...fromAppError(storeUnavailable(error)), internal: true };
  for (const e of chain) {
    const given = e instanceof GraphQLError ? e.extensions?.code : undefined;
    const mapped = typeof given === 'string' ? REQUEST_ERROR_CODES[given] : undefined;
    if (mapped) return { code: mapped, message: (e as GraphQLError).message, internal: false };
  }
  // graphql-js's own errors carry no code. With no path they concern the request itself (variables
  // that do not coerce); with a path they happened while executing (e.g. a null for a non-null field).
  const last = chain[chain.length - 1];
  if (last instanceof GraphQLError && last.extensions?.code === undefined && !last.path) {
    return { code: 'BAD_USER_INPUT', message: last.message, internal: false };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, internal: true };
}

/** Apollo's `formatError`; also used on the WebSocket path. */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const c = classifyError(error);
  return {
    message: c.message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { ...c.extensions, code: c.code },
  };
}

/**
 * An AppError as a GraphQLError, for places that must throw one (Apollo hooks), with its HTTP status
 * and response headers (e.g. `Retry-After`).
 */
export function toGraphQLError(
  err: AppError,
  httpStatus?: number,
  headers?: Record<string, string>,
): GraphQLError {
  const http = httpStatus
    ? { http: { status: httpStatus, ...(headers ? { headers: new Map(Object.entries(headers)) } : {}) } }
    : {};
  return new GraphQLError(err.message, { originalError: err, extensions: { code: err.code, ...http } });
}

/**
 * What a request whose context could not be built (its API key looked up) answers: an AppError with
 * HTTP 401 as before; a store outage as UNAVAILABLE with HTTP 503 (logged for the operator: no
 * resolver ran, so nothing else would); anything else as is (Apollo answers 500).
 */
export function contextCreationError(err: unknown, logger: Pick<Logger, 'warn'>): unknown {
  if (isAppError(err)) return toGraphQLError(err, 401);
  if (isStoreUnavailableError(err)) {
    logger.warn({ err }, 'a store is unreachable: the request was refused with UNAVAILABLE');
    return toGraphQLError(storeUnavailable(err), 503);
  }
  return err;
}

/** The error and what it wraps, outermost first (Apollo wraps resolver errors, graphql-js locates them). */
function errorChain(error: unknown): unknown[] {
  const chain: unknown[] = [error];
  let current = unwrapResolverError(error);
  if (current !== error) chain.push(current);
  while (current instanceof GraphQLError && current.originalError && !chain.includes(current.originalError)) {
    current = current.originalError;
    chain.push(current);
  }
  return chain;
}

function fromAppError(err: AppError): ClassifiedError {
  const extensions: Record<string, unknown> = { ...(err.details ?? {}) };
  if (err instanceof CrmError) {
    extensions.crm = err.crm;
    if (err.retryAfterMs !== undefined) extensions.retryAfterMs = err.retryAfterMs;
  }
  if (err instanceof RequestRateLimitedError) extensions.retryAfterMs = err.retryAfterMs;
  if (err.retryable) extensions.retryable = true;
  if (!(err.code in ERROR_CODES))
    return { code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, internal: true };
  // The operator's to fix: logged with what to change, while the client sees a generic message.
  return { code: err.code, message: err.message, extensions, internal: err instanceof ServerConfigError };
}

/**
 * "displayName must be shorter than or equal to 120 characters; got a string of 300 characters".
 * Values are described, not echoed, past a short length: input may hold things that should not be
 * repeated into logs.
 */
export function describeValidationErrors(errors: ValidationError[], prefix = ''): string {
  const parts: string[] = [];
  for (const e of errors) {
    const path = prefix + e.property;
    if (e.constraints) {
      const rules = Object.values(e.constraints).join(', ');
      parts.push(`${path}: ${rules}; got ${describeValue(e.value)}`);
    }
    if (e.children?.length) parts.push(describeValidationErrors(e.children, `${path}.`));
  }
  return parts.join('. ') || 'the input is invalid';
}

export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return 'nothing';
  if (typeof value === 'string') {
    return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} items`;
  return 'an object';
}
