import {
  type NativeField,
  type NativeFieldType,
  type NativeRecord,
  type NativeValue,
  type WriteResult,
} from '../types';
import { recordError } from './errors';
import { type WireDescribeField, type WireRecord, type WireSaveResult, type WireValue } from './wire.types';

/** Pure wire ↔ connector-type conversions: no I/O, no clock. */

/** Drops `attributes` (type and URL of each record, nested ones included); keeps every field as sent. */
function stripAttributes(value: WireValue): NativeValue {
  if (Array.isArray(value)) return value.map(stripAttributes);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, NativeValue> = {};
    // for…in over own keys, not Object.entries: no [key, value] array per field of every record read.
    for (const k in value) {
      if (k !== 'attributes' && Object.prototype.hasOwnProperty.call(value, k))
        setField(out, k, stripAttributes(value[k]!));
    }
    return out;
  }
  return value;
}

/** `target[key] = value` as an own property, `__proto__` too (a field so named must not set the prototype). */
function setField(target: Record<string, NativeValue>, key: string, value: NativeValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export function toNativeRecord(record: WireRecord): NativeRecord {
  const fields: Record<string, NativeValue> = {};
  for (const k in record) {
    if (k === 'attributes' || !Object.prototype.hasOwnProperty.call(record, k)) continue;
    const v = record[k];
    if (v !== undefined) setField(fields, k, stripAttributes(v));
  }
  const id = record.Id;
  if (typeof id !== 'string') throw new Error('Salesforce record without Id: select Id in every query');
  const updatedAt = record.LastModifiedDate ?? record.SystemModstamp;
  return {
    remoteId: id,
    fields,
    updatedAt: typeof updatedAt === 'string' ? updatedAt : null,
    isDeleted: record.IsDeleted === true,
  };
}

const FIELD_TYPES: Readonly<Record<string, NativeFieldType>> = {
  id: 'id',
  string: 'string',
  textarea: 'text',
  email: 'email',
  phone: 'phone',
  url: 'url',
  int: 'integer',
  long: 'integer',
  double: 'decimal',
  currency: 'currency',
  percent: 'percent',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  picklist: 'picklist',
  multipicklist: 'multipicklist',
  reference: 'reference',
  combobox: 'picklist',
};

export function toNativeField(field: WireDescribeField): NativeField {
  const out: NativeField = {
    name: field.name,
    label: field.label,
    type: FIELD_TYPES[field.type] ?? 'unknown',
    custom: field.custom,
    // Required on create: not nillable and not filled in by Salesforce (Id, audit fields, defaults).
    required: !field.nillable && field.createable && field.defaultedOnCreate !== true,
    readOnly: !field.createable && !field.updateable,
    unique: field.unique === true,
    externalId: field.externalId === true,
  };
  if (field.picklistValues && field.picklistValues.length > 0) {
    out.picklistValues = field.picklistValues
      .filter((p) => p.active)
      .map((p) => ({ value: p.value, label: p.label ?? p.value }));
  }
  if (field.referenceTo && field.referenceTo.length > 0) out.referenceTo = [...field.referenceTo];
  if (field.relationshipName) out.relationshipName = field.relationshipName;
  return out;
}

/** One sObject Collections result → one WriteResult for `ref`; `fallbackId` when the result omits it (updates). */
export function toWriteResult(
  ref: string,
  result: WireSaveResult | undefined,
  crm: string,
  options: { fallbackId?: string; created: boolean | 'from_result' },
): WriteResult {
  if (!result) {
    return {
      ref,
      ok: false,
      error: recordError([{ statusCode: 'MISSING_RESULT', message: 'no result for this record' }], crm),
    };
  }
  if (!result.success) return { ref, ok: false, error: recordError(result.errors, crm) };
  const remoteId = result.id ?? options.fallbackId;
  if (!remoteId) {
    return {
      ref,
      ok: false,
      error: recordError([{ statusCode: 'MISSING_ID', message: 'success without a record id' }], crm),
    };
  }
  const created = options.created === 'from_result' ? result.created === true : options.created;
  return { ref, ok: true, remoteId, created };
}
