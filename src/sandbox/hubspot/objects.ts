// CRM objects v3 — contacts and deals (docs/vendors/hubspot.md "List paging"): list with `after` paging, get, create, update, archive,
// plus the v3 object-level association PUT/DELETE.
import { type FastifyInstance } from 'fastify';
import {
  ASSOC_TYPE,
  LIST_DEFAULT_LIMIT,
  LIST_MAX_LIMIT,
  OBJECT_STEMS,
  OBJECT_TYPES,
  SINGULAR,
  type HsObjectType,
} from './constants';
import { HsError, notFound, validationError } from './errors';
import {
  apiRoute,
  bool,
  multi,
  objectType,
  otherType,
  renderRecord,
  single,
  type RenderOptions,
} from './http';
import { type HubSpotOrg, type HubSpotServer } from './state';
import { type HsRecord, type PortalStore } from './store';

export interface CreateBody {
  properties?: Record<string, unknown>;
  associations?: {
    to?: { id?: string | number };
    types?: { associationCategory?: string; associationTypeId?: number }[];
  }[];
  objectWriteTraceId?: string;
}

/** Reads `?properties&propertiesWithHistory&associations` into render options for records of `type`. */
export function readOptions(
  store: PortalStore,
  type: HsObjectType,
  query: unknown,
): RenderOptions & { assocTypes: HsObjectType[] } {
  const assocTypes = (multi(query, 'associations') ?? []).flatMap((t) => {
    try {
      const o = objectType(t);
      return o === type ? [] : [o];
    } catch {
      return []; // "Unknown types are ignored" [V-DOC]
    }
  });
  return {
    properties: multi(query, 'properties'),
    propertiesWithHistory: multi(query, 'propertiesWithHistory'),
    assocTypes,
  };
}

export function withAssociations(
  store: PortalStore,
  rec: HsRecord,
  types: HsObjectType[],
): RenderOptions['associations'] {
  if (types.length === 0) return undefined;
  return Object.fromEntries(types.map((t) => [t, store.associated(rec.type, rec.id)]));
}

/**
 * Finds a record by id or by a unique property (`idProperty`). Only unique properties (email, or a
 * custom property with hasUniqueValue) can key a lookup; anything else is a 400.
 */
export function lookup(
  store: PortalStore,
  type: HsObjectType,
  id: string,
  idProperty: string | undefined,
): HsRecord | undefined {
  if (!idProperty || idProperty === 'hs_object_id') return store.get(type, id);
  if (!store.uniqueProperties(type).includes(idProperty)) {
    throw validationError(`${idProperty} is not a unique property of ${type}; idProperty must name one.`);
  }
  const live = store.findByUnique(type, idProperty, id);
  if (live) return live;
  // Archived records leave the unique index; an archived lookup scans for them.
  for (const rec of store.records[type].values()) {
    if (rec.archived && rec.properties[idProperty]?.toLowerCase() === id.toLowerCase())
      return store.get(type, rec.id);
  }
  return undefined;
}

/** Validates and applies the `associations` of a create body (contact ↔ deal, HubSpot-defined types). */
export function checkAssociations(
  store: PortalStore,
  type: HsObjectType,
  associations: CreateBody['associations'],
): void {
  for (const a of associations ?? []) {
    const toId = String(a.to?.id ?? '');
    const other = otherType(type);
    const expected = type === 'contacts' ? ASSOC_TYPE.contactToDeal : ASSOC_TYPE.dealToContact;
    const types = a.types ?? [];
    if (types.length === 0 || types.some((t) => t.associationTypeId !== expected)) {
      throw validationError(
        `Invalid association type for ${SINGULAR[type]} → ${SINGULAR[other]}: expected associationTypeId ${expected}, got ${JSON.stringify(types)}.`,
      );
    }
    const target = store.get(other, toId);
    if (!target || target.archived)
      throw validationError(`Association target ${SINGULAR[other]} ${toId} does not exist.`);
  }
}

export function linkAssociations(
  store: PortalStore,
  rec: HsRecord,
  associations: CreateBody['associations'],
): void {
  for (const a of associations ?? []) {
    const toId = String(a.to?.id ?? '');
    if (rec.type === 'contacts') store.associate(rec.id, toId);
    else store.associate(toId, rec.id);
  }
}

function listLimit(org: HubSpotOrg, raw: string | undefined): number {
  if (raw === undefined) return LIST_DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw validationError(`limit must be a positive integer; got ${raw}.`);
  if (n <= LIST_MAX_LIMIT) return n;
  if (org.state.behaviour.listLimitOverflow === 'clamp') return LIST_MAX_LIMIT;
  throw validationError(`limit must be at most ${LIST_MAX_LIMIT}; got ${n}.`);
}

export function registerObjectRoutes(app: FastifyInstance, server: HubSpotServer): void {
  for (const [type, stem] of OBJECT_TYPES.flatMap((t) => OBJECT_STEMS.map((s) => [t, s] as const))) {
    const base = `${stem}/${type}`;

    apiRoute(app, server, 'GET', base, ({ org, request }) => {
      const store = org.state.store;
      const limit = listLimit(org, single(request.query, 'limit'));
      const archived = bool(request.query, 'archived');
      const after = single(request.query, 'after');
      const opts = readOptions(store, type, request.query);
      const ids = store.order[type];
      // `after` is "the Record ID of the next contact": start at the first id ≥ it.
      let i = 0;
      if (after !== undefined) {
        const a = Number(after);
        if (!Number.isFinite(a)) throw validationError(`after must be a record id; got ${after}.`);
        let lo = 0;
        let hi = ids.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (Number(ids[mid]) < a) lo = mid + 1;
          else hi = mid;
        }
        i = lo;
      }
      const page: HsRecord[] = [];
      let next: string | undefined;
      for (; i < ids.length; i++) {
        const rec = store.get(type, ids[i] as string);
        if (!rec || rec.archived !== archived) continue;
        if (page.length === limit) {
          next = rec.id;
          break;
        }
        page.push(rec);
      }
      const defs = store.properties[type];
      const results = page.map((r) =>
        renderRecord(r, defs, { ...opts, associations: withAssociations(store, r, opts.assocTypes) }),
      );
      if (!next) return { results };
      const link = new URL(`${request.protocol}://${request.host}${base}`);
      link.searchParams.set('limit', String(limit));
      link.searchParams.set('after', next);
      if (archived) link.searchParams.set('archived', 'true');
      return { results, paging: { next: { after: next, link: link.toString() } } };
    });

    apiRoute(app, server, 'POST', base, ({ org, reply, request }) => {
      const store = org.state.store;
      const body = (request.body ?? {}) as CreateBody;
      if (typeof body.properties !== 'object' || body.properties === null) {
        throw validationError('Invalid input JSON: expected an object with "properties".');
      }
      // Validate associations before creating, so a bad association does not leave a record behind.
      checkAssociations(store, type, body.associations);
      const rec = store.create(type, body.properties, 'API');
      linkAssociations(store, rec, body.associations);
      reply.code(201);
      return renderRecord(rec, store.properties[type], { properties: 'all' });
    });

    apiRoute(app, server, 'GET', `${base}/:id`, ({ org, request }) => {
      const store = org.state.store;
      const { id } = request.params as { id: string };
      const rec = lookup(store, type, id, single(request.query, 'idProperty'));
      if (!rec || rec.archived !== bool(request.query, 'archived')) throw notFound();
      const opts = readOptions(store, type, request.query);
      return renderRecord(rec, store.properties[type], {
        ...opts,
        associations: withAssociations(store, rec, opts.assocTypes),
      });
    });

    apiRoute(app, server, 'PATCH', `${base}/:id`, ({ org, request }) => {
      const store = org.state.store;
      const { id } = request.params as { id: string };
      const body = (request.body ?? {}) as CreateBody;
      if (typeof body.properties !== 'object' || body.properties === null) {
        throw validationError('Invalid input JSON: expected an object with "properties".');
      }
      const found = lookup(store, type, id, single(request.query, 'idProperty'));
      if (!found || found.archived) throw notFound();
      const rec = store.update(type, found.id, body.properties, 'API');
      return renderRecord(rec, store.properties[type], { properties: 'all' });
    });

    // Archiving is idempotent: an unknown or archived id also answers 204 (UNVERIFIED, as batch/archive does).
    apiRoute(app, server, 'DELETE', `${base}/:id`, ({ org, request }) => {
      const store = org.state.store;
      const { id } = request.params as { id: string };
      const rec = store.get(type, id);
      if (rec && !rec.archived) store.archive(type, id, 'API');
      return undefined;
    });

    // v3 object-level associations [V-DOC contacts guide]: PUT answers the object, DELETE 204.
    const assocUrl = `${base}/:id/associations/:toType/:toId/:typeId`;
    apiRoute(app, server, 'PUT', assocUrl, ({ org, request }) => {
      const store = org.state.store;
      const p = request.params as { id: string; toType: string; toId: string; typeId: string };
      const { contactId, dealId } = pair(store, type, p.id, p.toType, p.toId, p.typeId);
      store.associate(contactId, dealId);
      const rec = store.live(type, p.id);
      return renderRecord(rec, store.properties[type], {
        associations: withAssociations(store, rec, [otherType(type)]),
      });
    });
    apiRoute(app, server, 'DELETE', assocUrl, ({ org, request }) => {
      const store = org.state.store;
      const p = request.params as { id: string; toType: string; toId: string; typeId: string };
      const { contactId, dealId } = pair(store, type, p.id, p.toType, p.toId, p.typeId);
      store.dissociate(contactId, dealId);
      return undefined;
    });
  }
}

function pair(
  store: PortalStore,
  type: HsObjectType,
  id: string,
  toTypeRaw: string,
  toId: string,
  typeId: string,
): { contactId: string; dealId: string } {
  const toType = objectType(toTypeRaw);
  if (toType === type)
    throw new HsError(400, 'VALIDATION_ERROR', `Cannot associate ${type} with ${toTypeRaw} here.`);
  const expected = type === 'contacts' ? ASSOC_TYPE.contactToDeal : ASSOC_TYPE.dealToContact;
  if (Number(typeId) !== expected && typeId !== `${SINGULAR[type]}_to_${SINGULAR[toType]}`) {
    throw validationError(
      `associationTypeId ${typeId} is not valid for ${SINGULAR[type]} → ${SINGULAR[toType]}.`,
    );
  }
  store.live(type, id);
  store.live(toType, toId);
  return type === 'contacts' ? { contactId: id, dealId: toId } : { contactId: toId, dealId: id };
}
