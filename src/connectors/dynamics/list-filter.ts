import { type CrmObject, type ListFilterSupport, type NativeListFilter } from '../types';
import { TEXT_COLUMNS } from './dynamics.constants';
import { odataString } from './webapi';

/**
 * A list filter as Dataverse `$filter` (docs/vendors/dynamics.md "Querying"). Dataverse compares text
 * case-insensitively, as the contract wants:
 * - `modifiedSince` → `modifiedon ge <instant>`;
 * - `equals` on a text column (`TEXT_COLUMNS`) → `<column> eq '<value>'`;
 * - `prefix`, when every entry names a text column → `(startswith(<column>,'<value>') or …)`. Dataverse
 *   reads `%`, `_` and `[…]` in a `startswith` value as LIKE wildcards: the first two only widen the
 *   match, but `[` opens a character class that could narrow it, so the value is cut before any `[` —
 *   a shorter prefix matches more, never less.
 * A part the connector cannot spell (another column, an empty prefix) is left out: the contract lets a
 * list return more than the filter matches, and the read layer filters exactly on top.
 */
export const DYNAMICS_LIST_FILTERS: ListFilterSupport = {
  equals: true,
  prefix: 'any',
  modifiedSince: true,
  // Dataverse deletes rows outright: a filter means the same with or without deleted rows asked for.
  withDeleted: true,
};

function prefixClause(obj: CrmObject, prefix: NativeListFilter['prefix']): string | null {
  if (!prefix || prefix.length === 0) return null;
  const terms: string[] = [];
  for (const { field, value } of prefix) {
    const literal = value.split('[')[0] ?? '';
    // An entry that cannot be spelled would drop its matches from the OR: then nothing is pushed.
    if (!TEXT_COLUMNS[obj].has(field) || literal === '') return null;
    terms.push(`startswith(${field},${odataString(literal)})`);
  }
  return terms.length === 1 ? terms[0]! : `(${terms.join(' or ')})`;
}

/** The `$filter` of a list, or undefined when nothing of the filter can be pushed down. */
export function listFilterQuery(obj: CrmObject, filter: NativeListFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const clauses: string[] = [];
  if (filter.modifiedSince) clauses.push(`modifiedon ge ${filter.modifiedSince.toISOString()}`);
  for (const { field, value } of filter.equals ?? []) {
    if (TEXT_COLUMNS[obj].has(field)) clauses.push(`${field} eq ${odataString(value)}`);
  }
  const prefix = prefixClause(obj, filter.prefix);
  if (prefix) clauses.push(prefix);
  return clauses.length > 0 ? clauses.join(' and ') : undefined;
}
