import { type ChangesOptions, type CrmObject, type NativeChange, type Page } from '../types';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type HubSpotApi } from './api-context';
import { assertWithinChangesWindow } from '../changes-window';
import { CRM, LIST_PAGE_MAX, MODIFIED_PROPERTY, PATHS, RECYCLE_BIN_MS } from './hubspot.constants';
import { keysetPage } from './search';
import { type HsListResponse, type HsSearchFilter } from './wire.types';

/**
 * Changes since an instant (docs/vendors/hubspot.md "Change polling" search + docs/vendors/hubspot.md "List paging" archived listing).
 *
 * Modified records: search on the modification property (contacts `lastmodifieddate`, deals
 * `hs_lastmodifieddate`) inside a window fixed at the first page, [since − overlap, now], sorted by
 * `hs_object_id` and paged by keyset (`hs_object_id > last id seen`), never by the `after` offset.
 * Every page is therefore a new query starting at result 0, so:
 * - the 10,000-results-per-query cap is never reached, however many records share a window;
 * - records with equal timestamps are neither skipped nor repeated (the order is total: the id);
 * - a record modified during the walk leaves the window (its new time is past the end) and is seen by
 *   the next poll, instead of shifting offsets under us.
 * Search is eventually consistent: the window starts `settings.searchOverlapMs` before `since`, so a record indexed
 * late is still caught by the next poll (duplicates are deduped by the sync layer against snapshots).
 *
 * Deleted records: archived records never appear in search; the archived listing (`archived=true`) has
 * no filter, so it is walked to the end and records archived inside the window become DELETED changes.
 * Archived records are deleted for good after 90 days, so a `since` further back fails with
 * CHANGES_WINDOW_EXCEEDED (src/connectors/changes-window.ts) before any call, and the sync reconciles.
 */

interface ChangesCursor {
  phase: 'search' | 'archived';
  /** Window, epoch ms, inclusive. */
  start: number;
  end: number;
  lastId?: string;
  after?: string;
}

const isChangesCursor = (o: Record<string, unknown>): boolean =>
  (o.phase === 'search' || o.phase === 'archived') &&
  typeof o.start === 'number' &&
  typeof o.end === 'number' &&
  (o.lastId === undefined || typeof o.lastId === 'string') &&
  (o.after === undefined || typeof o.after === 'string');

/** `properties` is asked only by the search phase: the archived listing reads no properties. */
export async function listChanges(
  api: HubSpotApi,
  obj: CrmObject,
  options: ChangesOptions,
  properties: () => Promise<readonly string[]>,
): Promise<Page<NativeChange>> {
  const overlapMs = api.settings.searchOverlapMs;
  if (!options.cursor) {
    assertWithinChangesWindow(CRM, obj, options.since, api.now(), {
      ms: RECYCLE_BIN_MS,
      why: 'HubSpot keeps archived records for 90 days',
    });
  }
  const state: ChangesCursor = options.cursor
    ? decodeConnectorCursor<ChangesCursor>(CRM, options.cursor, isChangesCursor)
    : { phase: 'search', start: Math.max(0, options.since.getTime() - overlapMs), end: api.now() };
  return state.phase === 'search'
    ? searchPhase(api, obj, state, options.pageSize, properties)
    : archivedPhase(api, obj, state, options.pageSize);
}

async function searchPhase(
  api: HubSpotApi,
  obj: CrmObject,
  state: ChangesCursor,
  pageSize: number | undefined,
  properties: () => Promise<readonly string[]>,
): Promise<Page<NativeChange>> {
  const modified = MODIFIED_PROPERTY[obj];
  const all = await properties();
  const window: HsSearchFilter[] = [
    { propertyName: modified, operator: 'GTE', value: String(state.start) },
    { propertyName: modified, operator: 'LTE', value: String(state.end) },
  ];
  // Hydrated (ids and times only, then one batch read) when the property list overflows the body;
  // a record archived between the search and the read is reported by the archived phase.
  const { hits, records, lastId } = await keysetPage(
    api,
    obj,
    { groups: [window], lastId: state.lastId, properties: all, pageSize: pageSize ?? LIST_PAGE_MAX },
    [modified, 'hs_object_id'],
  );
  const timeOf = new Map(hits.map((h) => [String(h.id), h.properties?.[modified] ?? h.updatedAt ?? null]));
  const items: NativeChange[] = records.map((record) => ({
    object: obj,
    remoteId: record.remoteId,
    kind: 'UPSERTED',
    occurredAt: isoOf(timeOf.get(record.remoteId) ?? record.updatedAt, state.end),
    record,
  }));
  const next: ChangesCursor = lastId
    ? { ...state, lastId }
    : { phase: 'archived', start: state.start, end: state.end };
  return { items, nextCursor: encodeConnectorCursor(next) };
}

async function archivedPhase(
  api: HubSpotApi,
  obj: CrmObject,
  state: ChangesCursor,
  pageSize: number | undefined,
): Promise<Page<NativeChange>> {
  const modified = MODIFIED_PROPERTY[obj];
  const res = await api.http.request<HsListResponse>({
    method: 'GET',
    url: PATHS.objects(obj),
    query: {
      archived: true,
      limit: Math.max(1, Math.min(LIST_PAGE_MAX, pageSize ?? LIST_PAGE_MAX)),
      after: state.after,
      properties: modified,
    },
  });
  const items: NativeChange[] = [];
  for (const o of res.body?.results ?? []) {
    const at = Date.parse(o.archivedAt ?? o.updatedAt ?? '');
    if (!Number.isFinite(at) || at < state.start) continue;
    items.push({
      object: obj,
      remoteId: String(o.id),
      kind: 'DELETED',
      occurredAt: new Date(at).toISOString(),
    });
  }
  const after = res.body?.paging?.next?.after;
  return { items, nextCursor: after ? encodeConnectorCursor({ ...state, after }) : null };
}

/** A HubSpot time (ISO, or epoch ms as a string) as ISO-8601; the window end when it is missing. */
function isoOf(value: string | null | undefined, fallback: number): string {
  if (value) {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isFinite(ms)) return new Date(ms).toISOString();
  }
  return new Date(fallback).toISOString();
}
