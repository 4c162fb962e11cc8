// Writing records (docs/vendors/zoho.md "Writing records", "Upsert", "Deleting records"): create,
// update and upsert of up to 100 records a call, each answered in order with its own code, and the
// HTTP status summing them up (all well, some failed: 207, all failed: 400); delete by ids (≤ 100) into
// the recycle bin and the listing of deleted records.
import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { LIST, WRITE, type ModuleName } from './constants';
import { invalidData, limitExceeded, recordError, requiredParam, type RecordOutcome } from './errors';
import { SYSTEM_DUPLICATE_FIELD, MODULE_FIELDS } from './fields';
import { apiRoute, type Answer, type CallContext } from './http';
import { moduleOf } from './modules';
import { intParam } from './paging';
import { idList, modifiedSince } from './records';
import { displayName, writeDetails, zohoTime } from './render';
import { type ZohoServer } from './state';
import { compareIds, type OrgStore, type ZohoRecord } from './store';
import { isOutcome, validateInput } from './validate';

/** Who writes: the token's user through the API, the admin user through the sandbox admin API. */
export interface Writer {
  store: OrgStore;
  userId: string;
  /** The instant of the change (admin helpers choose it); undefined: the org's clock. */
  at?: number;
}

function success(message: string, details: Record<string, unknown>): RecordOutcome {
  return { code: 'SUCCESS', details, message, status: 'success' };
}

export function createRecord(w: Writer, module: ModuleName, input: unknown, index = 0): RecordOutcome {
  const clean = validateInput(w.store, module, input, index);
  if (isOutcome(clean)) return clean;
  const record = w.store.create(module, clean.values, clean.ownerId ?? w.userId, w.userId, w.at);
  return success('record added', writeDetails(w.store, record));
}

export function updateRecord(w: Writer, record: ZohoRecord, input: unknown, index = 0): RecordOutcome {
  const clean = validateInput(w.store, record.module, input, index, record);
  if (isOutcome(clean)) return clean;
  w.store.update(record, clean.values, w.userId, clean.ownerId, w.at);
  return success('record updated', writeDetails(w.store, record));
}

export function deleteRecord(w: Writer, module: ModuleName, id: string): RecordOutcome {
  const record = w.store.get(module, id);
  if (!record) return recordError('INVALID_DATA', 'record not deleted', { id });
  w.store.remove(record, w.userId, displayName(record) || null, w.at);
  return success('record deleted', { id });
}

function notFound(id: unknown, index: number): RecordOutcome {
  return recordError('INVALID_DATA', 'the related id given seems to be invalid', {
    api_name: 'id',
    json_path: `$.data[${index}].id`,
    ...(typeof id === 'string' ? { id } : {}),
  });
}

/** The `data` array of a write body: present, an array, at most 100 records. */
function dataOf(body: unknown): unknown[] {
  const data = (body as { data?: unknown } | null | undefined)?.data;
  if (data === undefined) throw requiredParam('data');
  if (!Array.isArray(data) || data.length === 0) throw invalidData('invalid data', { param_name: 'data' });
  if (data.length > WRITE.maxRecords) throw limitExceeded('data', WRITE.maxRecords);
  return data;
}

/** The status of a write answer: `ok` when all succeed, 207 when mixed, 400 when all fail. */
function summed(outcomes: RecordOutcome[], ok: number): Answer {
  const failed = outcomes.filter((o) => o.status === 'error').length;
  const status = failed === 0 ? ok : failed === outcomes.length ? 400 : 207;
  return { status, body: { data: outcomes } };
}

function writer(ctx: CallContext): Writer {
  return { store: ctx.org.state.store, userId: ctx.userId };
}

function update(ctx: CallContext, module: ModuleName, items: unknown[], pathId?: string): Answer {
  const w = writer(ctx);
  const outcomes = items.map((item, i) => {
    const id = pathId ?? (item as { id?: unknown } | null)?.id;
    if (id === undefined || id === null || id === '')
      return recordError('MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: 'id',
        json_path: `$.data[${i}].id`,
      });
    const record = typeof id === 'string' ? w.store.get(module, id) : undefined;
    return record ? updateRecord(w, record, item, i) : notFound(id, i);
  });
  return summed(outcomes, 200);
}

/** The record an upsert input matches: by `id`, else the first duplicate-check field with a match. */
export function upsertMatch(
  store: OrgStore,
  module: ModuleName,
  input: Record<string, unknown>,
  checkFields: string[],
): { record: ZohoRecord; field: string } | undefined {
  if (typeof input.id === 'string') {
    const byId = store.get(module, input.id);
    if (byId) return { record: byId, field: 'id' };
  }
  for (const field of checkFields) {
    const value = input[field];
    if (value === undefined || value === null || value === '') continue;
    // Several matches: the oldest record is the one updated (UNVERIFIED).
    const matches = store
      .all(module)
      .filter((r) => r.values[field] === value)
      .sort((a, b) => compareIds(a.id, b.id));
    if (matches[0]) return { record: matches[0], field };
  }
  return undefined;
}

function upsert(ctx: CallContext): Answer {
  const module = moduleOf(ctx.params.module);
  const items = dataOf(ctx.body);
  const requested = (ctx.body as { duplicate_check_fields?: unknown }).duplicate_check_fields;
  let checkFields: string[];
  if (requested === undefined) {
    const unique = MODULE_FIELDS[module].filter((f) => f.unique).map((f) => f.api_name);
    checkFields = [SYSTEM_DUPLICATE_FIELD[module], ...unique];
  } else {
    if (!Array.isArray(requested) || requested.some((f) => typeof f !== 'string'))
      throw invalidData('invalid data', { param_name: 'duplicate_check_fields' });
    const unknown = (requested as string[]).find((f) => !MODULE_FIELDS[module].some((d) => d.api_name === f));
    if (unknown)
      throw invalidData('invalid data', { param_name: 'duplicate_check_fields', api_name: unknown });
    checkFields = requested as string[];
  }
  const w = writer(ctx);
  const outcomes = items.map((item, i): RecordOutcome => {
    const input = (item ?? {}) as Record<string, unknown>;
    const match = upsertMatch(w.store, module, input, checkFields);
    if (match) {
      const out = updateRecord(w, match.record, input, i);
      return out.status === 'success' ? { ...out, duplicate_field: match.field, action: 'update' } : out;
    }
    const out = createRecord(w, module, input, i);
    return out.status === 'success' ? { ...out, duplicate_field: null, action: 'insert' } : out;
  });
  return summed(outcomes, 200);
}

function remove(ctx: CallContext, ids: string[]): Answer {
  const module = moduleOf(ctx.params.module);
  const w = writer(ctx);
  return summed(
    ids.map((id) => deleteRecord(w, module, id)),
    200,
  );
}

function deletedList(ctx: CallContext): Answer {
  const module = moduleOf(ctx.params.module);
  const type = ctx.query.type ?? 'all';
  if (!['all', 'recycle', 'permanent'].includes(type))
    throw invalidData('invalid data', {
      param_name: 'type',
      supported_values: ['all', 'recycle', 'permanent'],
    });
  const perPage = intParam('per_page', ctx.query.per_page, 1, LIST.maxPerPage, LIST.defaultPerPage);
  const page = intParam('page', ctx.query.page, 1, Number.MAX_SAFE_INTEGER, 1);
  const since = modifiedSince(ctx);
  const store = ctx.org.state.store;
  // Everything deleted stays in the recycle bin in the sandbox: `permanent` lists nothing.
  const rows =
    type === 'permanent'
      ? []
      : store.deleted.filter((d) => d.module === module && (since === undefined || d.deletedTime > since));
  const sorted = [...rows].sort((a, b) => b.deletedTime - a.deletedTime || compareIds(b.id, a.id));
  const slice = sorted.slice((page - 1) * perPage, page * perPage);
  if (slice.length === 0) return { status: since !== undefined && rows.length === 0 ? 304 : 204 };
  const ref = (id: string): { name: string | null; id: string } => ({
    name: store.user(id)?.full_name ?? null,
    id,
  });
  return {
    body: {
      data: slice.map((d) => ({
        deleted_by: ref(d.deletedById),
        id: d.id,
        display_name: d.displayName,
        type: 'recycle',
        created_by: ref(d.createdById),
        deleted_time: zohoTime(d.deletedTime),
      })),
      info: { per_page: perPage, count: slice.length, page, more_records: sorted.length > page * perPage },
    },
  };
}

/** Records a write request carries, for the request log (`VendorDefinition.writeItems`). */
export function writeItems(request: FastifyRequest): number | undefined {
  const path = request.url.split('?', 1)[0] ?? '';
  if (!/\/crm\/v8\/(Contacts|Deals)(\/upsert|\/\d+)?\/?$/i.test(path)) return undefined;
  if (request.method === 'DELETE') {
    if (/\/\d+\/?$/.test(path)) return 1;
    const ids = (request.query as { ids?: unknown }).ids;
    return typeof ids === 'string' ? ids.split(',').length : undefined;
  }
  if (request.method !== 'POST' && request.method !== 'PUT') return undefined;
  const data = (request.body as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? data.length : undefined;
}

export function registerWriteRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'POST', path: '/:module' }, (ctx) => {
    const module = moduleOf(ctx.params.module);
    const w = writer(ctx);
    return summed(
      dataOf(ctx.body).map((item, i) => createRecord(w, module, item, i)),
      201,
    );
  });
  apiRoute(app, server, { method: 'PUT', path: '/:module' }, (ctx) =>
    update(ctx, moduleOf(ctx.params.module), dataOf(ctx.body)),
  );
  apiRoute(app, server, { method: 'PUT', path: '/:module/:id' }, (ctx) =>
    update(ctx, moduleOf(ctx.params.module), dataOf(ctx.body).slice(0, 1), ctx.params.id),
  );
  apiRoute(app, server, { method: 'POST', path: '/:module/upsert' }, upsert);
  apiRoute(app, server, { method: 'DELETE', path: '/:module' }, (ctx) => {
    const ids = idList(ctx.query.ids, 'ids', WRITE.maxDeleteIds);
    if (!ids) throw requiredParam('ids');
    return remove(ctx, [...ids]);
  });
  apiRoute(app, server, { method: 'DELETE', path: '/:module/:id' }, (ctx) =>
    remove(ctx, [ctx.params.id ?? '']),
  );
  apiRoute(app, server, { method: 'GET', path: '/:module/deleted' }, deletedList);
}
