import { type CrmObject } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { ENTITIES } from './pipedrive.constants';

/**
 * The v2 search API (`GET /api/v2/<entity>/search`, docs/vendors/pipedrive.md "Search"): the one way to
 * find records by an email, a name or a custom text value. It answers ids and a few fields per item,
 * not the records: callers read those by `ids` (`records.ts`). Search has its own limit of 10 calls per
 * 2 seconds beside the daily tokens, so it draws on the `search` and `daily` budgets and not the burst;
 * it never finds deleted records, and it is an index that can lag a moment behind writes.
 */

/** The search's own `fields` names, per object. */
export type SearchField = 'email' | 'phone' | 'name' | 'custom_fields' | 'notes' | 'title';

/** The most items one search page answers here: one `ids` read then holds them all. */
export const SEARCH_PAGE_MAX = 100;

export interface SearchQuery {
  term: string;
  fields: readonly SearchField[];
  exact: boolean;
  limit: number;
  cursor?: string;
}

interface SearchResponse {
  data?: { items?: { item?: { id?: unknown } }[] } | null;
  additional_data?: { next_cursor?: string | null } | null;
}

/** Shortest term the search takes: 2 characters, 1 with an exact match. */
export function searchable(term: string, exact: boolean): boolean {
  return term.trim().length >= (exact ? 1 : 2);
}

/** Ids of one search page, best matches first, and the cursor of the next page. */
export async function searchIds(
  api: PipedriveApi,
  obj: CrmObject,
  query: SearchQuery,
): Promise<{ ids: string[]; nextCursor: string | null }> {
  const res = await api.http.request<SearchResponse>({
    method: 'GET',
    url: `${ENTITIES[obj].collection}/search`,
    endpoint: ENDPOINT.search,
    budgets: ['search', 'daily'],
    query: {
      term: query.term.trim(),
      fields: query.fields.join(','),
      exact_match: query.exact,
      limit: Math.max(1, Math.min(SEARCH_PAGE_MAX, query.limit)),
      cursor: query.cursor,
    },
  });
  const ids: string[] = [];
  for (const hit of res.body?.data?.items ?? []) {
    const id = hit?.item?.id;
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0 && !ids.includes(String(id)))
      ids.push(String(id));
  }
  const next = res.body?.additional_data?.next_cursor;
  return { ids, nextCursor: typeof next === 'string' && next !== '' ? next : null };
}
