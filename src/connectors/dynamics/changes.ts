import { CrmUpstreamError } from '../../errors';
import { CHANGES_WINDOW_EXCEEDED } from '../changes-window';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type CrmObject, type NativeChange, type Page } from '../types';
import { type DynamicsApi } from './api-context';
import { readQuery } from './columns';
import { CRM, MAX_PAGE_SIZE, TABLES } from './dynamics.constants';
import { isChangeTrackingExpired } from './errors';
import { skipTokenOf } from './list';
import { rowToRecord } from './mappers';
import { webApiRequest } from './webapi';
import { type WireCollection, type WireRow } from './wire.types';

/**
 * Change tracking (docs/vendors/dynamics.md "Change tracking"): a read with `Prefer: odata.track-changes`
 * lists every row and ends, on its last page, with `@odata.deltaLink`; following the link returns the
 * rows created or updated since (current values), then the deleted ones as `$deletedEntity` rows, and a
 * new delta link. As for lists, a position holds only tokens — the `$deltatoken` of the link, or the
 * `$skiptoken` of a page of it and its page size — and the connector rebuilds the request. `$filter`,
 * `$orderby`, `$expand` and `$top` are refused with track-changes, so tracked reads select only the
 * row's own columns (the currency code is not read here).
 *
 * An expired token (the org's `ExpireChangeTrackingInDays`, 7 by default) is Dataverse's "perform a full
 * sync": it becomes CHANGES_WINDOW_EXCEEDED with `fullResyncRequired`, which the sync answers by
 * reconciling in full (`../changes-window.ts`).
 */

interface DeltaPosition {
  /** `$deltatoken` of the last delta link. */
  d?: string;
  /** `$skiptoken` of the next page of the same read, with the page size it was issued for. */
  s?: string;
  n: number;
}

/** One page of a tracked read: its changes, where it continues, and the delta position once it ends. */
export interface TrackedPage extends Page<NativeChange> {
  /** Set on the last page: where the next read of changes starts (a cursor of this module). */
  deltaCursor: string | null;
}

function decodePosition(cursor: string): DeltaPosition {
  return decodeConnectorCursor<DeltaPosition>(
    CRM,
    cursor,
    (o) =>
      Number.isInteger(o.n) && (o.n as number) > 0 && (typeof o.d === 'string' || typeof o.s === 'string'),
  );
}

function isDeleted(row: WireRow): boolean {
  const context = row['@odata.context'];
  return typeof context === 'string' && context.endsWith('/$deletedEntity');
}

function toChange(obj: CrmObject, row: WireRow, readAt: string): NativeChange {
  if (isDeleted(row)) {
    // A deleted row names only its id; Dataverse says nothing of when it went.
    return { object: obj, remoteId: String(row.id).toLowerCase(), kind: 'DELETED', occurredAt: readAt };
  }
  const record = rowToRecord(obj, row);
  return {
    object: obj,
    remoteId: record.remoteId,
    kind: 'UPSERTED',
    occurredAt: record.updatedAt ?? readAt,
    record,
  };
}

/**
 * One page of changes: from `cursor` (a delta or page position), or — without one — the first page of
 * a new tracked read of every row (a start: every row reads as UPSERTED). `now` stamps deletions.
 */
export async function readChanges(
  api: DynamicsApi,
  obj: CrmObject,
  options: { cursor?: string | null; pageSize?: number },
  now: () => number = Date.now,
): Promise<TrackedPage> {
  const position = options.cursor ? decodePosition(options.cursor) : null;
  const pageSize =
    position?.n ?? Math.min(Math.max(1, Math.floor(options.pageSize ?? MAX_PAGE_SIZE)), MAX_PAGE_SIZE);
  const query = {
    $select: readQuery(api, obj).$select,
    ...(position?.s ? { $skiptoken: position.s } : position?.d ? { $deltatoken: position.d } : {}),
  };
  let body: WireCollection | null;
  try {
    const res = await webApiRequest<WireCollection>(api, {
      method: 'GET',
      resource: TABLES[obj].set,
      query,
      prefer: ['odata.track-changes', `odata.maxpagesize=${pageSize}`],
    });
    body = res.body;
  } catch (err) {
    if (!isChangeTrackingExpired(err)) throw err;
    throw new CrmUpstreamError(`Dataverse change-tracking token for ${obj} expired; reconcile in full`, {
      crm: CRM,
      vendorCode: CHANGES_WINDOW_EXCEEDED,
      details: { fullResyncRequired: true },
      cause: err,
    });
  }
  const readAt = new Date(now()).toISOString();
  const items = (body?.value ?? []).map((row) => toChange(obj, row, readAt));
  const skip = skipTokenOf(body?.['@odata.nextLink']);
  const delta = body?.['@odata.deltaLink']
    ? new URL(body['@odata.deltaLink']).searchParams.get('$deltatoken')
    : null;
  return {
    items,
    nextCursor: skip ? encodeConnectorCursor({ s: skip, n: pageSize } satisfies DeltaPosition) : null,
    deltaCursor: delta ? encodeConnectorCursor({ d: delta, n: pageSize } satisfies DeltaPosition) : null,
  };
}
