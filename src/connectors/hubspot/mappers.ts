import {
  type CrmError,
  CrmConflictError,
  CrmNotFoundError,
  CrmRateLimitedError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../errors';
import {
  type CrmObject,
  type NativeField,
  type NativeFieldType,
  type NativeRecord,
  type NativeValue,
} from '../types';
import { CRM, MODIFIED_PROPERTY } from './hubspot.constants';
import { type HsObject, type HsPipeline, type HsProperty, type HsStandardError } from './wire.types';

/** Pure HubSpot wire ↔ connector shapes. No I/O: every input was fetched before. */

export function toNativeRecord(obj: CrmObject, o: HsObject): NativeRecord {
  const fields: NativeRecord['fields'] = {};
  for (const [k, v] of Object.entries(o.properties ?? {})) fields[k] = v ?? null;
  return {
    remoteId: String(o.id),
    fields,
    updatedAt: o.updatedAt ?? o.properties?.[MODIFIED_PROPERTY[obj]] ?? null,
    isDeleted: o.archived === true,
  };
}

/** HubSpot property type/fieldType/display hints → the connector field type. */
export function nativeFieldType(p: HsProperty): NativeFieldType {
  if (p.name === 'hs_object_id') return 'id';
  if (p.referencedObjectType || p.name === 'hubspot_owner_id') return 'reference';
  switch (p.type) {
    case 'bool':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'phone_number':
      return 'phone';
    case 'number': {
      const hint = p.numberDisplayHint;
      if (hint === 'currency' || p.showCurrencySymbol === true) return 'currency';
      if (hint === 'percentage' || hint === 'probability') return 'percent';
      return 'decimal';
    }
    case 'enumeration':
      if (p.fieldType === 'booleancheckbox') return 'boolean';
      return p.fieldType === 'checkbox' ? 'multipicklist' : 'picklist';
    case 'string':
      if (p.fieldType === 'phonenumber') return 'phone';
      if (p.name === 'email' || p.name === 'hs_additional_emails') return 'email';
      if (p.name === 'website') return 'url';
      return p.fieldType === 'textarea' || p.fieldType === 'html' ? 'text' : 'string';
    default:
      return 'unknown';
  }
}

export function toNativeField(p: HsProperty): NativeField {
  const type = nativeFieldType(p);
  const field: NativeField = {
    name: p.name,
    label: p.label,
    type,
    // HubSpot marks its own properties; everything else a customer (or an integrator) created.
    custom: p.hubspotDefined !== true,
    // HubSpot enforces no required property at the API level (contacts need one of email/first/last name).
    required: false,
    readOnly: p.modificationMetadata?.readOnlyValue === true || p.calculated === true,
    unique: p.hasUniqueValue === true,
    // HubSpot upserts by any unique property (`idProperty`): no separate external-id flag.
    externalId: p.hasUniqueValue === true,
  };
  if ((type === 'picklist' || type === 'multipicklist') && p.options) {
    field.picklistValues = p.options
      .filter((o) => !o.hidden)
      .map((o) => ({ value: o.value, label: o.label }));
  }
  if (type === 'reference') field.referenceTo = [p.referencedObjectType ?? 'owner'];
  return field;
}

export type DealStatus = 'OPEN' | 'WON' | 'LOST';

/**
 * Deal stage id → OPEN/WON/LOST from the pipelines' stage metadata. HubSpot has no won/lost flag: a
 * closed stage (`isClosed`) with probability 1 is won, any other closed stage lost. Values arrive as
 * strings ("true", "1.0") in real responses and as booleans/numbers in some clients: both are read.
 */
export function stageStatusTable(pipelines: readonly HsPipeline[]): Map<string, DealStatus> {
  const table = new Map<string, DealStatus>();
  for (const pipeline of pipelines) {
    for (const stage of pipeline.stages ?? []) {
      const closed = String(stage.metadata?.isClosed ?? 'false').toLowerCase() === 'true';
      const probability = Number(stage.metadata?.probability ?? NaN);
      table.set(stage.id, !closed ? 'OPEN' : probability >= 1 ? 'WON' : 'LOST');
    }
  }
  return table;
}

/** A per-record batch error (StandardError) → the typed error of that record. */
export function batchItemError(e: HsStandardError): CrmError {
  const category = e.category ?? 'UNKNOWN';
  const message = `${CRM} rejected the record: ${category}: ${e.message ?? '(no message)'}`;
  const options = { crm: CRM, vendorCode: category, details: e.context ? { context: e.context } : undefined };
  switch (category) {
    case 'VALIDATION_ERROR':
    case 'INVALID_EMAIL':
    case 'PROPERTY_DOESNT_EXIST':
      return new CrmValidationError(message, options);
    case 'OBJECT_NOT_FOUND':
      return new CrmNotFoundError(message, options);
    case 'CONFLICT':
    case 'OBJECT_ALREADY_EXISTS':
      return new CrmConflictError(message, options);
    case 'RATE_LIMITS':
      return new CrmRateLimitedError(message, options);
    default:
      return new CrmUpstreamError(message, options);
  }
}

/**
 * A native value → HubSpot's string property value: numbers and booleans as text, multi-values joined
 * with ";", null as "" (HubSpot clears a property given an empty string).
 */
export function toHsValue(name: string, v: NativeValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v))
      throw new CrmValidationError(`${CRM} property ${name}: ${v} is not a number HubSpot accepts`, {
        crm: CRM,
      });
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(';');
  throw new CrmValidationError(
    `${CRM} property ${name}: expected a string, number, boolean, null or list of strings, got ${JSON.stringify(v).slice(0, 80)}`,
    { crm: CRM },
  );
}

export function toHsProperties(fields: Readonly<Record<string, NativeValue>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = toHsValue(k, v);
  return out;
}
