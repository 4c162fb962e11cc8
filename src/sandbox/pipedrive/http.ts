// One wrapper for every Pipedrive API route: the URL forms it answers on, authentication, rate limits
// and the envelope (docs/vendors/pipedrive.md "Authentication", "Base URLs", "Envelopes", "Rate limits").
import crypto from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import { API_V1, API_V1_SHORT, API_V2, COMPANY_PREFIX, MAX_BODY_BYTES, type CallKind } from './constants';
import { FORBIDDEN_HTML, PdError, rateLimitBody, UNAUTHORIZED_BODY } from './errors';
import { LIMIT_MESSAGES, type Caller } from './limits';
import { type PipedriveOrg, type PipedriveServer } from './state';

export type ApiVersion = 'v1' | 'v2';

/** Who is calling: the org, the user, the credential (for the burst window) and how it was sent. */
export interface CallContext {
  org: PipedriveOrg;
  userId: number;
  caller: Caller;
  version: ApiVersion;
  query: Record<string, string | undefined>;
  params: Record<string, string>;
  body: unknown;
}

/** What a handler returns: the `data` and `additional_data` of the success envelope, or a raw reply. */
export interface Answer {
  status?: number;
  data: unknown;
  additional_data?: unknown;
  related_objects?: unknown;
}

export interface RouteSpec {
  method: HTTPMethods;
  /** Path after the version prefix, e.g. `/persons/:id`. */
  path: string;
  version: ApiVersion;
  /** What the call costs (docs/vendors/pipedrive.md "Rate limits"). */
  kind: CallKind;
  /** Tokens, where the endpoint's own price differs from its kind's (`PARTICIPANT_COSTS`). */
  cost?: number;
}

/** Path prefixes a version answers on: the generic API host and a company domain (`/c/:company`). */
export function prefixes(version: ApiVersion): string[] {
  const generic = version === 'v2' ? [API_V2] : [API_V1, API_V1_SHORT];
  return [...generic, ...generic.map((p) => `${COMPANY_PREFIX}/:company${p}`)];
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The credential a request carries: `x-api-token`, `?api_token=` (v1 only) or an OAuth bearer token. */
export function credentialOf(
  request: FastifyRequest,
): { kind: 'api_token' | 'oauth'; value: string } | undefined {
  const apiToken = header(request, 'x-api-token');
  if (apiToken) return { kind: 'api_token', value: apiToken };
  const path = request.url.split('?', 1)[0] ?? '';
  const query = request.query as Record<string, unknown> | undefined;
  if (!path.includes(API_V2) && typeof query?.api_token === 'string' && query.api_token !== '')
    return { kind: 'api_token', value: query.api_token };
  const auth = header(request, 'authorization');
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null;
  return m ? { kind: 'oauth', value: m[1] } : undefined;
}

/** Org of an API call by its credential (the core's `resolveOrg`). */
export function resolveApiOrg(
  request: FastifyRequest,
  server: PipedriveServer,
  apiTokens: Map<string, string>,
): string | undefined {
  const credential = credentialOf(request);
  if (!credential) return undefined;
  if (credential.kind === 'api_token') return apiTokens.get(credential.value);
  return server.tokens.find(credential.value)?.orgId;
}

function unauthorized(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .headers({ 'x-401-by-gw': 'true', 'x-correlation-id': crypto.randomUUID() })
    .type('application/json')
    .send(UNAUTHORIZED_BODY);
}

/**
 * Authenticates: an API token must be the org's current one; an OAuth token live and, since a token
 * response names the company's `api_domain`, used on that domain. A company prefix that is not the
 * caller's own company is refused.
 */
function authenticate(
  request: FastifyRequest,
  org: PipedriveOrg | undefined,
  server: PipedriveServer,
): { userId: number; caller: Caller } | undefined {
  const credential = credentialOf(request);
  if (!org || !credential) return undefined;
  const company = (request.params as Record<string, string | undefined>).company;
  if (company !== undefined && company !== org.state.companyDomain) return undefined;
  if (credential.kind === 'api_token') {
    if (credential.value !== org.state.apiToken) return undefined;
    return { userId: org.state.userId, caller: { token: credential.value, kind: 'api_token' } };
  }
  if (company === undefined) return undefined;
  const check = server.tokens.check(credential.value, 'access', org.now());
  if (!check.ok) return undefined;
  return { userId: Number(check.token.data.userId), caller: { token: credential.value, kind: 'oauth' } };
}

/** Sends a rate-limit refusal: the 429 body, or the HTML block page once a client keeps hammering. */
export function sendLimited(
  reply: FastifyReply,
  reason: keyof typeof LIMIT_MESSAGES | 'blocked',
  headers: Record<string, string>,
): FastifyReply {
  if (reason === 'blocked') return reply.code(403).type('text/html; charset=UTF-8').send(FORBIDDEN_HTML);
  return reply
    .code(429)
    .headers(headers)
    .type('application/json')
    .send(rateLimitBody(LIMIT_MESSAGES[reason]));
}

export function sendError(reply: FastifyReply, err: PdError): FastifyReply {
  return reply.code(err.statusCode).type('application/json').send(err.body());
}

/** Query values as single strings: a repeated parameter (`ids=1&ids=2`) joins with commas. */
function flatQuery(query: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? v.map(String).join(',') : typeof v === 'string' ? v : undefined;
  }
  return out;
}

/** Registers one API route on every prefix of its version. */
export function apiRoute(
  app: FastifyInstance,
  server: PipedriveServer,
  spec: RouteSpec,
  handler: (ctx: CallContext) => Answer,
): void {
  for (const prefix of prefixes(spec.version)) {
    app.route({
      method: spec.method,
      url: `${prefix}${spec.path}`,
      bodyLimit: MAX_BODY_BYTES,
      handler: async (request, reply) => {
        const org = server.orgOf(request);
        const who = authenticate(request, org, server);
        if (!org || !who) return unauthorized(reply);
        if (!server.isInternal(request)) {
          const decision = org.state.limits.charge(who.caller, spec.version, spec.kind, org.now(), spec.cost);
          if (!decision.ok) return sendLimited(reply, decision.reason, decision.headers);
          void reply.headers(decision.headers);
        }
        try {
          const answer = handler({
            org,
            userId: who.userId,
            caller: who.caller,
            version: spec.version,
            query: flatQuery(request.query),
            params: request.params as Record<string, string>,
            body: request.body,
          });
          const { status, ...rest } = answer;
          return reply
            .code(status ?? 200)
            .type('application/json')
            .send({ success: true, ...rest });
        } catch (err) {
          if (err instanceof PdError) return sendError(reply, err);
          throw err;
        }
      },
    });
  }
}
