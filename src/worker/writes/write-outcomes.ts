import { type WriteResult } from '../../connectors/types';
import { CrmError, CrmNeedsReauthError, CrmRateLimitedError, isAppError } from '../../errors';
import { type WriteOutcome } from '../../store/repositories/write-batches.repo';
import {
  type WriteFailure,
  type WriteFailureCode,
  type WriteFieldError,
  type WriteOperation,
} from '../../writes/write-operation.types';

/**
 * What a flush makes of the vendor's answers (docs/writes.md "Outcomes"). Pure, so every branch is
 * unit-testable without a vendor.
 *
 * Per record: ok → SUCCEEDED; a refusal of the values (VALIDATION, a duplicate CONFLICT) → FAILED
 * VALIDATION with the vendor's field errors, never retried; NOT_FOUND → FAILED NOT_FOUND; a rate
 * refusal → rescheduled; a retryable error → a transient attempt; anything else FAILED VENDOR_ERROR.
 *
 * A whole call that failed: a rate limit or a budget refusal → every operation rescheduled after the
 * error's `retryAfterMs` (no attempt counted: nothing was applied); NEEDS_REAUTH → rescheduled, the
 * connection's status then holds them; `details.outcomeUnknown` → a create without a gateway key
 * FAILED OUTCOME_UNKNOWN (it may have been applied; a resend could duplicate it), the rest transient;
 * any other retryable error → transient; a non-retryable one → per-record as above.
 */

/** Wait before a rescheduled write is claimable again when the error says nothing. */
export const DEFAULT_RESCHEDULE_MS = 1000;
/** Wait of writes whose connection's credentials were refused (the connection's status then holds them). */
export const REAUTH_RESCHEDULE_MS = 30_000;

export function fieldErrorsOf(err: CrmError): WriteFieldError[] {
  const details = err.details ?? {};
  const code = err.vendorCode ?? err.code;
  const fields = Array.isArray(details.fields) ? details.fields.filter((f) => typeof f === 'string') : [];
  const context = details.context as Record<string, unknown> | undefined;
  const named = Array.isArray(context?.propertyName)
    ? context.propertyName.filter((f) => typeof f === 'string')
    : [];
  const all = [...new Set([...(fields as string[]), ...(named as string[])])];
  if (all.length === 0) return [{ field: null, message: err.message, code }];
  return all.map((field) => ({ field, message: err.message, code }));
}

function failed(
  op: WriteOperation,
  code: WriteFailureCode,
  message: string,
  retryable: boolean,
  err?: CrmError,
): WriteOutcome {
  const fail: WriteFailure = {
    code,
    message,
    retryable,
    fieldErrors: code === 'VALIDATION' && err ? fieldErrorsOf(err) : [],
  };
  return { id: op.id, kind: 'failed', failure: fail };
}

/** One record's error inside a call that went through. */
export function outcomeOfRecordError(op: WriteOperation, err: CrmError): WriteOutcome {
  if (err instanceof CrmRateLimitedError) {
    return { id: op.id, kind: 'reschedule', retryAfterMs: err.retryAfterMs ?? DEFAULT_RESCHEDULE_MS };
  }
  if (err.code === 'VALIDATION' || err.code === 'CONFLICT') {
    return failed(op, 'VALIDATION', err.message, false, err);
  }
  if (err.code === 'NOT_FOUND') return failed(op, 'NOT_FOUND', err.message, false);
  if (err.details?.outcomeUnknown === true && isUnkeyedCreate(op)) {
    return failed(op, 'OUTCOME_UNKNOWN', outcomeUnknownMessage(err), false);
  }
  if (err.retryable) return { id: op.id, kind: 'transient', message: err.message };
  return failed(op, 'VENDOR_ERROR', err.message, true);
}

function outcomeUnknownMessage(err: Error): string {
  return `the vendor may have applied this create (${err.message}); it has no gateway key, so it is not resent`;
}

/**
 * Outcomes of a call that answered: `results` hold one entry per operation, in order (the connectors'
 * contract); an entry missing is a transient failure.
 */
export function outcomesOfResults(
  ops: readonly WriteOperation[],
  results: readonly WriteResult[],
): WriteOutcome[] {
  return ops.map((op, i) => {
    const r = results[i];
    if (!r) return { id: op.id, kind: 'transient', message: 'the vendor returned no result for this record' };
    if (r.ok) {
      const { remoteId, created, record } = r;
      return { id: op.id, kind: 'succeeded', remoteId, created, ...(record ? { record } : {}) };
    }
    return outcomeOfRecordError(op, r.error);
  });
}

/** Outcomes of a call that failed as a whole with `err`. */
export function outcomesOfCallError(ops: readonly WriteOperation[], err: unknown): WriteOutcome[] {
  if (err instanceof CrmRateLimitedError) {
    const retryAfterMs = err.retryAfterMs ?? DEFAULT_RESCHEDULE_MS;
    return ops.map((op) => ({ id: op.id, kind: 'reschedule', retryAfterMs }));
  }
  if (err instanceof CrmNeedsReauthError) {
    return ops.map((op) => ({ id: op.id, kind: 'reschedule', retryAfterMs: REAUTH_RESCHEDULE_MS }));
  }
  if (err instanceof CrmError && err.details?.outcomeUnknown === true) {
    return ops.map((op) =>
      isUnkeyedCreate(op)
        ? failed(op, 'OUTCOME_UNKNOWN', outcomeUnknownMessage(err), false)
        : { id: op.id, kind: 'transient', message: err.message },
    );
  }
  if (err instanceof CrmError && !err.retryable) return ops.map((op) => outcomeOfRecordError(op, err));
  // Retryable vendor errors, and anything unexpected (a bug, the network under the connector): an attempt.
  const message = isAppError(err) || err instanceof Error ? err.message : String(err);
  return ops.map((op) => ({ id: op.id, kind: 'transient', message }));
}

/** Whether a whole-call failure was a refusal for rate (metrics). */
export function isRateRefusal(err: unknown): boolean {
  return err instanceof CrmRateLimitedError;
}

/** A create sent as a plain create (no upsert key, no gateway key): resending it could duplicate the record. */
export function isUnkeyedCreate(
  op: Pick<WriteOperation, 'kind' | 'externalId' | 'gatewayKeyField'>,
): boolean {
  return op.kind === 'CREATE' && !op.externalId && !op.gatewayKeyField;
}
