import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import {
  type CrmObject,
  type ListFilterSupport,
  type ListOptions,
  type NativeListFilter,
  type NativeRecord,
  type Page,
} from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { fieldDirectory } from './fields';
import { CRM, ENTITIES, MAX_PAGE_SIZE } from './pipedrive.constants';
import { isRecordId, pdRequest } from './request';
import { recordsOf } from './records';
import { type PdRecord } from './wire.types';

/**
 * Lists (docs/vendors/pipedrive.md "Connector notes"): v2 lists in id order, paged by Pipedrive's
 * `next_cursor`, which names the last id seen (keyset, not a server-side session) and so stays valid
 * however long a client waits. Filters that push down: modification time (`updated_since`), and
 * equality on the id fields the list takes as parameters (owner, organization, person, stage,
 * pipeline, deal status). Deleted deals are listed with `status=…,deleted` (the last 30 days of them);
 * v2 lists no deleted persons, so `includeDeleted` adds nothing to a person list.
 */

/** Fields whose equality the v2 list takes as a query parameter, per object. */
const EQUALS_PARAMS: Readonly<Record<CrmObject, ReadonlySet<string>>> = {
  contact: new Set(['owner_id', 'org_id']),
  deal: new Set(['owner_id', 'org_id', 'person_id', 'stage_id', 'pipeline_id', 'status']),
};

/** Every deal status, deleted ones included: what a listing with deleted deals asks for. */
export const ALL_DEAL_STATUSES = 'open,won,lost,deleted';

/**
 * Equality pushes down on the id parameters above (the read layer applies every other part on top,
 * as it may: a connector can return more than a filter matches). No prefix filter: the search API
 * would do, but it has its own 10-per-2-seconds limit and is eventually consistent.
 */
export const PIPEDRIVE_LIST_FILTERS: ListFilterSupport = {
  equals: true,
  prefix: false,
  modifiedSince: true,
  withDeleted: true,
};

interface ListCursor {
  /** Pipedrive's own cursor for the next page. */
  next: string;
}

const isListCursor = (o: Record<string, unknown>): boolean =>
  typeof o.next === 'string' && o.next.length <= 2048;

/** The list query parameters of a filter: only values Pipedrive takes (ids, the deal statuses). */
export function filterQuery(obj: CrmObject, filter: NativeListFilter | undefined): Record<string, string> {
  const query: Record<string, string> = {};
  for (const { field, value } of filter?.equals ?? []) {
    if (!EQUALS_PARAMS[obj].has(field)) continue;
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

export async function listRecords(
  api: PipedriveApi,
  obj: CrmObject,
  options: ListOptions,
): Promise<Page<NativeRecord>> {
  const cursor = options.cursor
    ? decodeConnectorCursor<ListCursor>(CRM, options.cursor, isListCursor)
    : undefined;
  const query: Record<string, string | number> = {
    ...filterQuery(obj, options.filter),
    limit: Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(options.pageSize) || 1)),
    sort_by: 'id',
    sort_direction: 'asc',
  };
  if (obj === 'deal' && options.includeDeleted && query.status === undefined)
    query.status = ALL_DEAL_STATUSES;
  if (cursor) query.cursor = cursor.next;
  const [directory, page] = await Promise.all([
    fieldDirectory(api, obj),
    pdRequest<PdRecord[]>(api, ENDPOINT.list, { method: 'GET', url: ENTITIES[obj].collection, query }),
  ]);
  const items = recordsOf(api, obj, page.data ?? [], directory);
  const next = page.additional_data?.next_cursor;
  return {
    items: options.includeDeleted ? items : items.filter((r) => !r.isDeleted),
    nextCursor: typeof next === 'string' && next !== '' ? encodeConnectorCursor({ next }) : null,
  };
}
