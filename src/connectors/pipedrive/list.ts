import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type CrmObject, type ListOptions, type NativeRecord, type Page } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { fieldDirectory } from './fields';
import { ALL_DEAL_STATUSES, listQuery, searchPlan } from './list-filter';
import { CRM, ENTITIES, MAX_PAGE_SIZE } from './pipedrive.constants';
import { pdRequest } from './request';
import { readByIds, recordsOf } from './records';
import { SEARCH_PAGE_MAX, searchIds } from './search';
import { type PdRecord } from './wire.types';

/**
 * Lists (docs/vendors/pipedrive.md "Connector: reads, lists and search"): v2 lists in id order, paged by Pipedrive's
 * `next_cursor`, which names the last id seen (keyset, not a server-side session) and so stays valid
 * however long a client waits. A filter narrows the list through its parameters, or goes through the
 * search API (`list-filter.ts`): then each page is a search page and one read of its ids. Deleted deals
 * are listed with `status=…,deleted` (the last 30 days of them); v2 lists no deleted persons, so
 * `includeDeleted` adds nothing to a person list.
 */

interface ListCursor {
  /** Which listing the cursor continues: the v2 list, or a search. */
  mode: 'list' | 'search';
  /** Pipedrive's own cursor for the next page. */
  next: string;
}

const isListCursor = (o: Record<string, unknown>): boolean =>
  (o.mode === 'list' || o.mode === 'search') && typeof o.next === 'string' && o.next.length <= 2048;

function cursorOf(mode: ListCursor['mode'], next: unknown): string | null {
  return typeof next === 'string' && next !== '' ? encodeConnectorCursor({ mode, next }) : null;
}

export async function listRecords(
  api: PipedriveApi,
  obj: CrmObject,
  options: ListOptions,
): Promise<Page<NativeRecord>> {
  const cursor = options.cursor
    ? decodeConnectorCursor<ListCursor>(CRM, options.cursor, isListCursor)
    : undefined;
  const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize) || 1));
  const directory = await fieldDirectory(api, obj);
  const plan = options.includeDeleted ? null : searchPlan(obj, options.filter, directory);
  if (plan && cursor?.mode !== 'list') {
    const found = await searchIds(api, obj, {
      ...plan,
      limit: Math.min(limit, SEARCH_PAGE_MAX),
      cursor: cursor?.next,
    });
    const read = new Map((await readByIds(api, obj, found.ids)).map((r) => [r.remoteId, r]));
    return {
      // In the search's order; a record deleted since the search was indexed is left out.
      items: found.ids.flatMap((id) => {
        const r = read.get(id);
        return r && !r.isDeleted ? [r] : [];
      }),
      nextCursor: cursorOf('search', found.nextCursor),
    };
  }
  const query: Record<string, string | number> = {
    ...listQuery(obj, options.filter),
    limit,
    sort_by: 'id',
    sort_direction: 'asc',
  };
  if (obj === 'deal' && options.includeDeleted && query.status === undefined)
    query.status = ALL_DEAL_STATUSES;
  if (cursor) query.cursor = cursor.next;
  const page = await pdRequest<PdRecord[]>(api, ENDPOINT.list, {
    method: 'GET',
    url: ENTITIES[obj].collection,
    query,
  });
  const items = recordsOf(api, obj, page.data ?? [], directory);
  return {
    items: options.includeDeleted ? items : items.filter((r) => !r.isDeleted),
    nextCursor: cursorOf('list', page.additional_data?.next_cursor),
  };
}
