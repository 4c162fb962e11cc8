import { type NativeFieldType, type NativeRecord } from '../types';
import { toNativeRecord } from './mappers';
import { type WireRecord, type WireValue } from './wire.types';

/**
 * Bulk API 2.0 query results as the records a REST query gives (pure: no I/O). A CSV cell is text, and
 * an empty one stands for null (docs/vendors/salesforce.md "Bulk API 2.0 query jobs"); REST's JSON has
 * types. So each column is typed by the field's describe type (`NativeFieldType`), and a dotted column
 * (`Account.Name`) becomes the nested related record REST sends — null when every one of its cells is
 * empty, as REST sends null for an empty reference. (A related record whose selected fields are all
 * null reads null too; a mapping reading through it reads null either way.) The row then goes through
 * the REST mapper, so the two paths cannot drift apart in anything else.
 */

/** Column (the SELECT's field path, as the header spells it) → the field's describe type. */
export type ColumnTypes = ReadonlyMap<string, NativeFieldType>;

const NUMBER_TYPES: ReadonlySet<NativeFieldType> = new Set(['integer', 'decimal', 'currency', 'percent']);

/**
 * A datetime as REST writes it (`2024-05-20T20:49:32.000+0000`). Bulk results may write UTC as `Z`
 * (which form they use is not settled by the documentation), so both are accepted.
 */
function restDateTime(text: string): string {
  return text.endsWith('Z') ? `${text.slice(0, -1)}+0000` : text;
}

/** One cell as REST's JSON would hold it; an unknown type stays text. */
export function typedCell(text: string, type: NativeFieldType | undefined): WireValue {
  if (text === '') return null;
  if (type === 'boolean') {
    if (text === 'true') return true;
    if (text === 'false') return false;
  } else if (type !== undefined && NUMBER_TYPES.has(type)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  } else if (type === 'datetime') {
    return restDateTime(text);
  }
  return text;
}

/** `Account.Owner` objects whose every leaf is null become null, bottom up. */
function collapseEmpty(record: Record<string, WireValue>): WireValue {
  let any = false;
  for (const k of Object.keys(record)) {
    const v = record[k];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) record[k] = collapseEmpty(v);
    if (record[k] !== null) any = true;
  }
  return any ? record : null;
}

/** One CSV row (keyed by header) of a query job as the REST record of the same query. */
export function csvRowToRecord(row: Readonly<Record<string, string>>, types: ColumnTypes): NativeRecord {
  // Null-prototype objects: a header cell is vendor text, and `__proto__` must stay a plain key.
  const wire = Object.create(null) as WireRecord;
  const nested = new Set<string>();
  for (const column of Object.keys(row)) {
    const value = typedCell(row[column] ?? '', types.get(column.toLowerCase()));
    const path = column.split('.');
    if (path.length === 1) {
      wire[column] = value;
      continue;
    }
    nested.add(path[0]!);
    let node = wire as Record<string, WireValue>;
    for (const segment of path.slice(0, -1)) {
      const next = node[segment];
      if (next === null || typeof next !== 'object' || Array.isArray(next))
        node[segment] = Object.create(null) as Record<string, WireValue>;
      node = node[segment] as Record<string, WireValue>;
    }
    node[path[path.length - 1]!] = value;
  }
  for (const root of nested) {
    const v = wire[root];
    if (v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v))
      wire[root] = collapseEmpty(v);
  }
  return toNativeRecord(wire);
}
