import { type CrmObject, type NativeValue } from '../connectors/types';
import { BadUserInputError, NotFoundError } from '../errors';
import { toNative } from '../mapping/mapper';
import { writeValue } from '../mapping/transforms';
import { type ObjectMapping } from '../mapping/types';
import { MappingValueError } from '../mapping/values';
import { effectiveMapping, type StoredMappings } from '../reads/mappings';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type WriteOperationsRepository } from '../store/repositories/write-operations.repo';
import { operationIdsOf, resolveRecordRef, type ResolvedRef } from './record-refs';
import { canonicalJson, checkItemShape, checkItemsList, patchOf, sha256Hex } from './write-input';
import { batchKindOf, type CanonicalPatch, type WriteOperation } from './write-operation.types';
import { type WriteItem } from './write-service.types';

/**
 * Write items → what to store (docs/writes.md "Accepting a write"). No vendor call: canonical input
 * becomes native fields through the connection's effective mapping (its CRM's defaults with its stored
 * overrides; src/reads/mappings.ts) with `toNative`, which refuses unknown, read-only and CRM-owned
 * fields by name. A custom field is writable only once an override maps it (`updateFieldMapping`):
 * custom fields the read path finds through the CRM's describe are not known here.
 *
 * Every problem of every item is collected into one BAD_USER_INPUT, `details.problems` entries
 * prefixed `items[i].`; an explicit `connectionId` this tenant does not have is NOT_FOUND.
 */

export interface ValidationDeps {
  connections: { findManyForTenant(tenantId: string, ids: readonly string[]): Promise<ConnectionView[]> };
  mappings: StoredMappings;
  operations: Pick<WriteOperationsRepository, 'findByIds'>;
}

/** One item ready to store (ids, sequence and timestamps are the service's). */
export interface ValidatedWrite {
  connectionId: string;
  crm: string;
  object: CrmObject;
  kind: WriteItem['kind'];
  batchKind: WriteOperation['batchKind'];
  /** Null for a CREATE: its record key is `op:<its own id>`. */
  recordKey: string | null;
  remoteId: string | null;
  target: WriteOperation['target'];
  dependsOn: string[];
  externalId: { field: string; value: string } | null;
  input: CanonicalPatch | null;
  nativeFields: Record<string, NativeValue> | null;
  inputHash: string;
}

/** Problems of the items' shapes alone (no store read): what a replay checks before its hash. */
export function shapeProblems(items: readonly unknown[]): string[] {
  const listProblems = checkItemsList(items);
  if (listProblems.length > 0) return listProblems;
  return items.flatMap((item, i) => checkItemShape(item, i));
}

export async function validateWrites(
  deps: ValidationDeps,
  tenantId: string,
  items: readonly WriteItem[],
): Promise<ValidatedWrite[]> {
  const problems = shapeProblems(items);
  if (checkItemsList(items).length > 0) throw badInput(problems);
  const shaped = items.map((item, i) => checkItemShape(item, i).length === 0);

  // One read for every `wop_…` id the items name.
  const opIds = operationIdsOf(items.flatMap((it, i) => (shaped[i] ? [it.id, it.targetId] : [])));
  const ops = new Map<string, WriteOperation>();
  for (const op of await deps.operations.findByIds(tenantId, opIds)) if (op) ops.set(op.id, op);

  // Records and connections.
  const refs: ({ record: ResolvedRef | null; target: ResolvedRef | null; connectionId: string } | null)[] =
    items.map((item, i) => {
      if (!shaped[i]) return null;
      const at = `items[${i}]`;
      const resolve = (field: 'id' | 'targetId', object: CrmObject): ResolvedRef | null => {
        const r = resolveRecordRef(item[field]!, object, ops);
        if (r.ok) return r.ref;
        problems.push(`${at}.${field}: ${r.problem}`);
        return null;
      };
      const record = item.id !== undefined && item.id !== null ? resolve('id', item.object) : null;
      const target = item.targetId ? resolve('targetId', 'deal') : null;
      const connectionId = item.connectionId ?? record?.connectionId;
      // A record that did not resolve has its problem already; nothing more to check on this item.
      if (!connectionId || (item.id != null && !record) || (item.targetId != null && !target)) return null;
      for (const [field, ref] of [
        ['id', record],
        ['targetId', target],
      ] as const) {
        if (ref && ref.connectionId !== connectionId)
          problems.push(
            `${at}.${field}: names a record of another connection than ${JSON.stringify(connectionId)}`,
          );
      }
      return { record, target, connectionId };
    });
  const wanted = [...new Set(refs.flatMap((r) => (r ? [r.connectionId] : [])))];
  const connections = new Map(
    (await deps.connections.findManyForTenant(tenantId, wanted)).map((c) => [c.id, c]),
  );
  const unknownConnections = new Set<string>();
  const mappings = new Map<string, Promise<ObjectMapping>>();
  const mappingOf = (c: ConnectionView, object: CrmObject): Promise<ObjectMapping> => {
    const key = `${c.id}:${object}`;
    if (!mappings.has(key))
      mappings.set(
        key,
        effectiveMapping(deps.mappings, c.crm, c.id, object).then((m) => m.mapping),
      );
    return mappings.get(key)!;
  };

  const out: (ValidatedWrite | null)[] = await Promise.all(
    items.map(async (item, i) => {
      const ref = refs[i];
      if (!ref) return null;
      const at = `items[${i}]`;
      const connection = connections.get(ref.connectionId);
      if (!connection) {
        // An explicit connection id is NOT_FOUND; one taken from a record id means the id is not ours.
        if (item.connectionId != null) unknownConnections.add(ref.connectionId);
        else problems.push(`${at}.id: no ${item.object} with this id`);
        return null;
      }
      const mapping = await mappingOf(connection, item.object);
      const input = item.input != null ? patchOf(item.input) : null;
      let nativeFields: Record<string, NativeValue> | null = null;
      if (input) {
        try {
          nativeFields = toNative(mapping, input);
        } catch (err) {
          if (!(err instanceof BadUserInputError)) throw err;
          const details = (err.details?.problems as string[] | undefined) ?? [err.message];
          problems.push(...details.map((p) => `${at}.input.${p}`));
        }
      }
      let externalId: ValidatedWrite['externalId'] = null;
      if (item.kind === 'UPSERT') {
        externalId = upsertKey(mapping, item.externalId!, input, at, problems);
        if (!externalId) return null;
        if (nativeFields) delete nativeFields[externalId.field];
      }
      const record = ref.record;
      const target = ref.target;
      return {
        connectionId: connection.id,
        crm: connection.crm,
        object: item.object,
        kind: item.kind,
        batchKind: batchKindOf(item.kind),
        recordKey: externalId
          ? `ext:${externalId.field}:${externalId.value}`
          : item.kind === 'CREATE'
            ? null
            : record!.recordKey,
        remoteId: record?.remoteId ?? null,
        target: target ? { object: 'deal', remoteId: target.remoteId, recordKey: target.recordKey } : null,
        dependsOn: [...new Set([...(record?.dependsOn ?? []), ...(target?.dependsOn ?? [])])],
        externalId,
        input,
        nativeFields,
        inputHash: sha256Hex(canonicalJson(item)),
      };
    }),
  );
  if (problems.length > 0) throw badInput(problems);
  if (unknownConnections.size > 0) {
    const names = [...unknownConnections].map((c) => JSON.stringify(c)).join(', ');
    throw new NotFoundError(`no connection with id ${names}`);
  }
  return out as ValidatedWrite[];
}

/**
 * The upsert key: the canonical external-id field must map to a writable, app-owned native field; the
 * stored key is `{field: <native field>, value: <native value>}` (the engine sends it as the vendor's
 * upsert key). A value for the same field in `input` must agree with it (the key writes it).
 */
function upsertKey(
  mapping: ObjectMapping,
  key: { field: string; value: string },
  input: CanonicalPatch | null,
  at: string,
  problems: string[],
): { field: string; value: string } | null {
  const entry = mapping.fields.find((e) => e.canonical === key.field);
  const name = JSON.stringify(key.field);
  if (!entry) {
    problems.push(`${at}.externalId.field: ${name} is not a mapped field of ${mapping.object}`);
    return null;
  }
  if (!entry.writable || entry.native.includes('.')) {
    problems.push(
      `${at}.externalId.field: ${name} is read-only (from ${mapping.nativeObject}.${entry.native})`,
    );
    return null;
  }
  if (entry.source === 'CRM') {
    problems.push(`${at}.externalId.field: ${name} is owned by the CRM (source of truth CRM)`);
    return null;
  }
  let native: NativeValue;
  try {
    native = writeValue(entry.transform, key.value, {});
  } catch (err) {
    if (!(err instanceof MappingValueError)) throw err;
    problems.push(`${at}.externalId.value: ${err.message}`);
    return null;
  }
  if (typeof native !== 'string' && typeof native !== 'number') {
    problems.push(`${at}.externalId.field: ${name} cannot be an external id (not a text or number field)`);
    return null;
  }
  const custom = key.field.startsWith('customFields.');
  const given = custom
    ? input && Object.hasOwn(input.customFields, key.field.slice('customFields.'.length))
      ? input.customFields[key.field.slice('customFields.'.length)]
      : undefined
    : input && Object.hasOwn(input.fields, key.field)
      ? input.fields[key.field]
      : undefined;
  if (given !== undefined && given !== key.value) {
    problems.push(`${at}.input: ${name} differs from externalId.value (the upsert key writes it)`);
    return null;
  }
  return { field: entry.native, value: String(native) };
}

function badInput(unsorted: string[]): BadUserInputError {
  // In item order (items are checked in stages, each appending its own).
  const indexOf = (p: string) => Number(/^items\[(\d+)\]/.exec(p)?.[1] ?? -1);
  const problems = unsorted
    .map((p, i) => ({ p, i, at: indexOf(p) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.p);
  const shown = problems.slice(0, 5).join('; ');
  const more = problems.length > 5 ? ` (and ${problems.length - 5} more in details.problems)` : '';
  return new BadUserInputError(`cannot accept these writes: ${shown}${more}`, { details: { problems } });
}
