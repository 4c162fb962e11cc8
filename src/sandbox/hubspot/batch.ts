// Batch endpoints (docs/vendors/hubspot.md "Batch endpoints"): read, create, update, upsert, archive, ≤ 100 inputs each. Not-found ids give a
// 207 multi-status; a validation error fails create/update/upsert as a whole (400, nothing written)
// unless the inputs carry `objectWriteTraceId`s, then errors come back per record.
import { type FastifyInstance } from 'fastify';
import { BATCH_MAX_INPUTS, OBJECT_STEMS, OBJECT_TYPES, SINGULAR, type HsObjectType } from './constants';
import { HsError, validationError } from './errors';
import { apiRoute, batchEnvelope, batchInputs, bool, renderRecord } from './http';
import { checkAssociations, linkAssociations, lookup, type CreateBody } from './objects';
import { type HubSpotOrg, type HubSpotServer } from './state';
import { type HsRecord, type PortalStore } from './store';

interface IdInput {
  id?: string | number;
}
interface WriteInput extends CreateBody {
  id?: string | number;
  idProperty?: string;
}

type Outcome<T> =
  { ok: true; value: T; input: WriteInput } | { ok: false; error: HsError; input: WriteInput };

/** A per-record error as batch responses carry it (StandardError). */
function standardError(err: HsError, input: WriteInput): Record<string, unknown> {
  const body = err.body();
  const context: Record<string, string[]> = { ...(body.context ?? {}) };
  if (input.objectWriteTraceId) context.objectWriteTraceId = [input.objectWriteTraceId];
  if (input.id !== undefined) context.ids = [String(input.id)];
  return {
    status: 'error',
    category: body.category ?? 'VALIDATION_ERROR',
    message: body.message,
    context,
    errors: body.errors ?? [],
    links: {},
  };
}

function notFoundError(type: HsObjectType, ids: string[]): Record<string, unknown> {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `Could not get some ${SINGULAR[type].toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
    context: { ids },
    errors: [],
    links: {},
  };
}

/**
 * Runs `check` on every input first. Whole-batch mode: the first failure is the answer (status and
 * body of that failure) and nothing is written. Per-record mode: failing inputs become errors.
 */
function precheck<T>(org: HubSpotOrg, inputs: WriteInput[], check: (input: WriteInput) => T): Outcome<T>[] {
  const outcomes = inputs.map((input): Outcome<T> => {
    try {
      return { ok: true, value: check(input), input };
    } catch (err) {
      if (err instanceof HsError && err.statusCode !== 404) return { ok: false, error: err, input };
      throw err;
    }
  });
  const traced =
    inputs.length > 0 &&
    inputs.every((i) => typeof i.objectWriteTraceId === 'string' && i.objectWriteTraceId);
  const perRecord = traced || org.state.behaviour.batchValidation === 'per-record';
  const firstFailure = outcomes.find((o) => !o.ok);
  if (firstFailure && !firstFailure.ok && !perRecord) throw firstFailure.error;
  return outcomes;
}

/** Duplicate unique values inside one batch are a conflict, as they would be one call at a time. */
function batchUniqueGuard(
  store: PortalStore,
  type: HsObjectType,
): (values: Record<string, string>, selfKey: string) => void {
  const seen = new Map<string, string>();
  const props = store.uniqueProperties(type);
  return (values, selfKey) => {
    for (const p of props) {
      const v = values[p]?.toLowerCase();
      if (!v) continue;
      const key = `${p}\u0000${v}`;
      const other = seen.get(key);
      if (other !== undefined && other !== selfKey) {
        throw validationError(`Duplicate value '${values[p]}' for unique property ${p} in batch input.`);
      }
      seen.set(key, selfKey);
    }
  };
}

function rejectDuplicateIds(inputs: WriteInput[]): void {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const i of inputs) {
    const id = String(i.id ?? '').toLowerCase();
    if (seen.has(id)) dups.add(String(i.id));
    seen.add(id);
  }
  if (dups.size > 0)
    throw validationError(
      `Duplicate IDs found in batch input: [${[...dups].join(', ')}]. IDs must be unique`,
    );
}

function asProperties(input: WriteInput): Record<string, unknown> {
  if (typeof input.properties !== 'object' || input.properties === null) {
    throw validationError('Invalid input JSON: every input needs a "properties" object.');
  }
  return input.properties;
}

export function registerBatchRoutes(app: FastifyInstance, server: HubSpotServer): void {
  for (const [type, stem] of OBJECT_TYPES.flatMap((t) => OBJECT_STEMS.map((s) => [t, s] as const))) {
    const base = `${stem}/${type}/batch`;
    const render = (store: PortalStore, rec: HsRecord, input?: WriteInput): Record<string, unknown> => ({
      ...renderRecord(rec, store.properties[type], { properties: 'all' }),
      ...(input?.objectWriteTraceId ? { objectWriteTraceId: input.objectWriteTraceId } : {}),
    });

    // Batch read cannot return associations [V-DOC]; `archived=true` reads archived records only.
    apiRoute(app, server, 'POST', `${base}/read`, ({ org, request, reply }) => {
      const store = org.state.store;
      const startedAt = org.now();
      const body = (request.body ?? {}) as {
        properties?: string[];
        propertiesWithHistory?: string[];
        idProperty?: string;
      };
      const inputs = batchInputs<IdInput>(request.body, BATCH_MAX_INPUTS);
      const archived = bool(request.query, 'archived');
      const results: Record<string, unknown>[] = [];
      const missing: string[] = [];
      const done = new Set<string>();
      for (const input of inputs) {
        const key = String(input?.id ?? '');
        const rec = lookup(store, type, key, body.idProperty);
        if (!rec || rec.archived !== archived) missing.push(key);
        else if (!done.has(rec.id)) {
          done.add(rec.id);
          results.push(
            renderRecord(rec, store.properties[type], {
              properties: body.properties?.length ? body.properties : undefined,
              propertiesWithHistory: body.propertiesWithHistory,
            }),
          );
        }
      }
      const errors = missing.length > 0 ? [notFoundError(type, missing)] : [];
      reply.code(errors.length > 0 ? 207 : 200);
      return batchEnvelope(startedAt, results, errors, org.now());
    });

    apiRoute(app, server, 'POST', `${base}/create`, ({ org, request, reply }) => {
      const store = org.state.store;
      const startedAt = org.now();
      const inputs = batchInputs<WriteInput>(request.body, BATCH_MAX_INPUTS);
      const guard = batchUniqueGuard(store, type);
      const outcomes = precheck(org, inputs, (input) => {
        const values = store.prepareCreate(type, asProperties(input));
        guard(values, String(inputs.indexOf(input)));
        checkAssociations(store, type, input.associations);
        return values;
      });
      const results: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const o of outcomes) {
        if (!o.ok) {
          errors.push(standardError(o.error, o.input));
          continue;
        }
        const rec = store.create(type, asProperties(o.input), 'API');
        linkAssociations(store, rec, o.input.associations);
        results.push(render(store, rec, o.input));
      }
      reply.code(errors.length > 0 ? 207 : 201);
      return batchEnvelope(startedAt, results, errors, org.now());
    });

    apiRoute(app, server, 'POST', `${base}/update`, ({ org, request, reply }) => {
      const store = org.state.store;
      const startedAt = org.now();
      const inputs = batchInputs<WriteInput>(request.body, BATCH_MAX_INPUTS);
      rejectDuplicateIds(inputs);
      const guard = batchUniqueGuard(store, type);
      const missing: string[] = [];
      const found = inputs.filter((input) => {
        const rec = lookup(store, type, String(input.id ?? ''), input.idProperty);
        if (rec && !rec.archived) return true;
        missing.push(String(input.id ?? ''));
        return false;
      });
      const outcomes = precheck(org, found, (input) => {
        const rec = lookup(store, type, String(input.id), input.idProperty) as HsRecord;
        const values = store.prepareUpdate(type, rec.id, asProperties(input));
        guard(values, rec.id);
        return rec;
      });
      const results: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = missing.length > 0 ? [notFoundError(type, missing)] : [];
      for (const o of outcomes) {
        if (!o.ok) errors.push(standardError(o.error, o.input));
        else
          results.push(render(store, store.update(type, o.value.id, asProperties(o.input), 'API'), o.input));
      }
      reply.code(errors.length > 0 ? 207 : 200);
      return batchEnvelope(startedAt, results, errors, org.now());
    });

    // Upsert by a unique property: `new` tells created from updated [V-SPEC SimplePublicUpsertObject].
    apiRoute(app, server, 'POST', `${base}/upsert`, ({ org, request, reply }) => {
      const store = org.state.store;
      const startedAt = org.now();
      const inputs = batchInputs<WriteInput>(request.body, BATCH_MAX_INPUTS);
      rejectDuplicateIds(inputs);
      const guard = batchUniqueGuard(store, type);
      const outcomes = precheck(org, inputs, (input) => {
        const idProperty = input.idProperty;
        if (!idProperty || !store.uniqueProperties(type).includes(idProperty)) {
          throw validationError(
            `idProperty must name a unique property of ${type} (${store.uniqueProperties(type).join(', ')}); got ${JSON.stringify(idProperty)}.`,
          );
        }
        const key = String(input.id ?? '');
        const props = { ...asProperties(input), [idProperty]: key };
        const existing = store.findByUnique(type, idProperty, key);
        const values = existing
          ? store.prepareUpdate(type, existing.id, props)
          : store.prepareCreate(type, props);
        guard(values, existing?.id ?? `new:${key}`);
        return { existing, props };
      });
      const results: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const o of outcomes) {
        if (!o.ok) {
          errors.push(standardError(o.error, o.input));
          continue;
        }
        const { existing, props } = o.value;
        const rec = existing
          ? store.update(type, existing.id, props, 'API')
          : store.create(type, props, 'API');
        results.push({ ...render(store, rec, o.input), new: !existing });
      }
      reply.code(errors.length > 0 ? 207 : 200);
      return batchEnvelope(startedAt, results, errors, org.now());
    });

    // 204 whatever the ids: unknown and already-archived ids are silently skipped.
    apiRoute(app, server, 'POST', `${base}/archive`, ({ org, request }) => {
      const store = org.state.store;
      const inputs = batchInputs<IdInput>(request.body, BATCH_MAX_INPUTS);
      for (const input of inputs) {
        const rec = store.get(type, String(input?.id ?? ''));
        if (rec && !rec.archived) store.archive(type, rec.id, 'API');
      }
      return undefined;
    });
  }
}
