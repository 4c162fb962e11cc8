// HTTP wiring of the Web API (docs/vendors/dynamics.md "Calling the Web API"): the bearer check and
// its documented 401, the service protection gate, and the translation between fastify and the
// dispatcher every route and `$batch` part shares.
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { API_PREFIX, AUTHORITY_HOST, SERVED_VERSIONS } from './constants';
import { runBatch, parseQueryString } from './batch';
import { errorResponse, type WebApiRequest, type WebApiResponse } from './webapi-types';
import { DvError, unknownResource } from './errors';
import { ServiceProtection } from './limits';
import { environmentUrl, type DynamicsOrg, type DynamicsServer } from './state';
import { dispatch } from './webapi';

export function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  return header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : undefined;
}

export function isWebApiUrl(url: string): boolean {
  return url.startsWith(`${API_PREFIX}/`);
}

function headerRecord(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Sends a dispatcher response; bodies go out as bytes so fastify leaves the content type as written. */
export function sendWebApiResponse(
  reply: FastifyReply,
  response: WebApiResponse,
  extra: Record<string, string> = {},
): FastifyReply {
  void reply.code(response.status).headers({ ...extra, ...response.headers });
  if (response.body === undefined) return reply.send();
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  return reply.send(Buffer.from(text, 'utf8'));
}

/**
 * 401 with an empty body and the WWW-Authenticate challenge naming the tenant's authority and the
 * environment ("Calling the Web API"; the resource_id form is UNVERIFIED).
 */
function unauthorized(reply: FastifyReply, org: DynamicsOrg | undefined): FastifyReply {
  const tenant = org?.state.tenantId ?? 'common';
  const resource = org ? `${environmentUrl(org.state)}/` : '';
  return reply
    .code(401)
    .header(
      'www-authenticate',
      `Bearer authorization_uri=${AUTHORITY_HOST}/${tenant}/oauth2/authorize, resource_id=${resource}`,
    )
    .send();
}

interface Admission {
  userId: string;
  ticket: number;
  org: DynamicsOrg;
}

export function registerWebApiRoutes(app: FastifyInstance, server: DynamicsServer): void {
  const protection = new WeakMap<DynamicsOrg, ServiceProtection>();
  const admissions = new WeakMap<FastifyRequest, Admission>();
  const limitsOf = (org: DynamicsOrg): ServiceProtection => {
    let p = protection.get(org);
    if (!p) protection.set(org, (p = new ServiceProtection(() => org.state.settings)));
    return p;
  };

  app.addContentTypeParser('multipart/mixed', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  // Concurrency counts from arrival (before any injected latency); the other limits are decided
  // when the handler runs.
  app.addHook('onRequest', async (request) => {
    if (!isWebApiUrl(request.url) || server.isInternal(request)) return;
    const token = bearer(request);
    const record = token ? server.tokens.find(token) : undefined;
    const org = record ? server.orgs.get(record.orgId) : undefined;
    if (!record || !org || !record.data.userId) return;
    const userId = record.data.userId;
    admissions.set(request, { userId, org, ticket: limitsOf(org).arrive(userId, org.now()) });
  });
  app.addHook('onResponse', async (request, reply) => {
    const a = admissions.get(request);
    if (a)
      limitsOf(a.org).finish(a.userId, a.ticket, a.org.now(), reply.elapsedTime, reply.statusCode !== 429);
  });

  /** Auth, version and limits: the org, user and limit headers, or undefined once an answer was sent. */
  const gate = (
    request: FastifyRequest,
    reply: FastifyReply,
  ): { org: DynamicsOrg; userId: string; headers: Record<string, string> } | undefined => {
    const version = (request.params as { version: string }).version;
    const org = server.orgOf(request);
    const token = bearer(request);
    const check = token && org ? server.tokens.check(token, 'access', org.now()) : undefined;
    if (!org || !check?.ok) {
      unauthorized(reply, org);
      return undefined;
    }
    if (!SERVED_VERSIONS.includes(version)) {
      sendWebApiResponse(reply, errorResponse(unknownResource(version)));
      return undefined;
    }
    const a = admissions.get(request);
    if (!a) return { org, userId: check.token.data.userId ?? org.state.applicationUserId, headers: {} };
    const decision = limitsOf(org).admit(a.userId, a.ticket, org.now());
    if (!decision.ok) {
      sendWebApiResponse(reply, errorResponse(decision.error));
      return undefined;
    }
    return { org, userId: a.userId, headers: decision.headers };
  };

  const origin = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const admitted = gate(request, reply);
    if (!admitted) return reply;
    const url = request.url;
    const prefix = `${API_PREFIX}/${(request.params as { version: string }).version}/`;
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).slice(prefix.length);
    let query: URLSearchParams;
    try {
      query = parseQueryString(q < 0 ? '' : url.slice(q + 1));
    } catch (err) {
      if (err instanceof DvError) return sendWebApiResponse(reply, errorResponse(err), admitted.headers);
      throw err;
    }
    const req: WebApiRequest = {
      method: request.method,
      path,
      query,
      headers: headerRecord(request),
      body: request.body,
      origin: origin(request),
    };
    return sendWebApiResponse(reply, dispatch(admitted.org, admitted.userId, req), admitted.headers);
  };

  const methods = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
  app.post(`${API_PREFIX}/:version/$batch`, async (request, reply) => {
    const admitted = gate(request, reply);
    if (!admitted) return reply;
    const response = await runBatch(
      { org: admitted.org, userId: admitted.userId, origin: origin(request) },
      request.headers['content-type'],
      request.body,
      headerRecord(request).prefer,
    );
    return sendWebApiResponse(reply, response, admitted.headers);
  });
  app.route({ method: [...methods], url: `${API_PREFIX}/:version/:resource`, handler });
  app.route({ method: [...methods], url: `${API_PREFIX}/:version/:resource/*`, handler });
}
