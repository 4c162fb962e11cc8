import { type FastifyInstance, type FastifyRequest } from 'fastify';
import { SfHttpError } from './errors';
import { callContext, sendJson } from './context';
import { fieldList, objectBody, objectFromPath, renderRecord, throwIfFailed } from './records';
import { findField } from './schema';
import { type WriteContext } from './store';
import { coerceValue } from './values';

type TypeParams = { type: string };
type IdParams = { type: string; id: string };
type ExtParams = { type: string; field: string; value: string };

export function writeContext(request: FastifyRequest): WriteContext {
  const ctx = callContext(request);
  return { userId: ctx.userId, now: ctx.org.now(), mode: 'json' };
}

/** sObject rows: create, retrieve, update, delete, and upsert / retrieve by external id (docs/vendors/salesforce.md "Record rows and upsert"). */
export function registerSObjectRoutes(scope: FastifyInstance): void {
  const create = (request: FastifyRequest): { id: string; success: true; errors: [] } => {
    const { org } = callContext(request);
    const obj = objectFromPath((request.params as TypeParams).type, org.state.store.schema);
    const result = org.state.store.create(obj, objectBody(request.body), writeContext(request));
    throwIfFailed(result);
    return { id: result.id, success: true, errors: [] };
  };

  scope.post('/sobjects/:type', async (request, reply) => sendJson(reply, 201, create(request)));

  scope.get('/sobjects/:type/:id', async (request, reply) => {
    const { org, version } = callContext(request);
    const { type, id } = request.params as IdParams;
    const obj = objectFromPath(type, org.state.store.schema);
    const fields = fieldList(obj, (request.query as { fields?: string }).fields);
    const rec = org.state.store.get(obj.name, id);
    if (!rec)
      throw new SfHttpError(404, {
        errorCode: 'NOT_FOUND',
        message: 'The requested resource does not exist',
      });
    // UNVERIFIED: a record in the recycle bin answers 404 ENTITY_IS_DELETED.
    if (rec.IsDeleted)
      throw new SfHttpError(404, { errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted' });
    return sendJson(reply, 200, renderRecord(obj, rec, version, fields));
  });

  scope.patch('/sobjects/:type/:id', async (request, reply) => {
    const { org } = callContext(request);
    const { type, id } = request.params as IdParams;
    const result = org.state.store.update(
      objectFromPath(type, org.state.store.schema),
      id,
      objectBody(request.body),
      writeContext(request),
    );
    throwIfFailed(result);
    return reply.code(204).send();
  });

  scope.delete('/sobjects/:type/:id', async (request, reply) => {
    const { org } = callContext(request);
    const { type, id } = request.params as IdParams;
    const result = org.state.store.delete(
      objectFromPath(type, org.state.store.schema),
      id,
      writeContext(request),
    );
    throwIfFailed(result);
    return reply.code(204).send();
  });

  /** `POST /sobjects/Contact/Id` creates (v37+); other POSTs to a row are not allowed. */
  scope.post('/sobjects/:type/:id', async (request, reply) => {
    if ((request.params as IdParams).id === 'Id') return sendJson(reply, 201, create(request));
    throw new SfHttpError(405, {
      errorCode: 'METHOD_NOT_ALLOWED',
      message: "HTTP Method 'POST' not allowed. Allowed are GET,PATCH,DELETE",
    });
  });

  scope.get('/sobjects/:type/:field/:value', async (request, reply) => {
    const { org, version } = callContext(request);
    const { type, field, value } = request.params as ExtParams;
    const obj = objectFromPath(type, org.state.store.schema);
    const ext = findField(obj, field);
    if (!ext || !(ext.externalId || ext.name === 'Id'))
      throw new SfHttpError(404, {
        errorCode: 'NOT_FOUND',
        message: 'The requested resource does not exist',
      });
    const matches = org.state.store.findBy(obj.name, ext.name, value);
    if (matches.length === 0)
      throw new SfHttpError(404, {
        errorCode: 'NOT_FOUND',
        message: 'The requested resource does not exist',
      });
    if (matches.length > 1)
      return sendJson(
        reply,
        300,
        matches.map((r) => `/services/data/${version}/sobjects/${obj.name}/${String(r.Id)}`),
      );
    return sendJson(reply, 200, renderRecord(obj, matches[0]!, version));
  });

  /**
   * Upsert (docs/vendors/salesforce.md "Record rows and upsert"): no match → 201 `{id, success, errors, created:true}` (created from v46); one match →
   * 200 + body on v46+ (UNVERIFIED, setting `upsertUpdateReturns200`) else 204; several → 300.
   */
  scope.patch('/sobjects/:type/:field/:value', async (request, reply) => {
    const { org, version, versionNumber } = callContext(request);
    const { type, field, value } = request.params as ExtParams;
    const obj = objectFromPath(type, org.state.store.schema);
    const ext = findField(obj, field);
    if (!ext || !(ext.externalId || ext.name === 'Id'))
      throw new SfHttpError(404, {
        errorCode: 'NOT_FOUND',
        message: 'The requested resource does not exist',
      });
    const coerced = coerceValue(ext, value, 'json');
    if (!coerced.ok) throw new SfHttpError(400, coerced.error);
    const body = { ...objectBody(request.body) };
    const bodyValue = Object.entries(body).find(([k]) => k.toLowerCase() === ext.name.toLowerCase());
    if (bodyValue && String(bodyValue[1]) !== value) {
      throw new SfHttpError(400, {
        errorCode: 'INVALID_FIELD',
        message: `The value of the external ID field in the URL (${value}) doesn't match the value in the request body (${String(bodyValue[1])})`,
      });
    }
    const matches =
      ext.name === 'Id'
        ? [org.state.store.get(obj.name, value)].filter((r) => r && !r.IsDeleted)
        : org.state.store.findBy(obj.name, ext.name, coerced.value);
    if (matches.length > 1)
      return sendJson(
        reply,
        300,
        matches.map((r) => `/services/data/${version}/sobjects/${obj.name}/${String(r!.Id)}`),
      );
    const ctx = writeContext(request);
    const newerShape = versionNumber >= 46;
    if (matches.length === 0) {
      if ((request.query as { updateOnly?: string }).updateOnly === 'true' || ext.name === 'Id') {
        throw new SfHttpError(404, {
          errorCode: 'NOT_FOUND',
          message: 'The requested resource does not exist',
        });
      }
      const result = org.state.store.create(obj, { ...body, [ext.name]: value }, ctx);
      throwIfFailed(result);
      return sendJson(reply, 201, {
        id: result.id,
        success: true,
        errors: [],
        ...(newerShape ? { created: true } : {}),
      });
    }
    delete body[bodyValue?.[0] ?? ext.name];
    const result = org.state.store.update(obj, matches[0]!.Id as string, body, ctx);
    throwIfFailed(result);
    if (newerShape && org.state.settings.upsertUpdateReturns200) {
      return sendJson(reply, 200, { id: result.id, success: true, errors: [], created: false });
    }
    return reply.code(204).send();
  });
}
