// Plumbing every HubSpot API route shares: bearer authentication, the limit gate with its headers,
// HubSpot error bodies, and the wire shape of a record.
import crypto from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { MODIFIED_PROPERTY, type HsObjectType } from './constants';
import { expired, HsError, unauthorized, validationError } from './errors';
import { type Caller } from './limits';
import { type HubSpotOrg, type HubSpotServer } from './state';
import { type HsRecord } from './store';

export interface ApiContext {
  org: HubSpotOrg;
  caller: Caller;
  request: FastifyRequest;
  reply: FastifyReply;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type ApiHandler = (ctx: ApiContext) => unknown;

export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1];
}

/** Authenticates a data call: 401 INVALID_AUTHENTICATION / EXPIRED_AUTHENTICATION as documented (docs/vendors/hubspot.md "Authentication errors"). */
export function authenticate(
  server: HubSpotServer,
  request: FastifyRequest,
): { org: HubSpotOrg; caller: Caller } {
  const token = bearer(request);
  const org = server.orgOf(request);
  if (!token || !org) throw unauthorized();
  if (token === org.state.privateAppToken) return { org, caller: { kind: 'private_app', token } };
  const check = server.tokens.check(token, 'access', org.now());
  if (!check.ok) {
    if (check.reason === 'expired' && check.token?.expiresAt) throw expired(check.token.expiresAt, org.now());
    throw unauthorized();
  }
  return { org, caller: { kind: 'oauth', appId: Number(check.token.data.appId) } };
}

/**
 * OAuth tokens carry the scopes granted at install; a call outside them is a 403 MISSING_SCOPES
 * (category name and body UNVERIFIED, docs/vendors/hubspot.md "Authentication errors"). Private-app tokens get their scopes in the app's
 * settings, which the sandbox treats as "everything".
 */
function checkScopes(server: HubSpotServer, request: FastifyRequest, required: string[]): void {
  const token = bearer(request);
  const rec = token ? server.tokens.find(token) : undefined;
  if (rec?.data.type !== 'oauth') return;
  const granted = new Set((rec.data.scopes ?? '').split(' '));
  const missing = required.filter((s) => !granted.has(s));
  if (missing.length === 0) return;
  throw new HsError(
    403,
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          context: { requiredGranularScopes: missing },
        },
      ],
    },
  );
}

/**
 * The scopes a CRM object route needs, e.g. `crm.objects.contacts.write`: reads are GETs, batch
 * reads and searches; association routes need the scope of both sides.
 */
export function routeScopes(method: string, url: string): string[] {
  const v3 = /^\/crm\/(?:v3\/objects|objects\/2026-03)\/(contacts|deals)\b/.exec(url);
  const types = v3
    ? [v3[1] as HsObjectType]
    : url.startsWith('/crm/v4/')
      ? (['contacts', 'deals'] as const)
      : [];
  const read = method === 'GET' || url.endsWith('/batch/read') || url.endsWith('/search');
  return types.map((t) => `crm.objects.${t}.${read ? 'read' : 'write'}`);
}

export function sendHsError(reply: FastifyReply, err: HsError): FastifyReply {
  return reply.code(err.statusCode).type('application/json').send(err.body());
}

/**
 * Registers one API route: authentication, then the ten-secondly/daily gate (or search's own
 * per-second gate, which answers without rate-limit headers), then the handler. A handler returns
 * the body (status 200 unless it set another) or throws an {@link HsError}.
 */
export function apiRoute(
  app: FastifyInstance,
  server: HubSpotServer,
  method: Method,
  url: string,
  handler: ApiHandler,
  options: { search?: boolean } = {},
): void {
  const scopes = routeScopes(method, url);
  app.route({
    method,
    url,
    handler: async (request, reply) => {
      reply.header('x-hubspot-correlation-id', crypto.randomUUID());
      try {
        const { org, caller } = authenticate(server, request);
        if (scopes.length > 0) checkScopes(server, request, scopes);
        const now = org.now();
        const limits = org.state.limits;
        const decision = options.search ? limits.takeSearch(now) : limits.takeApi(caller, now);
        reply.headers(decision.headers);
        if (!decision.ok) return reply.code(429).type('application/json').send(decision.body);
        const out = await handler({ org, caller, request, reply });
        if (reply.sent) return reply;
        if (out === undefined) return reply.code(reply.statusCode === 200 ? 204 : reply.statusCode).send();
        return reply.type('application/json').send(out);
      } catch (err) {
        if (err instanceof HsError) return sendHsError(reply, err);
        throw err;
      }
    },
  });
}

/** A query parameter given repeated (`a=1&a=2`, as the Node client sends) or comma-separated. */
export function multi(query: unknown, name: string): string[] | undefined {
  const raw = (query as Record<string, unknown>)[name];
  if (raw === undefined) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(','));
  return parts.map((s) => s.trim()).filter(Boolean);
}

export function single(query: unknown, name: string): string | undefined {
  const raw = (query as Record<string, unknown>)[name];
  if (raw === undefined) return undefined;
  return String(Array.isArray(raw) ? raw[0] : raw);
}

export function bool(query: unknown, name: string): boolean {
  return single(query, name) === 'true';
}

/** Maps `contacts`, `contact`, `0-1` (and the deal forms) to an object type; 400 otherwise. */
export function objectType(raw: string): HsObjectType {
  const t = raw.toLowerCase();
  if (t === 'contacts' || t === 'contact' || t === '0-1') return 'contacts';
  if (t === 'deals' || t === 'deal' || t === '0-3') return 'deals';
  throw new HsError(400, 'VALIDATION_ERROR', `Unable to infer object type from: ${raw}`);
}

export function otherType(t: HsObjectType): HsObjectType {
  return t === 'contacts' ? 'deals' : 'contacts';
}

/** docs/vendors/hubspot.md "CRM objects" "Default properties when `properties` is omitted". */
export const DEFAULT_PROPERTIES: Record<HsObjectType, string[]> = {
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: [
    'dealname',
    'amount',
    'closedate',
    'pipeline',
    'dealstage',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
  ],
};

/** Always returned alongside requested properties (as every documented example shows). */
const ALWAYS: Record<HsObjectType, string[]> = {
  contacts: ['createdate', 'hs_object_id', MODIFIED_PROPERTY.contacts],
  deals: ['createdate', 'hs_object_id', MODIFIED_PROPERTY.deals],
};

export interface RenderOptions {
  /** Requested property names; undefined = the defaults, 'all' = every property with a value. */
  properties?: string[] | 'all';
  propertiesWithHistory?: string[];
  /** Associated ids per requested object type. */
  associations?: Partial<Record<HsObjectType, string[]>>;
  /** Values to render instead of the live ones (search's possibly lagging index). */
  values?: Record<string, string>;
}

/** `SimplePublicObject(WithAssociations)`: string values, null for defined-but-empty, unknown names omitted. */
export function renderRecord(
  rec: HsRecord,
  defs: Map<string, unknown>,
  opts: RenderOptions = {},
): Record<string, unknown> {
  const values = opts.values ?? rec.properties;
  const properties: Record<string, string | null> = {};
  if (opts.properties === 'all') {
    for (const [k, v] of Object.entries(values)) properties[k] = v;
  } else {
    const names = opts.properties ?? DEFAULT_PROPERTIES[rec.type];
    for (const n of [...names, ...ALWAYS[rec.type]]) if (defs.has(n)) properties[n] = values[n] ?? null;
  }
  const out: Record<string, unknown> = {
    id: rec.id,
    properties: sortKeys(properties),
    createdAt: iso(rec.createdAt),
    updatedAt: iso(rec.updatedAt),
    archived: rec.archived,
  };
  if (rec.archived && rec.archivedAt !== undefined) out.archivedAt = iso(rec.archivedAt);
  if (opts.propertiesWithHistory?.length) {
    const h: Record<string, unknown> = {};
    for (const n of opts.propertiesWithHistory) if (defs.has(n)) h[n] = rec.history[n] ?? [];
    out.propertiesWithHistory = h;
  }
  if (opts.associations) {
    const a: Record<string, unknown> = {};
    for (const [type, ids] of Object.entries(opts.associations) as [HsObjectType, string[]][]) {
      if (ids.length === 0) continue;
      // The `type` strings (contact_to_deal) are UNVERIFIED [3P]; the shape is the spec's AssociatedId.
      const label = rec.type === 'contacts' ? 'contact_to_deal' : 'deal_to_contact';
      a[type] = { results: ids.map((id) => ({ id, type: label })) };
    }
    if (Object.keys(a).length > 0) out.associations = a;
  }
  return out;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Validates the `inputs` array of a batch call: present, an array, at most `max` entries. */
export function batchInputs<T>(body: unknown, max: number): T[] {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs))
    throw validationError('Invalid input JSON: expected an object with an "inputs" array.');
  if (inputs.length > max) {
    throw validationError(`Batch input is limited to ${max} inputs; got ${inputs.length}.`, {
      context: { maxInputs: [String(max)], inputs: [String(inputs.length)] },
    });
  }
  return inputs as T[];
}

/** The envelope of a batch response; 207 when `errors` is non-empty. */
export function batchEnvelope(
  requestedAt: number,
  results: unknown[],
  errors: unknown[],
  now: number,
): Record<string, unknown> {
  return {
    status: 'COMPLETE',
    results,
    ...(errors.length > 0 ? { numErrors: errors.length, errors } : {}),
    requestedAt: iso(requestedAt),
    startedAt: iso(requestedAt),
    completedAt: iso(now),
    links: {},
  };
}
