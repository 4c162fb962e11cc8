// One wrapper for every CRM API route (docs/vendors/zoho.md "Data centres", "Auth errors on API calls",
// "Rate limits"): the DC's API domain prefix, the `Zoho-oauthtoken` header, a token used only on its
// own DC's API domain, credits per call, the org's concurrency limit, and Zoho's error body.
import { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import { API, CRM_V8, DC_IDS, DC_PREFIX, MAX_BODY_BYTES, type DcId } from './constants';
import { INVALID_TOKEN_BODY, ZohoError } from './errors';
import { type LimitRefusal } from './limits';
import { type ZohoOrg, type ZohoServer } from './state';

/** Who is calling and what they sent. */
export interface CallContext {
  org: ZohoOrg;
  dc: DcId;
  userId: string;
  request: FastifyRequest;
  query: Record<string, string | undefined>;
  params: Record<string, string>;
  body: unknown;
}

/** What a handler returns: a status and a JSON body, or no body (204, 304). */
export interface Answer {
  status?: number;
  body?: unknown;
  /** A non-JSON body (a bulk result's zip) and its media type. */
  raw?: { type: string; data: Buffer };
}

export interface RouteSpec {
  method: HTTPMethods;
  /** Path after the API root, e.g. `/:module/:id`. */
  path: string;
  /** The API root under the API domain. @defaultValue `/crm/v8` (the bulk APIs: `/crm/bulk/v8`) */
  root?: string;
  /** Credits the call costs (docs/vendors/zoho.md "Rate limits"); a function for calls priced by input. */
  credits?: number | ((ctx: CallContext) => number);
  /** The DC host the route hangs off. @defaultValue the API domain (Bulk Write uploads: the file host) */
  host?: string;
  /** Largest body read. @defaultValue MAX_BODY_BYTES */
  bodyLimit?: number;
}

const API_PATH = new RegExp(`^${DC_PREFIX}/[a-z]{2}/${API}/`);

/** `Authorization: Zoho-oauthtoken <token>` (the only scheme the docs give). */
export function bearerOf(request: FastifyRequest): string | undefined {
  const m = /^Zoho-oauthtoken\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return m?.[1];
}

/** Org of an API call by its token, even a token of another DC (so the refusal is logged on its org). */
export function resolveApiOrg(
  request: FastifyRequest,
  server: ZohoServer,
  demoTokens: ReadonlyMap<string, string>,
): string | undefined {
  const token = bearerOf(request);
  return token ? (demoTokens.get(token) ?? server.tokens.find(token)?.orgId) : undefined;
}

function dcParam(request: FastifyRequest): DcId | undefined {
  const dc = (request.params as { dc?: string }).dc;
  return (DC_IDS as string[]).includes(dc ?? '') ? (dc as DcId) : undefined;
}

/** A live access token of this org, issued by this DC's accounts server; else undefined. */
function authenticate(
  request: FastifyRequest,
  org: ZohoOrg | undefined,
  server: ZohoServer,
  dc: DcId,
): string | undefined {
  const token = bearerOf(request);
  if (!org || !token || org.state.settings.dc !== dc) return undefined;
  if (token === org.state.demoToken) return org.state.userId;
  const check = server.tokens.check(token, 'access', org.now());
  if (!check.ok || check.token.data.dc !== dc) return undefined;
  return check.token.data.userId;
}

export function sendError(reply: FastifyReply, err: ZohoError): FastifyReply {
  return reply.code(err.statusCode).type('application/json').send(err.body());
}

/** UNVERIFIED message texts; the code and status are the documented ones. */
const REFUSALS: Record<LimitRefusal, string> = {
  credits: 'API credits of the last 24 hours are used up',
  concurrency: 'Concurrency limit of the org exceeded',
};

export function sendLimited(reply: FastifyReply, refusal: LimitRefusal): FastifyReply {
  return sendError(reply, new ZohoError(429, 'TOO_MANY_REQUESTS', REFUSALS[refusal]));
}

/** Requests of each org in flight (counted from arrival to response), and those refused on arrival. */
const admitted = new WeakMap<FastifyRequest, ZohoOrg>();
const refusedOnArrival = new WeakSet<FastifyRequest>();

/**
 * Counts API calls in flight per org from the moment they arrive (before the core's injected latency),
 * so a test can hold calls open with a latency fault and see the next one refused.
 */
export function installConcurrency(
  app: FastifyInstance,
  server: ZohoServer,
  demoTokens: ReadonlyMap<string, string>,
): void {
  app.addHook('onRequest', async (request) => {
    if (!API_PATH.test(request.url) || server.isInternal(request)) return;
    const orgId = resolveApiOrg(request, server, demoTokens);
    const org = orgId === undefined ? undefined : server.orgs.get(orgId);
    if (!org) return;
    if (org.state.limits.enter() === 'concurrency') refusedOnArrival.add(request);
    else admitted.set(request, org);
  });
  const leave = async (request: FastifyRequest): Promise<void> => {
    const org = admitted.get(request);
    if (!org) return;
    admitted.delete(request);
    org.state.limits.leave();
  };
  app.addHook('onResponse', leave);
  app.addHook('onRequestAbort', leave);
}

function flatQuery(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>))
    out[k] = Array.isArray(v) ? v.map(String).join(',') : typeof v === 'string' ? v : undefined;
  return out;
}

/** Registers one CRM API route under every DC's API domain (or another of its hosts). */
export function apiRoute(
  app: FastifyInstance,
  server: ZohoServer,
  spec: RouteSpec,
  handler: (ctx: CallContext) => Answer,
): void {
  app.route({
    method: spec.method,
    url: `${DC_PREFIX}/:dc/${spec.host ?? API}${spec.root ?? CRM_V8}${spec.path}`,
    bodyLimit: spec.bodyLimit ?? MAX_BODY_BYTES,
    handler: async (request, reply) => {
      const dc = dcParam(request);
      if (!dc)
        return sendError(
          reply,
          new ZohoError(
            404,
            'INVALID_URL_PATTERN',
            'Please check if the URL trying to access is a correct one',
          ),
        );
      const org = server.orgOf(request);
      const userId = authenticate(request, org, server, dc);
      if (!org || userId === undefined)
        return reply.code(401).type('application/json').send(INVALID_TOKEN_BODY);
      if (refusedOnArrival.has(request)) return sendLimited(reply, 'concurrency');
      const ctx: CallContext = {
        org,
        dc,
        userId,
        request,
        query: flatQuery(request.query),
        params: request.params as Record<string, string>,
        body: request.body,
      };
      try {
        if (!server.isInternal(request)) {
          const credits = typeof spec.credits === 'function' ? spec.credits(ctx) : (spec.credits ?? 1);
          const charged = org.state.limits.charge(org.now(), credits).ok;
          if (org.state.settings.rateLimitHeaders) reply.headers(org.state.limits.headers(org.now()));
          if (!charged) return sendLimited(reply, 'credits');
        }
        const answer = handler(ctx);
        const status = answer.status ?? 200;
        if (answer.raw) return reply.code(status).type(answer.raw.type).send(answer.raw.data);
        if (answer.body === undefined) return reply.code(status).send();
        return reply.code(status).type('application/json').send(answer.body);
      } catch (err) {
        if (err instanceof ZohoError) return sendError(reply, err);
        throw err;
      }
    },
  });
}
