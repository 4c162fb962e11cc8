// Reading records (docs/vendors/zoho.md "Listing records", "Getting a record"): `GET /{module}` with
// the required `fields`, `page`/`per_page`/`page_token`, `sort_by`/`sort_order`, `ids`, and
// `If-Modified-Since` (304 when nothing changed since); `GET /{module}/{id}`. No rows: 204.
import { type FastifyInstance } from 'fastify';
import { LIST, type ModuleName } from './constants';
import { invalidData, limitExceeded, requiredParam, ZohoError } from './errors';
import { fieldOf } from './fields';
import { apiRoute, type Answer, type CallContext } from './http';
import { moduleOf } from './modules';
import { intParam, sortRows, type PagePosition } from './paging';
import { renderRecord, zohoTime } from './render';
import { type ZohoServer } from './state';
import { type ZohoRecord } from './store';

const SORTS = ['id', 'Created_Time', 'Modified_Time'] as const;
type SortBy = (typeof SORTS)[number];

/** `fields=a,b`: required, at most 50, each a field of the module (UNVERIFIED: Zoho's answer to an unknown name). */
export function fieldList(
  module: ModuleName,
  raw: string | undefined,
  required: boolean,
): string[] | undefined {
  if (raw === undefined || raw.trim() === '') {
    if (required) throw requiredParam('fields');
    return undefined;
  }
  const names = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  if (names.length > LIST.maxFields) throw limitExceeded('fields', LIST.maxFields);
  for (const name of names)
    if (!fieldOf(module, name))
      throw invalidData('invalid field api name given in fields', { param_name: 'fields', api_name: name });
  return names.filter((n) => n !== 'id');
}

export function idList(
  raw: string | undefined,
  param = 'ids',
  max: number = LIST.maxIds,
): Set<string> | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ids = raw.split(',').map((s) => s.trim());
  if (ids.length > max)
    throw limitExceeded(param, max, `Limit Exceeded, You cannot give more than ${max} record ids`);
  if (ids.some((id) => !/^\d{1,19}$/.test(id))) throw invalidData('invalid data', { param_name: param });
  return new Set(ids);
}

/** `If-Modified-Since`: records modified strictly after it (docs/vendors/zoho.md "Listing records"). */
export function modifiedSince(ctx: CallContext): number | undefined {
  const raw = ctx.request.headers['if-modified-since'];
  if (typeof raw !== 'string' || raw === '') return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms))
    throw invalidData('invalid data for If-Modified-Since', { param_name: 'If-Modified-Since' });
  return ms;
}

function sortKey(sortBy: SortBy): (r: ZohoRecord) => number {
  if (sortBy === 'Created_Time') return (r) => r.createdTime;
  if (sortBy === 'Modified_Time') return (r) => r.modifiedTime;
  // By id: ids share one length per org, so their numeric order is the counter's.
  return (r) => Number(r.id.slice(-12));
}

function list(ctx: CallContext): Answer {
  const module = moduleOf(ctx.params.module);
  const q = ctx.query;
  const fields = fieldList(module, q.fields, true)!;
  const perPage = intParam('per_page', q.per_page, 1, LIST.maxPerPage, LIST.defaultPerPage);
  const sortBy = (q.sort_by ?? 'id') as SortBy;
  if (!SORTS.includes(sortBy))
    throw invalidData('invalid data', { param_name: 'sort_by', supported_values: [...SORTS] });
  const sortOrder = q.sort_order ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc')
    throw invalidData('invalid data', { param_name: 'sort_order', supported_values: ['asc', 'desc'] });
  const ids = idList(q.ids);
  const since = modifiedSince(ctx);
  const state = ctx.org.state;
  const now = ctx.org.now();
  // A token is bound to everything that shapes the result but the page itself.
  const bound = JSON.stringify([
    module,
    fields,
    perPage,
    sortBy,
    sortOrder,
    q.ids ?? null,
    since ?? null,
    q.cvid ?? null,
  ]);
  let position: PagePosition | undefined;
  let page: number;
  if (q.page_token !== undefined) {
    if (q.page !== undefined)
      throw invalidData('page and page_token cannot be given together', { param_name: 'page' });
    position = state.pageTokens.resolve(q.page_token, bound, now);
    if (position.served >= LIST.tokenLimit)
      throw new ZohoError(
        400,
        'PAGINATION_LIMIT_EXCEEDED',
        `You can only get upto ${LIST.tokenLimit} records using page_token param`,
        {
          param_name: 'page_token',
        },
      );
    page = position.page;
  } else {
    page = intParam('page', q.page, 1, Number.MAX_SAFE_INTEGER, 1);
    if (page * perPage > LIST.discreteLimit)
      throw new ZohoError(
        400,
        'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
        `You can only get the first ${LIST.discreteLimit} records without using page_token param`,
        { limit: LIST.discreteLimit },
      );
  }
  const rows = state.store
    .all(module)
    .filter((r) => (!ids || ids.has(r.id)) && (since === undefined || r.modifiedTime > since));
  const sorted = sortRows(rows, sortKey(sortBy), sortOrder, position);
  const start = position ? 0 : (page - 1) * perPage;
  const served = position ? position.served : start;
  const reach = Math.max(0, LIST.tokenLimit - served);
  const slice = sorted.slice(start, start + Math.min(perPage, reach));
  if (slice.length === 0) return { status: since !== undefined && rows.length === 0 ? 304 : 204 };
  const more = sorted.length > start + slice.length && served + slice.length < LIST.tokenLimit;
  const last = slice[slice.length - 1]!;
  let next: { token: string; expiresAt: number } | null = null;
  if (more)
    next = state.pageTokens.issue(
      bound,
      { v: last.v, id: last.id, served: served + slice.length, page: page + 1 },
      now,
      state.settings.pageTokenTtlMs,
    );
  return {
    body: {
      data: slice.map((r) => renderRecord(state.store, r.row, fields)),
      info: {
        call: false,
        per_page: perPage,
        next_page_token: next?.token ?? null,
        count: slice.length,
        sort_by: sortBy,
        page,
        previous_page_token: null,
        page_token_expiry: next ? zohoTime(next.expiresAt) : null,
        sort_order: sortOrder,
        email: false,
        more_records: more,
      },
    },
  };
}

function getOne(ctx: CallContext): Answer {
  const module = moduleOf(ctx.params.module);
  const fields = fieldList(module, ctx.query.fields, false);
  const state = ctx.org.state;
  const record = /^\d{1,19}$/.test(ctx.params.id ?? '') ? state.store.get(module, ctx.params.id!) : undefined;
  // UNVERIFIED: an id that is not (or no longer) a record of the module answers 204, like an empty list.
  if (!record) return { status: 204 };
  const since = modifiedSince(ctx);
  if (since !== undefined && record.modifiedTime <= since) return { status: 304 };
  return { body: { data: [renderRecord(state.store, record, fields)] } };
}

export function registerRecordReadRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'GET', path: '/:module' }, list);
  apiRoute(app, server, { method: 'GET', path: '/:module/:id' }, getOne);
}
