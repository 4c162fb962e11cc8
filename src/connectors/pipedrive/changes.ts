import { assertWithinChangesWindow, DAY_MS } from '../changes-window';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type ChangesOptions, type ChangesPage, type CrmObject, type NativeChange } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { fieldDirectory } from './fields';
import { ALL_DEAL_STATUSES } from './list-filter';
import { isoTime } from './mappers';
import { CRM, DELETED_KEPT_DAYS, ENTITIES, MAX_PAGE_SIZE, PATHS } from './pipedrive.constants';
import { pdRequest } from './request';
import { recordsOf } from './records';
import { type PdRecentsResponse, type PdRecord } from './wire.types';

/**
 * Changes since an instant (docs/vendors/pipedrive.md "Connector: changes and deletions").
 *
 * Modified records: the v2 list with `updated_since` (inclusive) and `updated_until` (exclusive) fixed
 * at the first page, sorted by `update_time` ascending and paged by Pipedrive's cursor. Ties: many
 * records share a second (Pipedrive stamps to the second); the cursor walks them in one order without
 * skipping or repeating, and `updated_since` is floored to the second so a record stamped in the same
 * second as `since` is reported again rather than lost (sync dedupes against snapshots). A record
 * changed during the walk moves past `updated_until` and is reported by the next poll.
 *
 * Deleted deals come in the same walk: `status=open,won,lost,deleted` adds deals deleted in the last
 * 30 days, with `is_deleted: true`. Deleted persons: v2 lists none, so a second phase reads the v1
 * recents feed for persons since the same instant, where a deleted person shows `active_flag: false`
 * (or no data). Webhooks' delete events are the fast path; this is the fallback. Pipedrive purges
 * deleted records after 30 days, so a `since` further back fails with CHANGES_WINDOW_EXCEEDED before
 * any call, and sync reconciles in full.
 */

interface ChangesCursor {
  phase: 'modified' | 'deleted';
  /** Window, epoch ms: [start, end). */
  start: number;
  end: number;
  next?: string;
  /** The recents feed's offset. */
  recentsOffset?: number;
}

const isChangesCursor = (o: Record<string, unknown>): boolean =>
  (o.phase === 'modified' || o.phase === 'deleted') &&
  typeof o.start === 'number' &&
  typeof o.end === 'number' &&
  (o.next === undefined || (typeof o.next === 'string' && o.next.length <= 2048)) &&
  (o.recentsOffset === undefined ||
    (typeof o.recentsOffset === 'number' && Number.isInteger(o.recentsOffset) && o.recentsOffset >= 0));

/** RFC 3339 to the second, as the v2 filters take it. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, as v1 takes and sends times. */
export function v1Time(ms: number): string {
  return rfc3339(ms).replace('T', ' ').replace('Z', '');
}

/** A v1 time (`YYYY-MM-DD HH:MM:SS`, UTC) as ISO-8601; null when it is not one. */
export function fromV1Time(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value))
    return isoTime(value);
  return isoTime(`${value.replace(' ', 'T')}Z`);
}

export async function listChanges(
  api: PipedriveApi,
  obj: CrmObject,
  options: ChangesOptions,
): Promise<ChangesPage> {
  if (!options.cursor) {
    assertWithinChangesWindow(CRM, obj, options.since, api.now(), {
      ms: DELETED_KEPT_DAYS * DAY_MS,
      why: `Pipedrive purges deleted records after ${DELETED_KEPT_DAYS} days`,
    });
  }
  const state: ChangesCursor = options.cursor
    ? decodeConnectorCursor<ChangesCursor>(CRM, options.cursor, isChangesCursor)
    : { phase: 'modified', start: Math.floor(options.since.getTime() / 1000) * 1000, end: api.now() };
  const pageSize = Math.max(1, Math.min(MAX_PAGE_SIZE, options.pageSize ?? MAX_PAGE_SIZE));
  return state.phase === 'modified'
    ? modifiedPhase(api, obj, state, pageSize)
    : deletedPersonsPhase(api, state, pageSize);
}

async function modifiedPhase(
  api: PipedriveApi,
  obj: CrmObject,
  state: ChangesCursor,
  pageSize: number,
): Promise<ChangesPage> {
  const query: Record<string, string | number> = {
    updated_since: rfc3339(state.start),
    updated_until: rfc3339(Math.ceil(state.end / 1000) * 1000),
    sort_by: 'update_time',
    sort_direction: 'asc',
    limit: pageSize,
  };
  if (obj === 'deal') query.status = ALL_DEAL_STATUSES;
  if (state.next) query.cursor = state.next;
  const [directory, page] = await Promise.all([
    fieldDirectory(api, obj),
    pdRequest<PdRecord[]>(api, ENDPOINT.list, { method: 'GET', url: ENTITIES[obj].collection, query }),
  ]);
  const items: NativeChange[] = recordsOf(api, obj, page.data ?? [], directory).map((record) => ({
    object: obj,
    remoteId: record.remoteId,
    kind: record.isDeleted ? 'DELETED' : 'UPSERTED',
    occurredAt: record.updatedAt ?? new Date(state.end).toISOString(),
    ...(record.isDeleted ? {} : { record }),
  }));
  const next = page.additional_data?.next_cursor;
  if (typeof next === 'string' && next !== '') {
    return { items, nextCursor: encodeConnectorCursor({ ...state, next }) };
  }
  // Deals are done (their deletions came with them); persons go on to the recents feed.
  const after: ChangesCursor | null =
    obj === 'contact' ? { phase: 'deleted', start: state.start, end: state.end, recentsOffset: 0 } : null;
  return { items, nextCursor: after ? encodeConnectorCursor(after) : null };
}

async function deletedPersonsPhase(
  api: PipedriveApi,
  state: ChangesCursor,
  pageSize: number,
): Promise<ChangesPage> {
  const res = await api.http.request<PdRecentsResponse>({
    method: 'GET',
    url: PATHS.recents,
    endpoint: ENDPOINT.legacyList,
    query: {
      since_timestamp: v1Time(state.start),
      items: 'person',
      start: state.recentsOffset ?? 0,
      limit: pageSize,
    },
  });
  const items: NativeChange[] = [];
  for (const entry of res.body?.data ?? []) {
    if (entry?.item !== 'person' || typeof entry.id !== 'number') continue;
    const data = entry.data;
    if (data && data.active_flag !== false && data.is_deleted !== true) continue;
    const at =
      fromV1Time(data?.delete_time) ?? fromV1Time(data?.update_time) ?? new Date(state.end).toISOString();
    items.push({ object: 'contact', remoteId: String(entry.id), kind: 'DELETED', occurredAt: at });
  }
  const paging = res.body?.additional_data?.pagination;
  const nextStart = paging?.more_items_in_collection === true ? paging.next_start : undefined;
  return {
    items,
    nextCursor:
      typeof nextStart === 'number' && nextStart > (state.recentsOffset ?? 0)
        ? encodeConnectorCursor({ ...state, recentsOffset: nextStart })
        : null,
  };
}
