import { type LinkPair, type NativeValue, type RecordWrite } from '../../connectors/types';
import { type WriteOperation } from '../../writes/write-operation.types';

/**
 * Stored operations → the connector's write inputs. Pure.
 *
 * `nativeFields` are stored as `[{field, value}]` pairs (FerretDB refuses `.` in keys; see the
 * operation model); a plain map is read too.
 */
export function nativeFieldsOf(op: Pick<WriteOperation, 'nativeFields'>): Record<string, NativeValue> {
  const raw: unknown = op.nativeFields;
  const out: Record<string, NativeValue> = {};
  if (Array.isArray(raw)) {
    for (const pair of raw as unknown[]) {
      if (pair && typeof pair === 'object' && typeof (pair as { field?: unknown }).field === 'string') {
        const { field, value } = pair as { field: string; value?: unknown };
        out[field] = (value ?? null) as NativeValue;
      }
    }
    return out;
  }
  if (raw && typeof raw === 'object') return { ...(raw as Record<string, NativeValue>) };
  return out;
}

/** The record's vendor id: known on the operation, or in its record key (`rid:<remoteId>`). */
export function remoteIdOf(op: Pick<WriteOperation, 'remoteId' | 'recordKey'>): string | null {
  if (op.remoteId) return op.remoteId;
  return op.recordKey.startsWith('rid:') ? op.recordKey.slice(4) : null;
}

/**
 * The connector input of an upsert-batch operation (CREATE, UPDATE, UPSERT): `ref` is the operation id.
 * A CREATE claimed with a gateway key goes out as an upsert on it, valued with the operation id.
 * Null when the operation names no record to act on (an UPDATE without a remote id).
 */
export function toRecordWrite(op: WriteOperation): RecordWrite | null {
  const fields = nativeFieldsOf(op);
  if (op.kind === 'UPDATE') {
    const remoteId = remoteIdOf(op);
    return remoteId ? { ref: op.id, remoteId, fields } : null;
  }
  if (op.externalId) return { ref: op.id, externalId: op.externalId, fields };
  if (op.kind === 'CREATE' && op.gatewayKeyField) {
    const externalId = { field: op.gatewayKeyField, value: op.id };
    return op.firstKeyedSend
      ? { ref: op.id, externalId, firstAttempt: true, fields }
      : { ref: op.id, externalId, fields };
  }
  return { ref: op.id, fields };
}

/**
 * The connector input of a LINK/UNLINK: the operation's record (`fromId`) and its target (`toId`),
 * `ref` the operation id. Null while either side has no remote id (its create never gave one).
 */
export function toLinkPair(
  op: Pick<WriteOperation, 'id' | 'remoteId' | 'recordKey' | 'target'>,
): LinkPair | null {
  const fromId = remoteIdOf(op);
  const target = op.target;
  const toId = target ? remoteIdOf(target) : null;
  return fromId && toId ? { ref: op.id, fromId, toId } : null;
}
