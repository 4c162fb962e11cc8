// Comparing records with query values (docs/vendors/zoho.md "COQL", "Search"): each field compared by
// its type — datetimes by instant, ids numerically, lookups and users by their id, numbers as numbers,
// booleans as booleans, text and picklists as written; unset fields are null and sort first.
import { ZohoError } from './errors';
import { type FieldDef } from './fields';
import { type Literal } from './coql-parser';
import { type ZohoRecord } from './store';

export type Comparable = number | bigint | string | boolean | null;

export function invalidQuery(reason: string, column?: string): ZohoError {
  return new ZohoError(400, 'INVALID_QUERY', 'Invalid query formed', {
    ...(column ? { column_name: column } : {}),
    reason,
  });
}

/** A record's value of a field, in the form comparisons use. */
export function recordValue(record: ZohoRecord, def: FieldDef): Comparable {
  switch (def.api_name) {
    case 'id':
      return BigInt(record.id);
    case 'Created_Time':
      return record.createdTime;
    case 'Modified_Time':
      return record.modifiedTime;
    case 'Owner':
      return record.ownerId;
    case 'Created_By':
      return record.createdById;
    case 'Modified_By':
      return record.modifiedById;
  }
  const raw = record.values[def.api_name];
  if (raw === undefined || raw === null) return null;
  if (def.data_type === 'lookup') return String((raw as { id?: unknown }).id ?? '');
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'string') return raw;
  return null;
}

/** A literal in the form of the field it is compared with. */
export function literalValue(def: FieldDef, value: Literal): Comparable {
  if (value === null) return null;
  if (def.api_name === 'id') {
    if (!/^\d{1,19}$/.test(String(value))) throw invalidQuery('invalid id value', 'id');
    return BigInt(String(value));
  }
  if (def.data_type === 'datetime') {
    const ms = Date.parse(String(value));
    if (typeof value !== 'string' || Number.isNaN(ms))
      throw invalidQuery('invalid datetime value', def.api_name);
    return ms;
  }
  if (def.data_type === 'currency' || def.data_type === 'integer') {
    const n = Number(value);
    if (Number.isNaN(n)) throw invalidQuery('invalid number value', def.api_name);
    return n;
  }
  if (def.data_type === 'lookup' || def.data_type === 'ownerlookup') return String(value);
  if (def.data_type === 'boolean') return value === true || value === 'true';
  return value;
}

export function order(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function likeRegex(pattern: string): RegExp {
  const body = pattern
    .split('%')
    .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}
