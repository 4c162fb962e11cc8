import { type CrmObject, type ListOptions, type NativeRecord, type Page } from '../types';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type HubSpotApi } from './api-context';
import { CRM, LIST_PAGE_MAX, MAX_PROPERTIES_QUERY_CHARS, PATHS } from './hubspot.constants';
import { toNativeRecord } from './mappers';
import { type HsBatchResponse, type HsListResponse } from './wire.types';

/** Reads: batch read by id (docs/vendors/hubspot.md "Batch endpoints") and the paged list with `after` (docs/vendors/hubspot.md "List paging"), live and archived. */

/**
 * One `batch/read` per call, so a call takes at most `readBatch` ids (the DataLoader's batch size).
 * `properties` is asked only when there is something to read: an empty call costs no call at all.
 */
export async function getRecords(
  api: HubSpotApi,
  obj: CrmObject,
  remoteIds: readonly string[],
  properties: () => Promise<readonly string[]>,
): Promise<(NativeRecord | null)[]> {
  if (remoteIds.length > api.readBatch) {
    throw new RangeError(
      `getRecords takes at most ${api.readBatch} ids per call (one HubSpot batch read); got ${remoteIds.length}`,
    );
  }
  if (remoteIds.length === 0) return [];
  return batchRead(api, obj, remoteIds, await properties());
}

/**
 * One `batch/read` for ≤ 100 ids. Missing ids come back in a 207's `errors` (OBJECT_NOT_FOUND), which
 * simply leaves them out of `results`: the answer is one entry per id, `null` for a miss.
 */
export async function batchRead(
  api: HubSpotApi,
  obj: CrmObject,
  ids: readonly string[],
  properties: readonly string[],
  archived = false,
): Promise<(NativeRecord | null)[]> {
  if (ids.length === 0) return [];
  const res = await api.http.request<HsBatchResponse>({
    method: 'POST',
    url: PATHS.batch(obj, 'read'),
    query: archived ? { archived: true } : undefined,
    json: { properties, propertiesWithHistory: [], inputs: ids.map((id) => ({ id })) },
    // A read sent as POST: safe to resend.
    idempotent: true,
  });
  const byId = new Map<string, NativeRecord>();
  for (const o of res.body?.results ?? []) byId.set(String(o.id), toNativeRecord(obj, o));
  return ids.map((id) => byId.get(id) ?? null);
}

interface ListCursor {
  /** Which listing: live records, then (with includeDeleted) the archived ones. */
  phase: 'live' | 'archived';
  after?: string;
}

/** What `after` may hold: a record id (docs/vendors/hubspot.md "List paging"), or an opaque token of the same alphabet. */
const AFTER = /^[A-Za-z0-9_-]{1,64}$/;

const isListCursor = (o: Record<string, unknown>): boolean =>
  (o.phase === 'live' || o.phase === 'archived') &&
  (o.after === undefined || (typeof o.after === 'string' && AFTER.test(o.after)));

/**
 * A page of records. `archived=true` lists ONLY archived records, so `includeDeleted` walks the live
 * list to its end and then the archived one. When the property list would make the URL too long, the
 * page lists ids only and the records are read by batch (one extra call per page).
 */
export async function listPage(
  api: HubSpotApi,
  obj: CrmObject,
  options: ListOptions,
  properties: readonly string[],
): Promise<Page<NativeRecord>> {
  const state: ListCursor = options.cursor
    ? decodeConnectorCursor<ListCursor>(CRM, options.cursor, isListCursor)
    : { phase: 'live' };
  const archived = state.phase === 'archived';
  const limit = Math.max(1, Math.min(LIST_PAGE_MAX, Math.floor(options.pageSize) || LIST_PAGE_MAX));
  const joined = properties.join(',');
  const hydrate = joined.length > MAX_PROPERTIES_QUERY_CHARS;
  const res = await api.http.request<HsListResponse>({
    method: 'GET',
    url: PATHS.objects(obj),
    query: {
      limit,
      after: state.after,
      archived: archived ? true : undefined,
      properties: hydrate ? 'hs_object_id' : joined,
    },
  });
  const results = res.body?.results ?? [];
  let items: NativeRecord[];
  if (hydrate) {
    const read = await batchRead(
      api,
      obj,
      results.map((o) => String(o.id)),
      properties,
      archived,
    );
    items = read.filter((r): r is NativeRecord => r !== null);
  } else {
    items = results.map((o) => toNativeRecord(obj, o));
  }
  const after = res.body?.paging?.next?.after;
  let next: ListCursor | null = null;
  if (after) next = { phase: state.phase, after };
  else if (!archived && options.includeDeleted) next = { phase: 'archived' };
  const ids = results.map((o) => String(o.id));
  const itemCursors = items.map((item) =>
    encodeConnectorCursor(resumeAfter(state.phase, ids, ids.indexOf(item.remoteId), next)),
  );
  return { items, itemCursors, nextCursor: next ? encodeConnectorCursor(next) : null };
}

/**
 * Where the listing resumes right after `ids[i]` (docs/vendors/hubspot.md, "List paging"). `after` is
 * the id of the record to start at, so
 * after a record it is the next id of the page, and after the page's last record the page's own next
 * cursor. After the very last record of a listing it is that id plus one: ids are numeric and listed
 * in ascending order, so a record created later is still found from there.
 */
function resumeAfter(
  phase: ListCursor['phase'],
  ids: string[],
  i: number,
  next: ListCursor | null,
): ListCursor {
  if (i >= 0 && i + 1 < ids.length) return { phase, after: ids[i + 1] };
  if (next) return next;
  const id = ids[i] ?? '';
  return /^\d{1,19}$/.test(id) ? { phase, after: String(BigInt(id) + 1n) } : { phase, after: id };
}
