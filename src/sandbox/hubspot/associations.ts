// Associations v4 between contacts and deals (docs/vendors/hubspot.md "Associations"). Only the HubSpot-defined unlabeled types exist in
// the sandbox: contact → deal 4, deal → contact 3.
import { type FastifyInstance } from 'fastify';
import { ASSOC_TYPE, BATCH_MAX_INPUTS, OBJECT_TYPE_IDS, SINGULAR, type HsObjectType } from './constants';
import { validationError } from './errors';
import { apiRoute, batchEnvelope, batchInputs, objectType, single } from './http';
import { type HubSpotServer } from './state';
import { type PortalStore } from './store';

interface Spec {
  associationCategory?: string;
  associationTypeId?: number;
}

function typeId(from: HsObjectType): number {
  return from === 'contacts' ? ASSOC_TYPE.contactToDeal : ASSOC_TYPE.dealToContact;
}

/** Path types must be one contact side and one deal side. */
function types(fromRaw: string, toRaw: string): { from: HsObjectType; to: HsObjectType } {
  const from = objectType(fromRaw);
  const to = objectType(toRaw);
  if (from === to)
    throw validationError(`Associations between ${fromRaw} and ${toRaw} are not supported by the sandbox.`);
  return { from, to };
}

function checkSpecs(from: HsObjectType, specs: unknown): void {
  const list = Array.isArray(specs) ? (specs as Spec[]) : [];
  const ok =
    list.length > 0 &&
    list.every(
      (s) => s.associationCategory === 'HUBSPOT_DEFINED' && Number(s.associationTypeId) === typeId(from),
    );
  if (!ok) {
    throw validationError(
      `Invalid association types ${JSON.stringify(specs)}: ${SINGULAR[from]} → ${SINGULAR[from === 'contacts' ? 'deals' : 'contacts']} takes [{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":${typeId(from)}}].`,
    );
  }
}

function link(store: PortalStore, from: HsObjectType, fromId: string, toId: string, on: boolean): void {
  const [c, d] = from === 'contacts' ? [fromId, toId] : [toId, fromId];
  if (on) store.associate(c, d);
  else store.dissociate(c, d);
}

/** Emitted as numbers, as real responses do, though the spec types them as strings (docs/vendors/hubspot.md "Associations"). */
function pairBody(
  from: HsObjectType,
  fromId: string,
  to: HsObjectType,
  toId: string,
): Record<string, unknown> {
  return {
    fromObjectTypeId: OBJECT_TYPE_IDS[from],
    fromObjectId: Number(fromId),
    toObjectTypeId: OBJECT_TYPE_IDS[to],
    toObjectId: Number(toId),
    labels: [],
  };
}

/** The per-input error of an association write naming a record that does not exist (UNVERIFIED wording). */
function notFound(
  from: HsObjectType,
  fromId: string,
  to: HsObjectType,
  toId: string,
): Record<string, unknown> {
  return {
    status: 'error',
    category: 'OBJECT_NOT_FOUND',
    message: `One or more objects do not exist: ${SINGULAR[from]} ${fromId}, ${SINGULAR[to]} ${toId}`,
    context: { fromObjectId: [fromId], toObjectId: [toId] },
    errors: [],
    links: {},
  };
}

function assocTypes(from: HsObjectType): Record<string, unknown>[] {
  return [{ category: 'HUBSPOT_DEFINED', typeId: typeId(from), label: null }];
}

export function registerAssociationRoutes(app: FastifyInstance, server: HubSpotServer): void {
  apiRoute(app, server, 'GET', '/crm/v4/objects/:from/:id/associations/:to', ({ org, request }) => {
    const p = request.params as { from: string; id: string; to: string };
    const { from } = types(p.from, p.to);
    const store = org.state.store;
    store.live(from, p.id);
    const limit = Math.min(Number(single(request.query, 'limit') ?? 500) || 500, 500);
    const after = Number(single(request.query, 'after') ?? 0) || 0;
    const ids = store.associated(from, p.id).filter((id) => Number(id) >= after);
    const page = ids.slice(0, limit);
    const next = ids[limit];
    return {
      results: page.map((id) => ({ toObjectId: Number(id), associationTypes: assocTypes(from) })),
      ...(next ? { paging: { next: { after: next } } } : {}),
    };
  });

  apiRoute(
    app,
    server,
    'PUT',
    '/crm/v4/objects/:from/:id/associations/default/:to/:toId',
    ({ org, request }) => {
      const p = request.params as { from: string; id: string; to: string; toId: string };
      const { from, to } = types(p.from, p.to);
      const store = org.state.store;
      const startedAt = org.now();
      store.live(from, p.id);
      store.live(to, p.toId);
      link(store, from, p.id, p.toId, true);
      const spec = { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId(from) };
      return batchEnvelope(
        startedAt,
        [{ from: { id: p.id }, to: { id: p.toId }, associationSpec: spec }],
        [],
        org.now(),
      );
    },
  );

  apiRoute(
    app,
    server,
    'PUT',
    '/crm/v4/objects/:from/:id/associations/:to/:toId',
    ({ org, request, reply }) => {
      const p = request.params as { from: string; id: string; to: string; toId: string };
      const { from, to } = types(p.from, p.to);
      checkSpecs(from, request.body);
      const store = org.state.store;
      store.live(from, p.id);
      store.live(to, p.toId);
      link(store, from, p.id, p.toId, true);
      reply.code(201);
      return pairBody(from, p.id, to, p.toId);
    },
  );

  apiRoute(app, server, 'DELETE', '/crm/v4/objects/:from/:id/associations/:to/:toId', ({ org, request }) => {
    const p = request.params as { from: string; id: string; to: string; toId: string };
    const { from } = types(p.from, p.to);
    link(org.state.store, from, p.id, p.toId, false);
    return undefined;
  });

  // Objects that exist but have no associations come back with an empty `to` list; unknown ids are
  // a 207 OBJECT_NOT_FOUND error (HubSpot's exact behaviour for the former is UNVERIFIED).
  apiRoute(app, server, 'POST', '/crm/v4/associations/:from/:to/batch/read', ({ org, request, reply }) => {
    const p = request.params as { from: string; to: string };
    const { from } = types(p.from, p.to);
    const store = org.state.store;
    const startedAt = org.now();
    const inputs = batchInputs<{ id?: string | number }>(request.body, 1000);
    const results: Record<string, unknown>[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const id = String(input?.id ?? '');
      const rec = store.get(from, id);
      if (!rec || rec.archived) {
        missing.push(id);
        continue;
      }
      const to = store
        .associated(from, id)
        .map((t) => ({ toObjectId: Number(t), associationTypes: assocTypes(from) }));
      results.push({ from: { id }, to });
    }
    const errors = missing.map((id) => ({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `No ${SINGULAR[from]} with ID ${id} exists`,
      context: { ids: [id] },
      errors: [],
      links: {},
    }));
    reply.code(errors.length > 0 ? 207 : 200);
    return batchEnvelope(startedAt, results, errors, org.now());
  });

  apiRoute(app, server, 'POST', '/crm/v4/associations/:from/:to/batch/create', ({ org, request, reply }) => {
    const p = request.params as { from: string; to: string };
    const { from, to } = types(p.from, p.to);
    const store = org.state.store;
    const startedAt = org.now();
    const inputs = batchInputs<{
      from?: { id?: string | number };
      to?: { id?: string | number };
      types?: Spec[];
    }>(request.body, BATCH_MAX_INPUTS);
    const results: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const input of inputs) {
      const fromId = String(input?.from?.id ?? '');
      const toId = String(input?.to?.id ?? '');
      checkSpecs(from, input?.types);
      const a = store.get(from, fromId);
      const b = store.get(to, toId);
      if (!a || a.archived || !b || b.archived) {
        errors.push(notFound(from, fromId, to, toId));
        continue;
      }
      link(store, from, fromId, toId, true);
      results.push(pairBody(from, fromId, to, toId));
    }
    reply.code(errors.length > 0 ? 207 : 201);
    return batchEnvelope(startedAt, results, errors, org.now());
  });

  // Per input, like `batch/create`: the documented answer carries `results` and `errors` (207 when some
  // inputs failed, docs/vendors/hubspot.md "Association writes"); an unknown or archived record fails
  // its input alone. Linking a linked pair answers like a new link.
  apiRoute(
    app,
    server,
    'POST',
    '/crm/v4/associations/:from/:to/batch/associate/default',
    ({ org, request, reply }) => {
      const p = request.params as { from: string; to: string };
      const { from, to } = types(p.from, p.to);
      const store = org.state.store;
      const startedAt = org.now();
      const inputs = batchInputs<{ from?: { id?: string | number }; to?: { id?: string | number } }>(
        request.body,
        BATCH_MAX_INPUTS,
      );
      const results: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      for (const input of inputs) {
        const fromId = String(input?.from?.id ?? '');
        const toId = String(input?.to?.id ?? '');
        const a = store.get(from, fromId);
        const b = store.get(to, toId);
        if (!a || a.archived || !b || b.archived) {
          errors.push(notFound(from, fromId, to, toId));
          continue;
        }
        link(store, from, fromId, toId, true);
        results.push({
          from: { id: fromId },
          to: { id: toId },
          associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId(from) },
        });
      }
      reply.code(errors.length > 0 ? 207 : 200);
      return batchEnvelope(startedAt, results, errors, org.now());
    },
  );

  apiRoute(app, server, 'POST', '/crm/v4/associations/:from/:to/batch/archive', ({ org, request }) => {
    const p = request.params as { from: string; to: string };
    const { from } = types(p.from, p.to);
    const inputs = batchInputs<{ from?: { id?: string }; to?: { id?: string }[] }>(
      request.body,
      BATCH_MAX_INPUTS,
    );
    for (const input of inputs) {
      for (const t of input?.to ?? [])
        link(org.state.store, from, String(input?.from?.id ?? ''), String(t?.id ?? ''), false);
    }
    return undefined;
  });

  apiRoute(app, server, 'GET', '/crm/v4/associations/:from/:to/labels', ({ request }) => {
    const p = request.params as { from: string; to: string };
    const { from } = types(p.from, p.to);
    return { results: assocTypes(from) };
  });
}
