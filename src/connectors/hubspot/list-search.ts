import {
  type CrmObject,
  type ListFilterSupport,
  type ListOptions,
  type NativeListFilter,
  type NativeRecord,
  type Page,
  WORD_PREFIX,
} from '../types';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type HubSpotApi } from './api-context';
import { CRM, MODIFIED_PROPERTY } from './hubspot.constants';
import { listPage } from './records';
import { keysetPage } from './search';
import { type HsSearchFilter } from './wire.types';

/**
 * Filtered lists. The list endpoint (docs/vendors/hubspot.md "List paging") cannot filter, so a filtered list is a CRM search (docs/vendors/hubspot.md "Search"), paged
 * by record id (`search.ts` keysetRequest) and drawing on the search budget:
 * - email: `EQ` (filter values compare case-insensitively);
 * - name prefix: HubSpot has no prefix operator; `CONTAINS_TOKEN` with a trailing `*` matches a word
 *   token starting with the value (the docs show `*` wildcards; a trailing one is [UNVERIFIED]). That
 *   is a superset of "the value starts with it" only when the prefix is one word of letters and digits,
 *   so only such a prefix is pushed down (`prefix: 'word'`); the read layer keeps the exact rule;
 * - updatedSince: `GTE` on the modification property (contacts `lastmodifieddate`, deals
 *   `hs_lastmodifieddate`), epoch ms.
 * Limits: the 10,000-results cap per query never ends a filtered list early, because each page is a
 * new query keyed by id. Search never returns archived records, so filters do not push down together
 * with `includeDeleted` (`withDeleted: false`; with both, the list endpoint is read and the read layer
 * filters after fetch). Search is eventually consistent: a record written a few moments ago may be
 * missing, or found by its previous values (the read layer then drops it on its current ones).
 */

export const HUBSPOT_LIST_FILTERS: ListFilterSupport = {
  equals: true,
  prefix: 'word',
  modifiedSince: true,
  withDeleted: false,
};

/**
 * A page of records: a filtered list is a search, an unfiltered one the list endpoint. With
 * `includeDeleted` the list endpoint is read unfiltered (a superset the read layer filters), because
 * search has no archived records.
 */
export async function listRecords(
  api: HubSpotApi,
  obj: CrmObject,
  options: ListOptions,
  properties: () => Promise<readonly string[]>,
): Promise<Page<NativeRecord>> {
  const names = await properties();
  const groups = options.includeDeleted ? null : listSearchGroups(obj, options.filter);
  return groups ? searchListPage(api, obj, options, groups, names) : listPage(api, obj, options, names);
}

interface SearchListCursor {
  phase: 'search';
  lastId?: string;
}

const isSearchListCursor = (o: Record<string, unknown>): boolean =>
  o.phase === 'search' &&
  (o.lastId === undefined || (typeof o.lastId === 'string' && /^\d{1,19}$/.test(o.lastId)));

/**
 * The search filter groups of a list filter, or null when it narrows nothing search can express (then
 * the list endpoint is cheaper and spends no search budget). Prefix entries are OR'd: one group each,
 * every group carrying the AND'd parts.
 */
function listSearchGroups(obj: CrmObject, filter: NativeListFilter | undefined): HsSearchFilter[][] | null {
  if (!filter) return null;
  const common: HsSearchFilter[] = (filter.equals ?? []).map((e) => ({
    propertyName: e.field,
    operator: 'EQ',
    value: e.value,
  }));
  if (filter.modifiedSince) {
    common.push({
      propertyName: MODIFIED_PROPERTY[obj],
      operator: 'GTE',
      value: String(filter.modifiedSince.getTime()),
    });
  }
  const prefix = filter.prefix ?? [];
  // One entry that is not a word could miss records: then no prefix narrows (the read layer filters).
  const prefixed = prefix.length > 0 && prefix.every((p) => WORD_PREFIX.test(p.value));
  if (!prefixed) return common.length > 0 ? [common] : null;
  return prefix.map((p) => [
    ...common,
    { propertyName: p.field, operator: 'CONTAINS_TOKEN', value: `${p.value}*` },
  ]);
}

/** A page of a filtered list; `groups` from {@link listSearchGroups}. */
async function searchListPage(
  api: HubSpotApi,
  obj: CrmObject,
  options: ListOptions,
  groups: HsSearchFilter[][],
  properties: readonly string[],
): Promise<Page<NativeRecord>> {
  const state: SearchListCursor = options.cursor
    ? decodeConnectorCursor<SearchListCursor>(CRM, options.cursor, isSearchListCursor)
    : { phase: 'search' };
  const page = await keysetPage(api, obj, {
    groups,
    lastId: state.lastId,
    properties,
    pageSize: options.pageSize,
  });
  // Keyset on the id: a record's own id resumes right after it.
  const after = (lastId: string): string => encodeConnectorCursor({ phase: 'search', lastId });
  return {
    items: page.records,
    itemCursors: page.records.map((r) => after(r.remoteId)),
    nextCursor: page.lastId ? after(page.lastId) : null,
  };
}
