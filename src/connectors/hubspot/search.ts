import { type CrmObject, type NativeRecord } from '../types';
import { type HubSpotApi } from './api-context';
import { LIST_PAGE_MAX, PATHS, SEARCH_LIMITS } from './hubspot.constants';
import { toNativeRecord } from './mappers';
import { batchRead } from './records';
import {
  type HsObject,
  type HsSearchFilter,
  type HsSearchRequest,
  type HsSearchResponse,
} from './wire.types';

/**
 * The CRM search endpoint (docs/vendors/hubspot.md "Search"). HubSpot counts it apart — 5 requests per second per account, outside
 * the burst limit, with no `X-HubSpot-RateLimit-*` headers to learn from — so a search draws on the
 * declared `search` budget only (`declaration.ts`): one Redis count per portal that every process and
 * connection shares, with the interactive reserve, and a RATE_LIMITED refusal with `retryAfterMs` for
 * background work instead of a sleep.
 */

/** The declared budget searches draw on. */
export const SEARCH_BUDGET = 'search';

export async function search(
  api: HubSpotApi,
  obj: CrmObject,
  body: HsSearchRequest,
): Promise<HsSearchResponse> {
  const res = await api.http.request<HsSearchResponse>({
    method: 'POST',
    url: PATHS.search(obj),
    json: body,
    // A query sent as POST: safe to resend.
    idempotent: true,
    budgets: [SEARCH_BUDGET],
  });
  return res.body ?? { total: 0, results: [] };
}

/** The unique, numeric record id every search can sort and filter by. */
const ID_PROPERTY = 'hs_object_id';

/** A search paged by record id rather than by the `after` offset. */
export interface KeysetSearch {
  /** Filter groups, OR'd; the filters of a group are AND'd. `[[]]` matches every record. */
  groups: readonly (readonly HsSearchFilter[])[];
  /** Continue after this record id (exclusive); absent on the first page. */
  lastId?: string;
  properties: readonly string[];
  pageSize: number;
}

/**
 * The request of one keyset page: sorted by `hs_object_id` (unique, so the order is total and equal
 * values elsewhere never tie), each group also requiring `hs_object_id > lastId`, never `after`. Every
 * page is therefore a new query starting at result 0: the 10,000-results-per-query cap never applies,
 * however far a caller pages, and a record changing mid-walk cannot shift offsets under us.
 * A request over the documented filter limits is a programming error (RangeError), not a vendor 400.
 */
export function keysetRequest(k: KeysetSearch): HsSearchRequest {
  const keyset: HsSearchFilter[] = k.lastId
    ? [{ propertyName: ID_PROPERTY, operator: 'GT', value: k.lastId }]
    : [];
  // An empty group matches everything, and so does the OR it is in; no group at all is how search says so.
  const groups = k.groups.length === 0 || k.groups.some((g) => g.length === 0) ? [[]] : k.groups;
  const filterGroups = groups
    .map((g) => ({ filters: [...g, ...keyset] }))
    .filter((g) => g.filters.length > 0);
  const total = filterGroups.reduce((n, g) => n + g.filters.length, 0);
  if (
    filterGroups.length > SEARCH_LIMITS.maxFilterGroups ||
    filterGroups.some((g) => g.filters.length > SEARCH_LIMITS.maxFiltersPerGroup) ||
    total > SEARCH_LIMITS.maxFiltersTotal
  ) {
    throw new RangeError(
      `a HubSpot search takes at most ${SEARCH_LIMITS.maxFilterGroups} filter groups of ${SEARCH_LIMITS.maxFiltersPerGroup} filters (${SEARCH_LIMITS.maxFiltersTotal} in all); got ${JSON.stringify(filterGroups.map((g) => g.filters.length))}`,
    );
  }
  return {
    filterGroups,
    sorts: [{ propertyName: ID_PROPERTY, direction: 'ASCENDING' }],
    properties: [...k.properties],
    limit: Math.max(1, Math.min(SEARCH_LIMITS.pageMax, Math.floor(k.pageSize) || LIST_PAGE_MAX)),
  };
}

export interface KeysetPage {
  /** The hits as search returned them (ids, and the properties asked for when not hydrated). */
  hits: HsObject[];
  /** The records of the hits; read by batch when the request had to leave the properties out. */
  records: NativeRecord[];
  /** Where the next page starts, or null when this one was the last. */
  lastId: string | null;
}

/**
 * One keyset page. A portal's full property list rarely fits the 3,000-character body limit: then the
 * search asks for `idOnlyProperties` and one batch read (≤ 100 ids) fetches the records, so a record
 * archived between the two calls is left out.
 */
export async function keysetPage(
  api: HubSpotApi,
  obj: CrmObject,
  k: KeysetSearch,
  idOnlyProperties: readonly string[] = [ID_PROPERTY],
): Promise<KeysetPage> {
  const request = keysetRequest(k);
  const hydrate = JSON.stringify(request).length > SEARCH_LIMITS.maxBodyChars;
  if (hydrate) {
    request.properties = [...idOnlyProperties];
    request.limit = Math.min(request.limit, LIST_PAGE_MAX);
  }
  const res = await search(api, obj, request);
  const hits = res.results ?? [];
  let records: NativeRecord[];
  if (hydrate) {
    const read = await batchRead(
      api,
      obj,
      hits.map((h) => String(h.id)),
      k.properties,
    );
    records = read.filter((r): r is NativeRecord => r !== null);
  } else {
    records = hits.map((h) => toNativeRecord(obj, h));
  }
  const last = hits[hits.length - 1];
  // `paging` says more matched; a full page without it may still be followed by more (cheap to ask).
  const more = Boolean(res.paging?.next) || hits.length >= request.limit;
  return { hits, records, lastId: last && more ? String(last.id) : null };
}
