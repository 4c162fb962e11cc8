import { type CrmObject } from '../connectors/types';
import { AppError } from '../errors';
import { decodeRecordId } from '../reads/ids';
import { type WriteOperation } from './write-operation.types';

/**
 * An item's `id` / `targetId` → the record an operation acts on (docs/writes.md "Accepting a write").
 *
 * - A read-API id (src/reads/ids.ts) names a known record: record key `rid:<remoteId>`.
 * - A `wop_…` id names the record a CREATE makes: it must be this tenant's, a CREATE of the same object
 *   (and, where the item names one, the same connection). While that create is pending (QUEUED or
 *   RUNNING) the write keys on `op:<createId>` and lists it in `dependsOn`, so the engine runs it after
 *   the create and with its remote id; once it SUCCEEDED, `rid:<its remoteId>`; a create that ended
 *   FAILED, DEAD or CANCELLED made no record, and the item is refused.
 *
 * Batch-local references are not possible: an item cannot name another item of the same request,
 * because operation ids exist only once the request is stored. Send the create first and use the id
 * it returned (the write waits for it), or upsert by external id.
 */

export const OPERATION_ID_PREFIX = 'wop_';
const OPERATION_ID = /^wop_[0-9a-f]{16,64}$/;

export interface ResolvedRef {
  connectionId: string;
  recordKey: string;
  remoteId: string | null;
  dependsOn: string[];
}

/** A resolution or why not (a problem message without its `items[i].<field>:` prefix). */
export type RefResult = { ok: true; ref: ResolvedRef } | { ok: false; problem: string };

export function isOperationId(id: string): boolean {
  return id.startsWith(OPERATION_ID_PREFIX);
}

/** The `wop_…` ids among `ids` that are well formed (what to look up in one read). */
export function operationIdsOf(ids: readonly (string | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => !!id && OPERATION_ID.test(id)))];
}

/**
 * Resolves `id` as a record of `object`. `operations` holds this tenant's operations by id, read for
 * the request beforehand ({@link operationIdsOf}); an id missing from it is unknown.
 */
export function resolveRecordRef(
  id: string,
  object: CrmObject,
  operations: ReadonlyMap<string, WriteOperation>,
): RefResult {
  if (isOperationId(id)) {
    const op = OPERATION_ID.test(id) ? operations.get(id) : undefined;
    if (!op) return fail(`no write operation ${quote(id)}`);
    if (op.kind !== 'CREATE') return fail(`${quote(id)} is a ${op.kind}, not a CREATE: it makes no record`);
    if (op.object !== object) return fail(`${quote(id)} creates a ${op.object}, not a ${object}`);
    if (op.status === 'SUCCEEDED') {
      if (!op.remoteId) return fail(`${quote(id)} succeeded without a record id`);
      return ok({ connectionId: op.connectionId, recordKey: `rid:${op.remoteId}`, remoteId: op.remoteId });
    }
    if (op.status === 'QUEUED' || op.status === 'RUNNING') {
      return ok({ connectionId: op.connectionId, recordKey: `op:${op.id}`, remoteId: null }, [op.id]);
    }
    return fail(`${quote(id)} ended ${op.status} and made no record`);
  }
  try {
    const ref = decodeRecordId(id, object);
    return ok({ connectionId: ref.connectionId, recordKey: `rid:${ref.remoteId}`, remoteId: ref.remoteId });
  } catch (err) {
    if (err instanceof AppError) return fail(err.message);
    throw err;
  }
}

function ok(ref: Omit<ResolvedRef, 'dependsOn'>, dependsOn: string[] = []): RefResult {
  return { ok: true, ref: { ...ref, dependsOn } };
}

function fail(problem: string): RefResult {
  return { ok: false, problem };
}

function quote(id: string): string {
  return JSON.stringify(id.slice(0, 80));
}
