// API v2 persons and deals: list, get, create, PATCH, delete (docs/vendors/pipedrive.md "Persons",
// "Deals", "Incremental sync"). Lists page by cursor; `updated_since` is inclusive and
// `updated_until` exclusive; deleted persons never list, deleted deals only under `status=deleted`.
import { type FastifyInstance } from 'fastify';
import { LIST } from './constants';
import { badRequest, PdError } from './errors';
import { type PdObject } from './fields';
import { apiRoute, type CallContext } from './http';
import { pageOf, parseLimit } from './paging';
import { renderV2 } from './render';
import { type PipedriveServer } from './state';
import { type PdRecord } from './store';
import { createRecord, deleteRecord, liveRecord, updateRecord } from './writes';

const PATHS: Record<PdObject, string> = { person: '/persons', deal: '/deals' };
const SORTS = ['id', 'update_time', 'add_time'] as const;
const DEAL_STATUSES = ['open', 'won', 'lost', 'deleted'];

function time(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const ms = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(raw) || Number.isNaN(ms))
    throw badRequest(
      `Validation failed: ${name}: expected an RFC 3339 date-time, got ${JSON.stringify(raw)}`,
    );
  return ms;
}

function idList(name: string, raw: string | undefined, max?: number): Set<number> | undefined {
  if (raw === undefined || raw === '') return undefined;
  const parts = raw.split(',');
  if (max !== undefined && parts.length > max)
    throw badRequest(`Validation failed: ${name}: at most ${max} ids, got ${parts.length}`);
  const ids = parts.map(Number);
  if (ids.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw badRequest(
      `Validation failed: ${name}: expected comma-separated positive integers, got ${JSON.stringify(raw)}`,
    );
  return new Set(ids);
}

function oneId(name: string, raw: string | undefined): number | undefined {
  const ids = idList(name, raw, 1);
  return ids ? [...ids][0] : undefined;
}

/** `custom_fields=key1,key2`: the custom values to return (at most 15 keys). */
export function customFieldKeys(raw: string | undefined): Set<string> | undefined {
  if (raw === undefined || raw === '') return undefined;
  const keys = raw.split(',');
  if (keys.length > LIST.maxCustomFields)
    throw badRequest(
      `Validation failed: custom_fields: at most ${LIST.maxCustomFields} keys, got ${keys.length}`,
    );
  return new Set(keys);
}

function filterRows(ctx: CallContext, object: PdObject): PdRecord[] {
  const q = ctx.query;
  if (q.filter_id !== undefined) throw new PdError(404, 'Filter not found');
  const ids = idList('ids', q.ids, LIST.maxIds);
  const since = time('updated_since', q.updated_since);
  const until = time('updated_until', q.updated_until);
  const equal: [string, number | undefined][] = [
    ['owner_id', oneId('owner_id', q.owner_id)],
    ['org_id', oneId('org_id', q.org_id)],
  ];
  let statuses: Set<string> | undefined;
  if (object === 'deal') {
    equal.push(
      ['person_id', oneId('person_id', q.person_id)],
      ['pipeline_id', oneId('pipeline_id', q.pipeline_id)],
      ['stage_id', oneId('stage_id', q.stage_id)],
    );
    if (q.status !== undefined && q.status !== '') {
      statuses = new Set(q.status.split(','));
      const bad = [...statuses].filter((s) => !DEAL_STATUSES.includes(s));
      if (bad.length > 0)
        throw badRequest(
          `Validation failed: status: expected open, won, lost or deleted, got ${JSON.stringify(bad.join(','))}`,
        );
    }
  }
  return ctx.org.state.store.all(object).filter((r) => {
    if (r.deletedAt !== null) {
      if (!statuses?.has('deleted')) return false;
    } else if (statuses && !statuses.has(String(r.values.status))) return false;
    if (ids && !ids.has(r.id)) return false;
    if (since !== undefined && r.updateTime < since) return false;
    if (until !== undefined && r.updateTime >= until) return false;
    return equal.every(([field, value]) => value === undefined || r.values[field] === value);
  });
}

function list(ctx: CallContext, object: PdObject): { data: unknown; additional_data: unknown } {
  const q = ctx.query;
  const sortBy = (q.sort_by ?? 'id') as (typeof SORTS)[number];
  if (!SORTS.includes(sortBy))
    throw badRequest(
      `Validation failed: sort_by: expected id, update_time or add_time, got ${JSON.stringify(q.sort_by)}`,
    );
  const direction = q.sort_direction ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc')
    throw badRequest(
      `Validation failed: sort_direction: expected asc or desc, got ${JSON.stringify(direction)}`,
    );
  const limit = parseLimit(q.limit);
  const only = customFieldKeys(q.custom_fields);
  const key = (r: PdRecord): number =>
    sortBy === 'id' ? r.id : sortBy === 'add_time' ? r.addTime : r.updateTime;
  const order = `${object}:${sortBy}:${direction}`;
  const { page, nextCursor } = pageOf(filterRows(ctx, object), key, direction, limit, order, q.cursor);
  return {
    data: page.map((r) => renderV2(ctx.org.state.store, r, only)),
    additional_data: { next_cursor: nextCursor },
  };
}

/** The single record GET: deleted records stay readable, `is_deleted: true`, until purged (UNVERIFIED for persons). */
function getOne(ctx: CallContext, object: PdObject): { data: unknown } {
  const store = ctx.org.state.store;
  let record: PdRecord;
  try {
    record = liveRecord(store, object, ctx.params.id);
  } catch (err) {
    const deleted = store.get(object, Number(ctx.params.id));
    if (!(err instanceof PdError && err.statusCode === 404 && deleted)) throw err;
    record = deleted;
  }
  return { data: renderV2(store, record, customFieldKeys(ctx.query.custom_fields)) };
}

export function registerRecordRoutes(app: FastifyInstance, server: PipedriveServer): void {
  for (const object of ['person', 'deal'] as const) {
    const path = PATHS[object];
    apiRoute(app, server, { method: 'GET', path, version: 'v2', kind: 'list' }, (ctx) => list(ctx, object));
    apiRoute(app, server, { method: 'GET', path: `${path}/:id`, version: 'v2', kind: 'get' }, (ctx) =>
      getOne(ctx, object),
    );
    apiRoute(app, server, { method: 'POST', path, version: 'v2', kind: 'create' }, (ctx) => {
      const store = ctx.org.state.store;
      const record = createRecord(
        store,
        object,
        ctx.body,
        { source: 'api', userId: ctx.userId },
        ctx.org.now(),
      );
      return { status: 201, data: renderV2(store, record) };
    });
    apiRoute(app, server, { method: 'PATCH', path: `${path}/:id`, version: 'v2', kind: 'update' }, (ctx) => {
      const store = ctx.org.state.store;
      const record = liveRecord(store, object, ctx.params.id);
      updateRecord(store, record, ctx.body, { source: 'api', userId: ctx.userId }, ctx.org.now());
      return { data: renderV2(store, record) };
    });
    apiRoute(app, server, { method: 'DELETE', path: `${path}/:id`, version: 'v2', kind: 'delete' }, (ctx) => {
      const record = liveRecord(ctx.org.state.store, object, ctx.params.id);
      deleteRecord(ctx.org.state.store, record, { source: 'api', userId: ctx.userId });
      return { data: { id: record.id } };
    });
  }
}
