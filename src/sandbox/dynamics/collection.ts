// Listing a table (docs/vendors/dynamics.md "Querying", "Paging", "Counting rows", "Change
// tracking"): filter, order (the primary key breaks ties, so keyset paging is stable), `$top`,
// `odata.maxpagesize` pages with `$skiptoken` next links, `$count`, and the delta-link mode.
import {
  checkNotExpired,
  decodeDeltaToken,
  deltaRows,
  encodeDeltaToken,
  refuseUnsupportedOptions,
  requireTracking,
} from './change-tracking';
import { COUNT_CAP, MAX_PAGE_SIZE } from './constants';
import { type DvContext } from './context';
import { badRequest } from './errors';
import { comparableValue, matches } from './odata-filter';
import { decodeCookie, linkQuery, nextLinkFor, type PageCookie } from './paging';
import { parseQueryOptions, type OrderTerm, type QueryOptions } from './query-options';
import { renderRecord } from './render';
import { attributeOf, lookupFromValueProperty, type EntityDef } from './schema';
import { type DvRecord } from './store';
import { annotationsApplied, json, type WebApiResponse, wantsAnnotation } from './webapi-types';

type SortKey = (string | number | boolean | null)[];

function sortKey(entity: EntityDef, record: DvRecord, order: OrderTerm[]): SortKey {
  const key: SortKey = order.map((t) => {
    const attribute = lookupFromValueProperty(entity, t.property) ?? attributeOf(entity, t.property)!;
    return comparableValue(record, attribute);
  });
  key.push(record.id);
  return key;
}

/** Nulls first in ascending order, as SQL Server sorts them. */
function compareKeys(a: SortKey, b: SortKey, order: OrderTerm[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    const desc = order[i]?.descending ?? false;
    let c: number;
    if (x === null) c = -1;
    else if (y === null) c = 1;
    else c = x < y ? -1 : 1;
    return desc ? -c : c;
  }
  return 0;
}

function contextUrl(ctx: DvContext, entity: EntityDef, options: QueryOptions, suffix = ''): string {
  const columns = options.select ? `(${options.select.join(',')})` : '';
  return `${ctx.root}$metadata#${entity.entitySetName}${columns}${suffix}`;
}

function pageSize(ctx: DvContext): number {
  return Math.min(ctx.prefs.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
}

function appliedPreferences(ctx: DvContext, extra: string[]): Record<string, string> {
  const applied = [...extra];
  if (ctx.prefs.maxPageSize !== undefined) applied.push(`odata.maxpagesize=${pageSize(ctx)}`);
  const annotations = annotationsApplied(ctx.prefs);
  if (annotations) applied.push(annotations);
  return applied.length > 0 ? { 'preference-applied': applied.join(',') } : {};
}

function countAnnotations(ctx: DvContext, options: QueryOptions, total: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (wantsAnnotation(ctx.prefs, 'Microsoft.Dynamics.CRM.totalrecordcount')) {
    out['@Microsoft.Dynamics.CRM.totalrecordcount'] = options.count ? Math.min(total, COUNT_CAP) : -1;
    out['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = total > COUNT_CAP;
  }
  if (options.count) out['@odata.count'] = Math.min(total, COUNT_CAP);
  return out;
}

export function listRows(ctx: DvContext, entity: EntityDef): WebApiResponse {
  const options = parseQueryOptions(entity, ctx.req.query);
  if (options.deltaToken !== undefined) return listDelta(ctx, entity, options);
  if (ctx.prefs.trackChanges) {
    requireTracking(entity);
    refuseUnsupportedOptions(options.present);
  }
  const cookie = options.skipToken !== undefined ? decodeCookie(options.skipToken) : undefined;
  const size = pageSize(ctx);
  if (cookie && cookie.pageSize !== size)
    throw badRequest(
      `The $skiptoken was issued for odata.maxpagesize=${cookie.pageSize}; resend that page size.`,
    );
  const trackingVersion =
    cookie?.trackingVersion ?? (ctx.prefs.trackChanges ? ctx.store.currentVersion : undefined);
  let rows = [...ctx.store.table(entity.logicalName).values()];
  if (options.filter) rows = rows.filter((r) => matches(options.filter!, r));
  const total = rows.length;
  const keyed = rows.map((r) => ({ r, k: sortKey(entity, r, options.orderBy) }));
  keyed.sort((a, b) => compareKeys(a.k, b.k, options.orderBy));
  let start = 0;
  if (cookie?.after) {
    const after = cookie.after as SortKey;
    start = keyed.findIndex((x) => compareKeys(x.k, after, options.orderBy) > 0);
    if (start < 0) start = keyed.length;
  }
  // $top is ignored when a page size is asked for ("Paging").
  const limit =
    options.top !== undefined && ctx.prefs.maxPageSize === undefined ? Math.min(options.top, size) : size;
  const page = keyed.slice(start, start + limit);
  const more =
    start + page.length < keyed.length && !(options.top !== undefined && ctx.prefs.maxPageSize === undefined);
  const body: Record<string, unknown> = {
    '@odata.context': contextUrl(ctx, entity, options),
    ...countAnnotations(ctx, options, total),
    value: page.map(({ r }) =>
      renderRecord(
        entity,
        r,
        ctx.store,
        { select: options.select, expand: options.expand, prefs: ctx.prefs },
        ctx.req.origin,
      ),
    ),
  };
  if (more) {
    const next: PageCookie = {
      page: (cookie?.page ?? 1) + 1,
      after: page[page.length - 1]?.k,
      pageSize: size,
      trackingVersion,
    };
    body['@odata.nextLink'] = nextLinkFor(ctx.root, entity.entitySetName, ctx.req.query, next);
  } else if (trackingVersion !== undefined) {
    body['@odata.deltaLink'] = deltaLink(ctx, entity, trackingVersion);
  }
  return json(200, body, appliedPreferences(ctx, ctx.prefs.trackChanges ? ['odata.track-changes'] : []));
}

function deltaLink(ctx: DvContext, entity: EntityDef, version: number): string {
  const q = new URLSearchParams();
  const select = ctx.req.query.get('$select');
  if (select !== null) q.set('$select', select);
  q.set('$deltatoken', encodeDeltaToken(version, ctx.org.now()));
  return `${ctx.root}${entity.entitySetName}?${linkQuery(q)}`;
}

function listDelta(ctx: DvContext, entity: EntityDef, options: QueryOptions): WebApiResponse {
  requireTracking(entity);
  refuseUnsupportedOptions(options.present);
  const token = decodeDeltaToken(options.deltaToken!);
  checkNotExpired(token.issuedAt, ctx.org.now(), ctx.org.state.settings.changeTrackingExpiryDays);
  const cookie = options.skipToken !== undefined ? decodeCookie(options.skipToken) : undefined;
  const upTo = cookie?.trackingVersion ?? ctx.store.currentVersion;
  const size = pageSize(ctx);
  const all = deltaRows(ctx.store, entity, token.version, upTo);
  const offset = cookie?.offset ?? 0;
  const page = all.slice(offset, offset + size);
  const body: Record<string, unknown> = {
    '@odata.context': contextUrl(ctx, entity, options, '/$delta'),
    ...(options.count ? { '@odata.count': Math.min(all.length, COUNT_CAP) } : {}),
    value: page.map((row) =>
      row.kind === 'row'
        ? renderRecord(
            entity,
            row.record,
            ctx.store,
            { select: options.select, prefs: ctx.prefs },
            ctx.req.origin,
          )
        : {
            '@odata.context': `${ctx.root}$metadata#${entity.entitySetName}/$deletedEntity`,
            id: row.id,
            reason: 'deleted',
          },
    ),
  };
  if (offset + page.length < all.length) {
    const next: PageCookie = {
      page: (cookie?.page ?? 1) + 1,
      offset: offset + page.length,
      pageSize: size,
      trackingVersion: upTo,
    };
    body['@odata.nextLink'] = nextLinkFor(ctx.root, entity.entitySetName, ctx.req.query, next);
  } else body['@odata.deltaLink'] = deltaLink(ctx, entity, upTo);
  return json(200, body, appliedPreferences(ctx, ['odata.track-changes']));
}

/** `GET /<set>/$count`: a plain-text number, capped like `$count` ("Counting rows"). */
export function countRows(ctx: DvContext, entity: EntityDef): WebApiResponse {
  const options = parseQueryOptions(entity, ctx.req.query);
  let rows = [...ctx.store.table(entity.logicalName).values()];
  if (options.filter) rows = rows.filter((r) => matches(options.filter!, r));
  return {
    status: 200,
    headers: { 'content-type': 'text/plain', 'odata-version': '4.0' },
    body: String(Math.min(rows.length, COUNT_CAP)),
  };
}
