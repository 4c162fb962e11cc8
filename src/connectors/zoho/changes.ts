import { assertWithinChangesWindow, DAY_MS } from '../changes-window';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type ChangesOptions, type ChangesPage, type CrmObject, type NativeChange } from '../types';
import { type ZohoApi } from './api-context';
import { coql, coqlTime, quote } from './coql';
import { ENDPOINT } from './declaration';
import { isoTime } from './mappers';
import { readFieldList, recordsOf } from './records';
import { isRecordId, zohoRequest } from './request';
import {
  CRM,
  DELETED_KEPT_DAYS,
  MAX_COQL_LIMIT,
  MAX_FIELDS,
  MAX_PER_PAGE,
  MODULES,
  PATHS,
} from './zoho.constants';
import { type ZohoDeleted, type ZohoPage } from './wire.types';

/**
 * Changes since an instant (docs/vendors/zoho.md "Connector: changes and deletions").
 *
 * Modified records: COQL over `Modified_Time` in a window fixed at the first page — `[since, end]`,
 * `since` floored and `end` ceiled to the second (Zoho stamps to the second) — ordered by
 * `Modified_Time, id` and paged by keyset on that pair: the next page starts after the last
 * (time, id) seen, so records sharing a second are neither skipped nor repeated however the pages fall.
 * A record changed during the walk moves past `end` and is reported by the next poll.
 *
 * Deleted records: the module's deleted-records list (`type=all`: the recycle bin and the purged),
 * `If-Modified-Since` the window's start, page by page; entries deleted before the start are left out.
 * Zoho keeps deletions 60 days: a `since` further back fails with CHANGES_WINDOW_EXCEEDED before any
 * call, and sync reconciles in full.
 */

interface ChangesCursor {
  phase: 'modified' | 'deleted';
  /** Window, epoch ms: [start, end]. */
  start: number;
  end: number;
  /** Keyset position of the modified phase: the last (time ms, id) seen. */
  afterMs?: number;
  afterId?: string;
  /** Page of the deleted phase. */
  page?: number;
}

const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

const isChangesCursor = (o: Record<string, unknown>): boolean =>
  (o.phase === 'modified' || o.phase === 'deleted') &&
  isNum(o.start) &&
  isNum(o.end) &&
  (o.afterMs === undefined || isNum(o.afterMs)) &&
  (o.afterId === undefined || (typeof o.afterId === 'string' && isRecordId(o.afterId))) &&
  (o.page === undefined || (isNum(o.page) && (o.page as number) >= 1));

export async function listChanges(
  api: ZohoApi,
  obj: CrmObject,
  options: ChangesOptions,
): Promise<ChangesPage> {
  if (!options.cursor) {
    assertWithinChangesWindow(CRM, obj, options.since, api.now(), {
      ms: DELETED_KEPT_DAYS * DAY_MS,
      why: `Zoho CRM keeps deleted records ${DELETED_KEPT_DAYS} days`,
    });
  }
  const state: ChangesCursor = options.cursor
    ? decodeConnectorCursor<ChangesCursor>(CRM, options.cursor, isChangesCursor)
    : {
        phase: 'modified',
        start: Math.floor(options.since.getTime() / 1000) * 1000,
        end: Math.ceil(api.now() / 1000) * 1000,
      };
  const pageSize = Math.max(1, Math.min(MAX_COQL_LIMIT, options.pageSize ?? MAX_COQL_LIMIT));
  return state.phase === 'modified'
    ? modifiedPhase(api, obj, state, pageSize)
    : deletedPhase(api, obj, state);
}

/** Rows after the keyset position, inside the window. */
function windowWhere(state: ChangesCursor): string {
  const end = `Modified_Time <= ${coqlTime(state.end)}`;
  if (state.afterMs === undefined || !state.afterId)
    return `(Modified_Time >= ${coqlTime(state.start)} and ${end})`;
  const at = coqlTime(state.afterMs);
  return `((Modified_Time > ${at} or (Modified_Time = ${at} and id > ${quote(state.afterId)})) and ${end})`;
}

async function modifiedPhase(
  api: ZohoApi,
  obj: CrmObject,
  state: ChangesCursor,
  pageSize: number,
): Promise<ChangesPage> {
  const fields = await readFieldList(api, obj);
  const { rows, more } = await coql(api, {
    fields: ['id', ...fields].slice(0, MAX_FIELDS),
    module: MODULES[obj],
    where: windowWhere(state),
    orderBy: 'Modified_Time asc, id asc',
    limit: pageSize,
  });
  const records = await recordsOf(api, obj, rows);
  const items: NativeChange[] = records.map((record) => ({
    object: obj,
    remoteId: record.remoteId,
    kind: 'UPSERTED',
    occurredAt: record.updatedAt ?? new Date(state.end).toISOString(),
    record,
  }));
  const last = records.at(-1);
  const lastMs = last?.updatedAt ? Date.parse(last.updatedAt) : NaN;
  if ((more || rows.length >= pageSize) && last && Number.isFinite(lastMs)) {
    return {
      items,
      nextCursor: encodeConnectorCursor({ ...state, afterMs: lastMs, afterId: last.remoteId }),
    };
  }
  const next: ChangesCursor = { phase: 'deleted', start: state.start, end: state.end, page: 1 };
  return { items, nextCursor: encodeConnectorCursor(next) };
}

async function deletedPhase(api: ZohoApi, obj: CrmObject, state: ChangesCursor): Promise<ChangesPage> {
  const page = state.page ?? 1;
  const res = await zohoRequest<ZohoPage<ZohoDeleted>>(api, ENDPOINT.read, {
    method: 'GET',
    url: PATHS.deleted(obj),
    query: { type: 'all', page, per_page: MAX_PER_PAGE },
    headers: { 'if-modified-since': new Date(state.start).toISOString().replace(/\.\d{3}Z$/, '+00:00') },
  });
  const items: NativeChange[] = [];
  for (const entry of res.data ?? []) {
    const at = isoTime(entry.deleted_time);
    if (typeof entry.id !== 'string' || !isRecordId(entry.id) || !at) continue;
    const ms = Date.parse(at);
    if (ms < state.start) continue;
    items.push({
      object: obj,
      remoteId: entry.id,
      kind: 'DELETED',
      occurredAt: at,
    });
  }
  const more = res.info?.more_records === true;
  return { items, nextCursor: more ? encodeConnectorCursor({ ...state, page: page + 1 }) : null };
}
