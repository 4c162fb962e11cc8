import { CrmUpstreamError } from '../../errors';
import { CHANGES_WINDOW_EXCEEDED, DAY_MS, assertWithinChangesWindow } from '../changes-window';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type ChangesOptions, type ChangesPage, type CrmObject, type NativeChange } from '../types';
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
 *
 * The feed is kept by position (`CrmConnector.startChanges`): Dataverse cannot answer "changes since a
 * time" with deletions, only "changes since this token". `startChanges` pages a tracked read of the key
 * column alone to its end for a token; `listChanges` follows the stored position.
 */

interface DeltaPosition {
  /** `$deltatoken` of the last delta link. */
  d?: string;
  /** `$skiptoken` of the next page of the same read (of the delta `d` names, if any), with the page size it was issued for. */
  s?: string;
  n: number;
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
    // A tracked read cannot `$expand`: a deal's row lacks its currency code, and compared as it is it
    // would read as a currency change. Without a record the sync reads the deal whole, in batches.
    ...(obj === 'deal' ? {} : { record }),
  };
}

interface TrackedRead {
  rows: WireRow[];
  /** `$skiptoken` of the next page, or null on the last. */
  skip: string | null;
  /** `$deltatoken` of the delta link the last page carries. */
  delta: string | null;
}

/** One page of a tracked read of `select`, from a position (a new tracked read of every row without one). */
async function readTracked(
  api: DynamicsApi,
  obj: CrmObject,
  position: DeltaPosition | null,
  pageSize: number,
  select: string,
): Promise<TrackedRead> {
  const query = {
    $select: select,
    // A page of a delta read names both tokens, as the delta read's own next link does.
    ...(position?.d ? { $deltatoken: position.d } : {}),
    ...(position?.s ? { $skiptoken: position.s } : {}),
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
  const deltaLink = body?.['@odata.deltaLink'];
  return {
    rows: body?.value ?? [],
    skip: skipTokenOf(body?.['@odata.nextLink']),
    delta: deltaLink ? new URL(deltaLink).searchParams.get('$deltatoken') : null,
  };
}

/** A page continues at the size its skip token was issued for; a delta token starts at any size. */
function pageSizeOf(position: DeltaPosition, requested: number | undefined): number {
  if (position.s) return position.n;
  return Math.min(Math.max(1, Math.floor(requested ?? position.n)), MAX_PAGE_SIZE);
}

/** The window of a delta token: the org's `ExpireChangeTrackingInDays` as the connection states it. */
function tokenWindow(api: DynamicsApi): { ms: number; why: string } {
  const days = api.settings.changeTrackingDays;
  return {
    ms: days * DAY_MS,
    why: `Dataverse change-tracking tokens expire after ${days} days (the org's ExpireChangeTrackingInDays)`,
  };
}

function noPosition(obj: CrmObject): CrmUpstreamError {
  return new CrmUpstreamError(`no Dataverse change-tracking position for ${obj}; reconcile in full`, {
    crm: CRM,
    vendorCode: CHANGES_WINDOW_EXCEEDED,
    details: { fullResyncRequired: true },
  });
}

/**
 * Changes since the stored position (`options.position`), or the page `options.cursor` continues; the
 * last page names the position the next read starts from. A `since` older than the token window fails
 * before any call, as a token that old has expired; without a position there is nothing to follow, and
 * the sync reconciles in full and starts a new one. `now` stamps deletions, which carry no time.
 */
export async function listChanges(
  api: DynamicsApi,
  obj: CrmObject,
  options: ChangesOptions,
  now: () => number = Date.now,
): Promise<ChangesPage> {
  assertWithinChangesWindow(CRM, obj, options.since, now(), tokenWindow(api));
  const from = options.cursor ?? options.position;
  if (!from) throw noPosition(obj);
  const position = decodePosition(from);
  const pageSize = pageSizeOf(position, options.pageSize);
  const read = await readTracked(api, obj, position, pageSize, readQuery(api, obj).$select);
  const readAt = new Date(now()).toISOString();
  return {
    items: read.rows.map((row) => toChange(obj, row, readAt)),
    nextCursor: read.skip
      ? encodeConnectorCursor({ d: position.d, s: read.skip, n: pageSize } satisfies DeltaPosition)
      : null,
    position: read.delta
      ? encodeConnectorCursor({ d: read.delta, n: pageSize } satisfies DeltaPosition)
      : null,
  };
}

/**
 * A delta position as of now: a tracked read of the key column alone, paged at the largest page to its
 * end (its rows are not changes: the backfill or reconcile reads the records). `onPage` runs after each.
 */
export async function startChanges(
  api: DynamicsApi,
  obj: CrmObject,
  onPage?: () => Promise<void>,
): Promise<string> {
  const key = TABLES[obj].key;
  let position: DeltaPosition | null = null;
  for (;;) {
    const read = await readTracked(api, obj, position, MAX_PAGE_SIZE, key);
    await onPage?.();
    // The position changes are read from later: pages of the usual size, not of this read's.
    if (read.delta) return encodeConnectorCursor({ d: read.delta, n: MAX_PAGE_SIZE } satisfies DeltaPosition);
    if (!read.skip) {
      throw new CrmUpstreamError(`Dataverse tracked read of ${obj} ended without a delta link`, { crm: CRM });
    }
    position = { s: read.skip, n: MAX_PAGE_SIZE };
  }
}
