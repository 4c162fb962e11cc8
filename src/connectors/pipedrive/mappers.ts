import { CrmValidationError } from '../../errors';
import { type CrmObject, type NativeRecord, type NativeValue } from '../types';
import { type CustomField, type FieldDirectory } from './fields';
import { CRM, DEAL_STATUSES, STANDARD, STANDARD_FIELDS } from './pipedrive.constants';
import { type PdContactEntry, type PdRecord } from './wire.types';

/**
 * Pure conversions between Pipedrive's v2 records and the connector's native records
 * (docs/vendors/pipedrive.md "Connector: writes and the gateway key"): no I/O, the field directory is resolved before.
 */

/** A person reference as v2 sends it (a number), or as v1 and webhooks v1 do (an object with `value`). */
export function personIdOf(value: unknown): string | null {
  const raw = value && typeof value === 'object' ? (value as { value?: unknown }).value : value;
  return typeof raw === 'number' && raw > 0 ? String(raw) : null;
}

/** The value of the primary entry of `emails`/`phones` (the first entry when none is marked). */
export function primaryValue(entries: unknown): string | null {
  if (!Array.isArray(entries)) return null;
  const list = entries as PdContactEntry[];
  const chosen = list.find((e) => e?.primary === true) ?? list[0];
  return typeof chosen?.value === 'string' && chosen.value !== '' ? chosen.value : null;
}

function asNative(value: unknown): NativeValue {
  if (value === undefined) return null;
  return value as NativeValue;
}

/** A custom field's value as the gateway reads it: option ids as labels, a monetary value as its amount. */
function readCustom(field: CustomField, value: unknown): NativeValue {
  if (value === null || value === undefined) return null;
  if (field.fieldType === 'enum') return field.options.get(String(value)) ?? String(value);
  if (field.fieldType === 'set' && Array.isArray(value)) {
    return value.map((id) => field.options.get(String(id)) ?? String(id));
  }
  if (field.fieldType === 'monetary' && typeof value === 'object' && !Array.isArray(value)) {
    return asNative((value as { value?: unknown }).value);
  }
  return asNative(value);
}

/** The native name of a monetary custom field's currency: `<name>_currency`. */
export function currencyOf(name: string): string {
  return `${name}_currency`;
}

function monetaryCurrency(value: unknown): NativeValue {
  const currency = value && typeof value === 'object' ? (value as { currency?: unknown }).currency : null;
  return typeof currency === 'string' ? currency : null;
}

/** The ISO time of a v2 stamp (RFC 3339), or null. */
export function isoTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/**
 * A v2 person or deal as a native record: its standard keys, `email`/`phone` from the primary entries
 * (the arrays kept alongside), and custom fields by their directory names. Keys the directory does not
 * know are left out and reported through `unknownKeys` (a field added since the metadata was read).
 */
export function toNativeRecord(
  obj: CrmObject,
  raw: PdRecord,
  directory: FieldDirectory,
): { record: NativeRecord; unknownKeys: boolean } {
  const fields: Record<string, NativeValue> = {};
  for (const name of STANDARD_FIELDS[obj]) {
    if (name === 'email') fields.email = primaryValue(raw.emails);
    else if (name === 'phone') fields.phone = primaryValue(raw.phones);
    else if (name in raw) fields[name] = asNative(raw[name]);
  }
  if (typeof raw.id === 'number') fields.id = raw.id;
  let unknownKeys = false;
  for (const [key, value] of Object.entries(raw.custom_fields ?? {})) {
    const field = directory.byKey.get(key);
    if (!field) {
      unknownKeys = true;
      continue;
    }
    fields[field.name] = readCustom(field, value);
    if (field.fieldType === 'monetary') fields[currencyOf(field.name)] = monetaryCurrency(value);
  }
  const isDeleted = raw.is_deleted === true || raw.status === 'deleted';
  return {
    record: { remoteId: String(raw.id), fields, updatedAt: isoTime(raw.update_time), isDeleted },
    unknownKeys,
  };
}

function invalid(message: string): CrmValidationError {
  return new CrmValidationError(message, { crm: CRM });
}

/**
 * A custom field's value as Pipedrive takes it: labels back to option ids; a monetary amount with its
 * currency (`currency`: the write's `<name>_currency`, else the deal's `currency`).
 */
function writeCustom(field: CustomField, value: NativeValue, currency: NativeValue | undefined): unknown {
  if (value === null) return null;
  const idOf = (label: unknown): number | string => {
    for (const [id, l] of field.options) if (l === label || id === String(label)) return Number(id);
    throw invalid(
      `Pipedrive field ${field.name} has no option ${JSON.stringify(label)}: expected one of ${[...field.options.values()].map((l) => JSON.stringify(l)).join(', ')}`,
    );
  };
  if (field.fieldType === 'enum') return idOf(value);
  if (field.fieldType === 'set') {
    const labels = Array.isArray(value)
      ? value
      : String(value)
          .split(';')
          .filter((s) => s !== '');
    // An empty set is cleared with null, not [] (docs/vendors/pipedrive.md "Connector: writes and the gateway key").
    return labels.length === 0 ? null : labels.map(idOf);
  }
  if (field.fieldType === 'monetary') {
    const amount = typeof value === 'string' ? Number(value) : value;
    if (typeof amount !== 'number' || !Number.isFinite(amount)) {
      throw invalid(`Pipedrive field ${field.name} takes an amount, got ${JSON.stringify(value)}`);
    }
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
      throw invalid(
        `Pipedrive field ${field.name} needs its currency: write ${currencyOf(field.name)} (an ISO code) with it`,
      );
    }
    return { value: amount, currency };
  }
  return value;
}

/**
 * The person's `emails` (or `phones`) after setting its primary value to `value`: a PATCH replaces the
 * whole array, so every other entry of `current` is kept as it was. `null` removes the primary entry
 * and promotes none (Pipedrive marks the first one primary then).
 */
export function withPrimary(current: unknown, value: NativeValue): PdContactEntry[] {
  const entries = Array.isArray(current)
    ? (current as PdContactEntry[]).filter((e) => e && typeof e === 'object')
    : [];
  const index = entries.findIndex((e) => e.primary === true);
  const at = index >= 0 ? index : entries.length > 0 ? 0 : -1;
  const others = entries.filter((_, i) => i !== at).map((e) => ({ ...e, primary: false }));
  if (value === null || value === '') return others;
  if (typeof value !== 'string') throw invalid(`a primary email or phone must be text, got ${typeof value}`);
  const label = at >= 0 && typeof entries[at].label === 'string' ? entries[at].label : 'work';
  return [{ value, primary: true, label }, ...others];
}

/** Id fields Pipedrive takes as integers; the mapping may hand them over as digit strings. */
const ID_FIELDS = new Set(['owner_id', 'org_id', 'person_id', 'stage_id', 'pipeline_id', 'visible_to']);

/** Native fields a write may name for each object, beside custom ones: all but what Pipedrive sets. */
const WRITABLE: Readonly<Record<CrmObject, ReadonlySet<string>>> = {
  contact: writableOf('contact'),
  deal: writableOf('deal'),
};

function writableOf(obj: CrmObject): ReadonlySet<string> {
  return new Set(Object.entries(STANDARD[obj]).flatMap(([name, f]) => (f.setBy === 'vendor' ? [] : [name])));
}

/** What a write body needs of the record it changes (`null` on a create). */
export interface CurrentRecord {
  emails?: unknown;
  phones?: unknown;
  first_name?: unknown;
  last_name?: unknown;
}

/**
 * The v2 request body of a write. Persons: `first_name`/`last_name` are not writable in v2, so they
 * compose `name` (with the current other half on an update); `email`/`phone` set the primary entry of
 * the current arrays. Deals: `value` as a number Pipedrive parses from the decimal string, `status`
 * only open/won/lost. Custom fields go under `custom_fields` by key. Unknown fields are refused.
 */
export function toWireBody(
  obj: CrmObject,
  fields: Readonly<Record<string, NativeValue>>,
  directory: FieldDirectory,
  current: CurrentRecord | null,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const field = directory.byName.get(name);
    if (field) {
      const currency = fields[currencyOf(name)] ?? (obj === 'deal' ? fields.currency : undefined);
      custom[field.key] = writeCustom(field, value, currency);
      continue;
    }
    const amountOf = name.endsWith('_currency')
      ? directory.byName.get(name.slice(0, -'_currency'.length))
      : undefined;
    if (amountOf?.fieldType === 'monetary') {
      // Sent with its amount, which Pipedrive takes together with it.
      if (!(amountOf.name in fields)) {
        throw invalid(`${name} is written together with ${amountOf.name}, the amount it belongs to`);
      }
      continue;
    }
    if (!WRITABLE[obj].has(name)) {
      throw invalid(
        `Pipedrive ${obj === 'contact' ? 'persons' : 'deals'} have no writable field ${JSON.stringify(name)}`,
      );
    }
    if (name === 'email') body.emails = withPrimary(fields.emails ?? current?.emails, value);
    else if (name === 'phone') body.phones = withPrimary(fields.phones ?? current?.phones, value);
    else if (ID_FIELDS.has(name) && typeof value === 'string' && /^[0-9]+$/.test(value))
      body[name] = Number(value);
    else if (name !== 'first_name' && name !== 'last_name') body[name] = value;
  }
  if (obj === 'contact' && ('first_name' in fields || 'last_name' in fields)) {
    const part = (key: 'first_name' | 'last_name'): string => {
      const v = key in fields ? fields[key] : current?.[key];
      return typeof v === 'string' ? v.trim() : '';
    };
    const name = [part('first_name'), part('last_name')].filter((s) => s !== '').join(' ');
    if (name !== '' && !('name' in fields)) body.name = name;
  }
  if (obj === 'deal') {
    if (typeof body.value === 'string') {
      const n = Number(body.value);
      if (body.value.trim() === '' || !Number.isFinite(n))
        throw invalid(`deal value ${JSON.stringify(body.value)} is not a number`);
      body.value = n;
    }
    if (body.status !== undefined && !(DEAL_STATUSES as readonly unknown[]).includes(body.status)) {
      throw invalid(
        `deal status must be one of ${DEAL_STATUSES.join(', ')}, got ${JSON.stringify(body.status)}`,
      );
    }
  }
  if (Object.keys(custom).length > 0) body.custom_fields = custom;
  return body;
}

/** Whether a write needs the record as it is before it is sent (the arrays or a name half it keeps). */
export function needsCurrent(obj: CrmObject, fields: Readonly<Record<string, NativeValue>>): boolean {
  if (obj !== 'contact') return false;
  return (
    ('email' in fields && !('emails' in fields)) ||
    ('phone' in fields && !('phones' in fields)) ||
    'first_name' in fields !== 'last_name' in fields
  );
}
