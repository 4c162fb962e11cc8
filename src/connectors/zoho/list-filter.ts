import { type CrmObject, type ListFilterSupport, type NativeListFilter } from '../types';
import { quote } from './coql';
import { type FieldDirectory } from './fields';

/**
 * Which list filters go into the COQL keyset query (docs/vendors/zoho.md "Connector: COQL"): the
 * modification time (`Modified_Time >=`), equality and prefixes on text fields — both as `like`, which
 * compares case-insensitively (`'value'`, `'prefix%'`); a `%` inside a value only widens the match, and
 * the read layer applies the exact filter on top. A part on a field COQL cannot compare (multi-line
 * text, lookups, unknown names) is left to the read layer. Never with deleted records: Zoho lists none.
 */
export const ZOHO_LIST_FILTERS: ListFilterSupport = {
  equals: true,
  prefix: 'any',
  modifiedSince: true,
  withDeleted: false,
};

/** Data types a `like` compares as text. */
const TEXT_TYPES = new Set(['text', 'email', 'phone', 'website', 'picklist', 'autonumber']);

/** Most criteria one COQL WHERE takes, with the keyset's own two. */
const MAX_CRITERIA = 25;

/** Criteria joined two by two in brackets, as COQL wants more than two criteria: `((a and b) and c)`. */
export function joined(parts: readonly string[], op: 'and' | 'or'): string {
  return parts.reduce((acc, part) => `(${acc} ${op} ${part})`);
}

function textField(directory: FieldDirectory, name: string): boolean {
  return TEXT_TYPES.has(directory.get(name)?.data_type ?? '') && /^[A-Za-z][A-Za-z0-9_]*$/.test(name);
}

/** The filter's text parts as COQL criteria (AND'd), within the criteria budget. */
export function filterCriteria(
  _obj: CrmObject,
  filter: NativeListFilter | undefined,
  directory: FieldDirectory,
): string[] {
  const out: string[] = [];
  for (const { field, value } of filter?.equals ?? [])
    if (textField(directory, field) && value !== '') out.push(`${field} like ${quote(value)}`);
  const prefixes = (filter?.prefix ?? []).filter((p) => textField(directory, p.field));
  // Prefix parts are OR'd: only when every one can be expressed, else none narrows.
  if (prefixes.length > 0 && prefixes.length === (filter?.prefix ?? []).length)
    out.push(
      joined(
        prefixes.map((p) => `${p.field} like ${quote(`${p.value}%`)}`),
        'or',
      ),
    );
  return out.slice(0, MAX_CRITERIA - 3);
}
