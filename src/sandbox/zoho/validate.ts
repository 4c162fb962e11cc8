// Checking one record's input against the module's fields (docs/vendors/zoho.md "Writing records"):
// types and lengths, picklist values, lookups that must point at a live record, users, mandatory fields
// on create, and unique values. A failure is the record's own `data[]` item, never a thrown error.
import { type ModuleName } from './constants';
import { recordError, type RecordOutcome } from './errors';
import { MODULE_FIELDS, type FieldDef } from './fields';
import { type OrgStore, type ZohoRecord } from './store';

export interface CleanInput {
  values: Record<string, unknown>;
  ownerId?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function bad(
  field: string,
  index: number,
  expected: string,
  extra: Record<string, unknown> = {},
): RecordOutcome {
  return recordError('INVALID_DATA', 'invalid data', {
    expected_data_type: expected,
    api_name: field,
    json_path: `$.data[${index}].${field}`,
    ...extra,
  });
}

function lookupId(value: unknown): string | undefined {
  if (value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'string')
    return (value as { id: string }).id;
  return undefined;
}

/** One value's check; returns the value to store or an outcome. */
function checkValue(
  store: OrgStore,
  def: FieldDef,
  value: unknown,
  index: number,
): { ok: unknown } | RecordOutcome {
  if (value === null) return { ok: null };
  const name = def.api_name;
  switch (def.data_type) {
    case 'text':
    case 'textarea':
    case 'phone':
      if (typeof value !== 'string') return bad(name, index, 'text');
      if (def.length !== undefined && value.length > def.length)
        return bad(name, index, 'text', { maximum_length: def.length });
      return { ok: value };
    case 'email':
      if (typeof value !== 'string' || (value !== '' && !EMAIL.test(value))) return bad(name, index, 'email');
      return { ok: value };
    case 'picklist':
      if (typeof value !== 'string') return bad(name, index, 'picklist');
      if (def.picklist && !def.picklist.some((p) => p.actual_value === value))
        return bad(name, index, 'picklist', { supported_values: def.picklist.map((p) => p.actual_value) });
      return { ok: value };
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value)))
        return bad(name, index, 'date');
      return { ok: value };
    case 'currency':
      if (typeof value !== 'number' || !Number.isFinite(value)) return bad(name, index, 'double');
      return { ok: value };
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) return bad(name, index, 'integer');
      return { ok: value };
    case 'boolean':
      if (typeof value !== 'boolean') return bad(name, index, 'boolean');
      return { ok: value };
    case 'lookup': {
      const id = lookupId(value);
      if (def.lookup === 'Accounts') {
        if (!id && typeof (value as { name?: unknown }).name !== 'string')
          return bad(name, index, 'jsonobject');
        return { ok: value };
      }
      if (!id || !store.get(def.lookup as ModuleName, id))
        return recordError('INVALID_DATA', 'the id given seems to be invalid', {
          api_name: name,
          json_path: `$.data[${index}].${name}`,
        });
      return { ok: { id } };
    }
    default:
      return bad(name, index, def.data_type);
  }
}

/**
 * The record's input cleaned for the store, or its failure. `existing` is the record an update or an
 * upsert match writes to (mandatory fields are then only checked when sent).
 */
export function validateInput(
  store: OrgStore,
  module: ModuleName,
  input: unknown,
  index: number,
  existing?: ZohoRecord,
): CleanInput | RecordOutcome {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return recordError('INVALID_DATA', 'invalid data', { json_path: `$.data[${index}]` });
  const values: Record<string, unknown> = {};
  let ownerId: string | undefined;
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (key === 'id' || key.startsWith('$')) continue;
    const def = MODULE_FIELDS[module].find((f) => f.api_name === key);
    if (!def)
      return recordError('INVALID_DATA', 'the field api name given seems to be invalid', {
        api_name: key,
        json_path: `$.data[${index}].${key}`,
      });
    if (key === 'Owner') {
      const id = lookupId(value);
      if (!id || !store.user(id)) return bad(key, index, 'jsonobject');
      ownerId = id;
      continue;
    }
    // Read-only fields in input are ignored, as Zoho does.
    if (def.readOnly) continue;
    const checked = checkValue(store, def, value, index);
    if (!('ok' in checked)) return checked;
    values[key] = checked.ok;
  }
  for (const def of MODULE_FIELDS[module]) {
    if (!def.mandatory) continue;
    const sent = values[def.api_name];
    const missing = existing
      ? def.api_name in values && (sent === null || sent === '')
      : sent === undefined || sent === null || sent === '';
    if (missing)
      return recordError('MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: def.api_name,
        json_path: `$.data[${index}].${def.api_name}`,
      });
  }
  for (const def of MODULE_FIELDS[module]) {
    const value = values[def.api_name];
    if (!def.unique || value === undefined || value === null || value === '') continue;
    const clash = store.all(module).find((r) => r.id !== existing?.id && r.values[def.api_name] === value);
    if (clash)
      return recordError('DUPLICATE_DATA', 'duplicate data', {
        api_name: def.api_name,
        json_path: `$.data[${index}].${def.api_name}`,
        duplicate_record: {
          id: clash.id,
          Owner: { id: clash.ownerId, name: store.user(clash.ownerId)?.full_name },
        },
        id: clash.id,
        more_records: false,
      });
  }
  return { values, ownerId };
}

export function isOutcome(x: CleanInput | RecordOutcome): x is RecordOutcome {
  return 'status' in x;
}
