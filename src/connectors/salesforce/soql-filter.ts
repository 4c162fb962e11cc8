import { type NativeListFilter } from '../types';
import { soqlDateTime, soqlString } from './soql';

/**
 * A list filter as a SOQL `WHERE` condition. Values only ever reach the query through the literal
 * builders (Quoted String Escape Sequences: `\'` and `\\` in every literal, `\%` and `\_` in LIKE
 * only), and field names must be identifiers, so no filter value or stored mapping can change the
 * query's shape.
 */

/** The modification stamp a list is filtered by: SystemModstamp ≥ LastModifiedDate (what updatedAt reads). */
export const LIST_MODIFIED_FIELD = 'SystemModstamp';

/** A field or relationship path (`Account.Name`); anything else is refused before it reaches SOQL. */
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/;

function field(name: string): string {
  if (!FIELD_PATH.test(name)) throw new RangeError(`not a Salesforce field name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * `'x%'` for `LIKE`: the value as a string literal with its own `%` and `_` escaped (they are LIKE
 * wildcards; `\%` / `\_` are valid only in a LIKE pattern), then the trailing wildcard.
 */
export function soqlLikePrefix(value: string): string {
  const literal = soqlString(value);
  // soqlString has already escaped backslashes and quotes, so a `%` or `_` in it is the caller's own.
  return `${literal.slice(0, -1).replace(/[%_]/g, '\\$&')}%'`;
}

/**
 * `SystemModstamp >= <datetime>`, rounded down to the second: Salesforce stores datetimes to the
 * second and the documented literal has no fraction; rounding down only widens the match, and the
 * read layer applies the exact instant on top.
 */
function modifiedSince(at: Date): string {
  const second = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return `${LIST_MODIFIED_FIELD} >= ${soqlDateTime(second)}`;
}

/** The condition for `filter` (without `WHERE`), or null when it narrows nothing. */
export function soqlCondition(filter: NativeListFilter | undefined): string | null {
  if (!filter) return null;
  const parts: string[] = [];
  // SOQL `=` compares strings case-insensitively, which is the canonical rule for email.
  for (const e of filter.equals ?? []) parts.push(`${field(e.field)} = ${soqlString(e.value)}`);
  const prefix = filter.prefix ?? [];
  if (prefix.length > 0) {
    const any = prefix.map((p) => `${field(p.field)} LIKE ${soqlLikePrefix(p.value)}`);
    parts.push(any.length === 1 ? any[0]! : `(${any.join(' OR ')})`);
  }
  if (filter.modifiedSince) parts.push(modifiedSince(filter.modifiedSince));
  return parts.length > 0 ? parts.join(' AND ') : null;
}
