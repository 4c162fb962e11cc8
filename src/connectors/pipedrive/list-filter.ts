import { type CrmObject, type ListFilterSupport, type NativeListFilter } from '../types';
import { type FieldDirectory } from './fields';
import { isRecordId } from './request';
import { type SearchField, searchable } from './search';

/**
 * Which parts of a list filter Pipedrive can narrow, and how (docs/vendors/pipedrive.md "Connector: reads, lists and search"). Two paths:
 * - the v2 list's own parameters: equality on the id fields it takes (owner, organization, person,
 *   stage, pipeline; a deal's status) and the modification time (`updated_since`);
 * - the search API, for equality or a prefix on what it indexes: a person's email, phone and name, a
 *   deal's title, custom text fields. A search page answers ids, which one `ids` list then reads.
 * A filter part neither path takes is left to the read layer, which applies the exact filter on top:
 * the connector may return more than the filter matches, never fewer.
 */

/** Fields whose equality the v2 list takes as a query parameter, per object. */
const LIST_PARAMS: Readonly<Record<CrmObject, ReadonlySet<string>>> = {
  contact: new Set(['owner_id', 'org_id']),
  deal: new Set(['owner_id', 'org_id', 'person_id', 'stage_id', 'pipeline_id', 'status']),
};

/** Native fields the search indexes, and the `fields` value it searches them under. */
const SEARCHED: Readonly<Record<CrmObject, Readonly<Record<string, SearchField>>>> = {
  contact: { email: 'email', phone: 'phone', name: 'name', first_name: 'name', last_name: 'name' },
  deal: { title: 'title' },
};

/** Name parts: the search holds the whole name, so equality on a part is a contains search. */
const NAME_PARTS = new Set(['first_name', 'last_name']);

/** Custom field types the search indexes (the others are not searchable). */
const SEARCHABLE_CUSTOM = new Set(['varchar', 'varchar_auto', 'text', 'address', 'phone']);

/**
 * Equality and word prefixes push down through search (words: the search matches whole terms, so a
 * value with spaces or punctuation could miss records), time and ids through the list. Not together
 * with deleted records: the search never finds a deleted one.
 */
export const PIPEDRIVE_LIST_FILTERS: ListFilterSupport = {
  equals: true,
  prefix: 'word',
  modifiedSince: true,
  withDeleted: false,
};

/** Every deal status, deleted ones included: what a listing with deleted deals asks for. */
export const ALL_DEAL_STATUSES = 'open,won,lost,deleted';

/** The list query parameters of a filter: only values Pipedrive takes (ids, the deal statuses). */
export function listQuery(obj: CrmObject, filter: NativeListFilter | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  for (const { field, value } of filter?.equals ?? []) {
    if (!LIST_PARAMS[obj].has(field)) continue;
    if (field === 'status') {
      if (['open', 'won', 'lost'].includes(value)) query.status = value;
    } else if (isRecordId(value)) {
      query[field] = value;
    }
  }
  if (filter?.modifiedSince) {
    // Pipedrive stamps to the second: flooring keeps `>=` from dropping a record of the same second.
    const ms = Math.floor(filter.modifiedSince.getTime() / 1000) * 1000;
    query.updated_since = new Date(ms).toISOString().replace('.000Z', 'Z');
  }
  return query;
}

/** A search that finds a superset of a filter's matches. */
export interface SearchPlan {
  term: string;
  fields: SearchField[];
  exact: boolean;
}

function searchFieldOf(obj: CrmObject, field: string, directory: FieldDirectory): SearchField | null {
  const own = SEARCHED[obj][field];
  if (own) return own;
  const custom = directory.byName.get(field);
  return custom && SEARCHABLE_CUSTOM.has(custom.fieldType) ? 'custom_fields' : null;
}

/**
 * The search a filter can go through, or null. An equality part is enough on its own (its matches
 * hold every record the whole filter matches); prefix parts are OR'd, so they go through one search
 * only when they share one value and every field is searched.
 */
export function searchPlan(
  obj: CrmObject,
  filter: NativeListFilter | undefined,
  directory: FieldDirectory,
): SearchPlan | null {
  for (const { field, value } of filter?.equals ?? []) {
    const where = searchFieldOf(obj, field, directory);
    const exact = !NAME_PARTS.has(field);
    if (where && searchable(value, exact)) return { term: value, fields: [where], exact };
  }
  const prefixes = filter?.prefix ?? [];
  if (prefixes.length === 0) return null;
  const value = prefixes[0]!.value;
  const fields = new Set<SearchField>();
  for (const p of prefixes) {
    const where = searchFieldOf(obj, p.field, directory);
    if (!where || p.value.toLowerCase() !== value.toLowerCase()) return null;
    fields.add(where);
  }
  return searchable(value, false) ? { term: value, fields: [...fields], exact: false } : null;
}
