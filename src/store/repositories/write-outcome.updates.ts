import {
  type BatchKind,
  type WriteFailure,
  type WriteGroup,
  type WriteOperation,
} from '../../writes/write-operation.types';
import { writeBackoffMs } from '../../writes/write-backoff';
import { type CrmObject, type NativeRecord } from '../../connectors/types';
import { type AnyBulkWriteOperation } from 'mongoose';
import { type WriteOperationDoc } from '../models/write-operation.model';

/**
 * What each flush outcome sets on a stored operation (pure; used by
 * `write-batches.repo.ts`): the status transitions of docs/writes.md "Outcomes".
 */

/** An operation whose status a call changed, as it is now. */
export type Transition = WriteOperation;

/** A flush's verdict on one claimed operation. */
export type WriteOutcome =
  | {
      id: string;
      kind: 'succeeded';
      remoteId: string;
      created: boolean;
      /** The record as the write's answer carried it (`WriteResult.record`): read back without a call. */
      record?: NativeRecord;
    }
  /** Final: FAILED with `failure` (never resent by the engine). */
  | { id: string; kind: 'failed'; failure: WriteFailure }
  /** Back to QUEUED after `retryAfterMs` without counting an attempt (a 429, a budget refusal). */
  | { id: string; kind: 'reschedule'; retryAfterMs: number }
  /** A real attempt failed transiently: backoff, or DEAD once the attempts are spent. */
  | { id: string; kind: 'transient'; message: string };

export interface OutcomePolicy {
  /** WRITE_MAX_ATTEMPTS: the attempt that reaches it ends the operation DEAD. */
  maxAttempts: number;
  random?: () => number;
}

export function failure(code: WriteFailure['code'], message: string, retryable: boolean): WriteFailure {
  return { code, message, retryable, fieldErrors: [] };
}

export function outcomeSet(
  op: WriteOperation,
  outcome: WriteOutcome,
  now: Date,
  maxAttempts: number,
  random: () => number,
  record: Record<string, unknown> | null,
): Record<string, unknown> {
  const requeue = { status: 'QUEUED', claimToken: null, runningSince: null, bulkJob: null };
  switch (outcome.kind) {
    case 'succeeded':
      return {
        status: 'SUCCEEDED',
        remoteId: outcome.remoteId,
        result: { created: outcome.created, record },
        failure: null,
        finishedAt: now,
      };
    case 'failed':
      return { status: 'FAILED', failure: outcome.failure, finishedAt: now };
    case 'reschedule':
      return { ...requeue, notBefore: new Date(now.getTime() + Math.max(0, outcome.retryAfterMs)) };
    case 'transient': {
      const attempts = op.attempts + 1;
      if (attempts >= maxAttempts) {
        return {
          status: 'DEAD',
          attempts,
          failure: failure(
            'RETRIES_EXHAUSTED',
            `gave up after ${attempts} attempts; the last: ${outcome.message}`,
            true,
          ),
          finishedAt: now,
        };
      }
      return {
        ...requeue,
        attempts,
        notBefore: new Date(now.getTime() + writeBackoffMs(attempts, random)),
      };
    }
  }
}

export function uniqueGroups(
  docs: readonly { connectionId: string; object: string; batchKind: string }[],
): WriteGroup[] {
  const seen = new Map<string, WriteGroup>();
  for (const d of docs) {
    const key = `${d.connectionId}:${d.object}:${d.batchKind}`;
    if (!seen.has(key)) {
      seen.set(key, {
        connectionId: d.connectionId,
        object: d.object as CrmObject,
        batchKind: d.batchKind as BatchKind,
      });
    }
  }
  return [...seen.values()];
}

/** The most ids one `{_id: {$in}}` carries: the embedded FerretDB searches its `_id` index up to 1,000. */
export const ID_IN_MAX = 1000;

/**
 * `$set`s by operation id as the fewest bulkWrite statements: the ids sharing one `$set` (a claim's
 * RUNNING, a batch rescheduled as a whole) in one updateMany filtered by `_id` alone, up to
 * {@link ID_IN_MAX} ids each. Use it where nothing else writes these operations meanwhile (the caller
 * holds their group's lock). On the embedded FerretDB such a statement is one `_id` index search and
 * one transaction (tools/ferretdb/patches.js), where one statement per operation is one transaction each.
 */
export function updatesById(
  sets: ReadonlyMap<string, Record<string, unknown>>,
): AnyBulkWriteOperation<WriteOperationDoc>[] {
  const shared = new Map<string, { set: Record<string, unknown>; ids: string[] }>();
  for (const [id, set] of sets) {
    const key = JSON.stringify(set);
    const entry = shared.get(key) ?? { set, ids: [] };
    entry.ids.push(id);
    shared.set(key, entry);
  }
  const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = [];
  for (const { set, ids } of shared.values()) {
    for (let i = 0; i < ids.length; i += ID_IN_MAX) {
      writes.push({
        updateMany: { filter: { _id: { $in: ids.slice(i, i + ID_IN_MAX) } }, update: { $set: set } },
      });
    }
  }
  return writes;
}
