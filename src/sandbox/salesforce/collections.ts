import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { SfHttpError, saveErrors } from './errors';
import { callContext, sendJson } from './context';
import { fieldList, objectBody, objectFromPath, renderRecord } from './records';
import { SF_LIMITS } from './settings';
import { findField, findObject } from './schema';
import { writeContext } from './sobjects';
import { type SaveResult, type SfStore } from './store';

const ROLLED_BACK = {
  errorCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
};

type Outcome = SaveResult;

function render(results: Outcome[], withCreated: boolean): Record<string, unknown>[] {
  return results.map((r) =>
    r.success
      ? { id: r.id, success: true, errors: [], ...(withCreated ? { created: r.created } : {}) }
      : { ...(r.id ? { id: r.id } : {}), success: false, errors: saveErrors(r.errors) },
  );
}

/** Runs each write; with allOrNone a single failure rolls every write back (docs/vendors/salesforce.md "sObject Collections"). */
function batch(store: SfStore, allOrNone: boolean, count: number, run: (i: number) => Outcome): Outcome[] {
  const mark = store.begin();
  const results: Outcome[] = [];
  for (let i = 0; i < count; i++) results.push(run(i));
  if (allOrNone && results.some((r) => !r.success)) {
    store.rollback(mark);
    return results.map((r) => (r.success ? { success: false, errors: [ROLLED_BACK] } : r));
  }
  store.commit();
  return results;
}

function recordsBody(body: unknown): { allOrNone: boolean; records: Record<string, unknown>[] } {
  const b = objectBody(body);
  if (!Array.isArray(b.records))
    throw new SfHttpError(400, { errorCode: 'JSON_PARSER_ERROR', message: 'records is required' });
  if (b.records.length > SF_LIMITS.collectionsWrite) {
    throw new SfHttpError(400, {
      errorCode: 'EXCEEDED_ID_LIMIT',
      message: `record limit reached. cannot submit more than ${SF_LIMITS.collectionsWrite} records into this call`,
    });
  }
  return { allOrNone: b.allOrNone === true, records: b.records as Record<string, unknown>[] };
}

function typeOf(rec: Record<string, unknown>): string | undefined {
  const attrs = rec.attributes as { type?: unknown } | undefined;
  return typeof attrs?.type === 'string' ? attrs.type : undefined;
}

function strip(rec: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  const out = { ...rec };
  delete out.attributes;
  for (const k of keys) delete out[k];
  return out;
}

/**
 * "Records are processed in order, in chunks by type, with at most 10 chunks per request" (docs/vendors/salesforce.md "sObject Collections"):
 * {A, A, C, A} is three chunks. More is a malformed request, so 400; the doc gives no error body, so
 * the code is UNVERIFIED and the message is the one Salesforce's DML raises for the same rule.
 */
function checkChunks(records: Record<string, unknown>[]): void {
  let chunks = 0;
  let last: string | undefined | null = null;
  for (const rec of records) {
    const type = typeOf(rec);
    if (chunks === 0 || type !== last) chunks++;
    last = type;
  }
  if (chunks > SF_LIMITS.collectionsChunks) {
    throw new SfHttpError(400, {
      errorCode: 'INVALID_BATCH_REQUEST',
      message: `Cannot have more than ${SF_LIMITS.collectionsChunks} chunks in a single operation. Please rearrange the data to reduce chunking.`,
    });
  }
}

const noType: Outcome = {
  success: false,
  errors: [{ errorCode: 'INVALID_TYPE', message: 'Must send a concrete entity type.' }],
};

/** sObject Collections: create, update, upsert, delete (≤200) and retrieve (≤800 GET, ≤2,000 POST). */
export function registerCollectionRoutes(scope: FastifyInstance): void {
  scope.post('/composite/sobjects', async (request, reply) => {
    const { org } = callContext(request);
    const { allOrNone, records } = recordsBody(request.body);
    checkChunks(records);
    const ctx = writeContext(request);
    const results = batch(org.state.store, allOrNone, records.length, (i) => {
      const rec = records[i] as Record<string, unknown>;
      const obj = findObject(typeOf(rec) ?? '', org.state.store.schema);
      return obj ? org.state.store.create(obj, strip(rec), ctx) : noType;
    });
    return sendJson(reply, 200, render(results, false));
  });

  scope.patch('/composite/sobjects', async (request, reply) => {
    const { org } = callContext(request);
    const { allOrNone, records } = recordsBody(request.body);
    checkChunks(records);
    const ctx = writeContext(request);
    const results = batch(org.state.store, allOrNone, records.length, (i) => {
      const rec = records[i] as Record<string, unknown>;
      const obj = findObject(typeOf(rec) ?? '', org.state.store.schema);
      const id = rec.id ?? rec.Id;
      if (!obj) return noType;
      if (typeof id !== 'string')
        return {
          success: false,
          errors: [{ errorCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call' }],
        };
      return org.state.store.update(obj, id, strip(rec, 'id', 'Id'), ctx);
    });
    return sendJson(reply, 200, render(results, false));
  });

  scope.patch('/composite/sobjects/:type/:field', async (request, reply) => {
    const { org } = callContext(request);
    const { type, field } = request.params as { type: string; field: string };
    const obj = objectFromPath(type, org.state.store.schema);
    const ext = findField(obj, field);
    if (!ext?.externalId)
      throw new SfHttpError(400, {
        errorCode: 'INVALID_FIELD',
        message: `Field ${field} is not an external id field on ${obj.name}`,
      });
    const { allOrNone, records } = recordsBody(request.body);
    const ctx = writeContext(request);
    const results = batch(org.state.store, allOrNone, records.length, (i) => {
      const rec = strip(records[i] as Record<string, unknown>);
      const key = Object.keys(rec).find((k) => k.toLowerCase() === ext.name.toLowerCase());
      const value = key ? rec[key] : undefined;
      if (value === undefined || value === null || value === '') {
        return {
          success: false,
          errors: [
            { errorCode: 'MISSING_ARGUMENT', message: `${ext.name} not specified`, fields: [ext.name] },
          ],
        };
      }
      const matches = org.state.store.findBy(obj.name, ext.name, String(value));
      if (matches.length > 1) {
        return {
          success: false,
          errors: [
            {
              errorCode: 'DUPLICATE_EXTERNAL_ID',
              message: `${ext.name}: more than one record found for external id field: ${matches.map((m) => String(m.Id)).join(', ')}`,
              fields: [ext.name],
            },
          ],
        };
      }
      if (matches.length === 0) return org.state.store.create(obj, rec, ctx);
      const rest = { ...rec };
      if (key) delete rest[key];
      return org.state.store.update(obj, matches[0]!.Id as string, rest, ctx);
    });
    return sendJson(reply, 200, render(results, true));
  });

  scope.delete('/composite/sobjects', async (request, reply) => {
    const { org } = callContext(request);
    const q = request.query as { ids?: string; allOrNone?: string };
    const ids = (q.ids ?? '').split(',').filter((x) => x !== '');
    if (ids.length === 0)
      throw new SfHttpError(400, { errorCode: 'MISSING_ARGUMENT', message: 'ids parameter is required' });
    if (ids.length > SF_LIMITS.collectionsWrite) {
      throw new SfHttpError(400, {
        errorCode: 'EXCEEDED_ID_LIMIT',
        message: `record limit reached. cannot submit more than ${SF_LIMITS.collectionsWrite} records into this call`,
      });
    }
    const ctx = writeContext(request);
    const results = batch(org.state.store, q.allOrNone === 'true', ids.length, (i) => {
      const id = ids[i] as string;
      const obj = [...org.state.store.tables.keys()]
        .map((n) => findObject(n, org.state.store.schema)!)
        .find((o) => o.keyPrefix === id.slice(0, 3));
      if (!obj)
        return { success: false, errors: [{ errorCode: 'MALFORMED_ID', message: `malformed id ${id}` }] };
      return org.state.store.delete(obj, id, ctx);
    });
    return sendJson(
      reply,
      200,
      render(results, false).map((r, i) => (r.id ? r : { id: ids[i], ...r })),
    );
  });

  const retrieve = (
    request: FastifyRequest,
    ids: string[],
    fields: string[] | string | undefined,
    max: number,
  ): Record<string, unknown>[] | null => {
    const { org, version } = callContext(request);
    const obj = objectFromPath((request.params as { type: string }).type, org.state.store.schema);
    if (ids.length > max) return null;
    const names = fieldList(obj, fields);
    if (!names || names.length === 0)
      throw new SfHttpError(400, { errorCode: 'MISSING_ARGUMENT', message: 'fields parameter is required' });
    return ids.map((id) => {
      const rec = org.state.store.get(obj.name, id);
      return rec && !rec.IsDeleted
        ? renderRecord(obj, rec, version, names)
        : (null as unknown as Record<string, unknown>);
    });
  };

  scope.get('/composite/sobjects/:type', async (request, reply) => {
    const q = request.query as { ids?: string; fields?: string };
    const ids = (q.ids ?? '').split(',').filter((x) => x !== '');
    const out = retrieve(request, ids, q.fields, SF_LIMITS.collectionsRetrieveGet);
    // About 800 ids overflow the URL; the documented failure is 414.
    if (!out) throw new SfHttpError(414, { errorCode: 'URI_TOO_LONG', message: 'Request-URI Too Long' });
    return sendJson(reply, 200, out);
  });

  scope.post('/composite/sobjects/:type', async (request, reply) => {
    const body = objectBody(request.body);
    const ids = Array.isArray(body.ids) ? body.ids.map(String) : [];
    const fields = Array.isArray(body.fields) ? body.fields.map(String) : undefined;
    const out = retrieve(request, ids, fields, SF_LIMITS.collectionsRetrievePost);
    if (!out)
      throw new SfHttpError(400, {
        errorCode: 'EXCEEDED_ID_LIMIT',
        message: `record limit reached. cannot submit more than ${SF_LIMITS.collectionsRetrievePost} records into this call`,
      });
    return sendJson(reply, 200, out);
  });
}
