import { type CrmObject, type NativeRecord, type NativeValue } from '../types';
import { type FieldDirectory, stageStatuses } from './fields';
import { STANDARD } from './zoho.constants';
import { type ZohoRecord } from './wire.types';

/**
 * Zoho records ↔ native records (docs/vendors/zoho.md "Connector: fields and mapping"). Fields keep
 * their API names; a lookup (`Owner`, `Account_Name`, `Contact_Name`, a custom lookup) reads as the
 * linked record's id and is written back as `{id}`; keys Zoho adds with a `$` (`$currency_symbol`,
 * `$approval_state`…) are internal and dropped. A deal gains two derived fields: `Deal_Status` from its
 * stage, and `Currency` — the record's own in a multi-currency org, else the org's.
 */

/** An ISO-8601 time with offset (Zoho's form) as UTC ISO; null when it is not a time. */
export function isoTime(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function isLookup(v: unknown): v is { id: unknown } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && 'id' in v;
}

/** Whether `name` is written as a lookup `{id}`: a reference in the table or in the field metadata. */
export function isReference(obj: CrmObject, name: string, directory: FieldDirectory): boolean {
  if (STANDARD[obj][name]?.type === 'reference') return true;
  const type = directory.get(name)?.data_type;
  return type === 'lookup' || type === 'ownerlookup' || type === 'userlookup';
}

export interface RecordContext {
  directory: FieldDirectory;
  /** The org's ISO currency, where it has one. */
  orgCurrency: string | null;
}

export function toNativeRecord(obj: CrmObject, raw: ZohoRecord, ctx: RecordContext): NativeRecord {
  const fields: Record<string, NativeValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('$')) continue;
    fields[key] = isLookup(value)
      ? value.id === null || value.id === undefined
        ? null
        : String(value.id as string | number)
      : (value as NativeValue);
  }
  fields.id = String(raw.id);
  if (obj === 'deal') {
    if (typeof raw.Currency !== 'string') fields.Currency = ctx.orgCurrency;
    if (typeof raw.Stage === 'string')
      fields.Deal_Status = stageStatuses(ctx.directory).get(raw.Stage) ?? null;
    else if ('Stage' in raw) fields.Deal_Status = null;
  }
  return { remoteId: String(raw.id), fields, updatedAt: isoTime(raw.Modified_Time), isDeleted: false };
}

/** Fields as a write sends them: lookups as `{id}`, derived and vendor-set fields left out. */
export function toWireBody(
  obj: CrmObject,
  fields: Readonly<Record<string, NativeValue>>,
  directory: FieldDirectory,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    const standard = STANDARD[obj][name];
    // `Currency` is Zoho's own field in a multi-currency org; elsewhere it is the org's, derived.
    const derived = standard?.setBy === 'derived' && !(name === 'Currency' && directory.has('Currency'));
    if (derived || standard?.setBy === 'vendor' || name.startsWith('$')) continue;
    body[name] =
      isReference(obj, name, directory) && (typeof value === 'string' || typeof value === 'number')
        ? { id: String(value) }
        : value;
  }
  return body;
}

/**
 * The fields a read names (`fields=`, a COQL select; at most `max`): the standard ones the org has, the
 * mapped and configured extras, then the custom ones, in that order of need.
 */
export function fieldsToRead(
  obj: CrmObject,
  directory: FieldDirectory,
  extras: readonly string[],
  max: number,
): string[] {
  const names = new Set<string>(['Modified_Time']);
  for (const [name, { setBy }] of Object.entries(STANDARD[obj]))
    if (setBy !== 'derived' && name !== 'id' && directory.has(name)) names.add(name);
  if (obj === 'deal' && directory.has('Currency')) names.add('Currency');
  for (const name of extras)
    if (directory.has(name) && STANDARD[obj][name]?.setBy !== 'derived') names.add(name);
  for (const [name, f] of directory) if (f.custom_field === true) names.add(name);
  return [...names].slice(0, max);
}
