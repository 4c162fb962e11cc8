// OAuth 2.0 (docs/vendors/pipedrive.md "Authentication"): an auto-approving authorize page, the
// token endpoint (authorization_code, refresh_token; client credentials in HTTP Basic only) and
// revoke. The token response names the company's `api_domain`, which later calls must use. Codes
// live 5 minutes; a refresh token dies after 60 days unused; errors are the documented messages.
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DEMO, OAUTH } from './constants';
import { COMPANY_PREFIX } from './constants';
import { type PipedriveOrg, type PipedriveServer } from './state';

type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';

function oauthError(
  reply: FastifyReply,
  org: PipedriveOrg | undefined,
  status: number,
  error: OAuthErrorCode,
  message: string,
): FastifyReply {
  const rfc = org?.state.settings.oauthErrorShape === 'rfc6749';
  return reply
    .code(status)
    .type('application/json')
    .send(rfc ? { error, error_description: message } : { success: false, message, error });
}

function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | null | undefined)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `Authorization: Basic base64(client_id:client_secret)`: the only client authentication accepted. */
function basicClient(request: FastifyRequest): { id: string; secret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** The org an OAuth request belongs to: by the code or token it carries, else the authorize `company`. */
export function resolveOAuthOrg(server: PipedriveServer, request: FastifyRequest): string | undefined {
  const value =
    field(request.body, 'code') ?? field(request.body, 'refresh_token') ?? field(request.body, 'token');
  const owner = value ? server.tokens.find(decodeURIComponent(value))?.orgId : undefined;
  if (owner) return owner;
  const company = (request.query as Record<string, string | undefined>).company;
  if (company)
    return [...server.orgs.values()].find((o) => o.state.companyDomain === company || o.id === company)?.id;
  // An unknown code or token still belongs to the app's home company: its settings shape the error.
  return server.orgs.has('default') ? 'default' : server.orgs.keys().next().value;
}

export function apiDomain(request: FastifyRequest, org: PipedriveOrg): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}${COMPANY_PREFIX}/${org.state.companyDomain}`;
}

export function registerOAuthRoutes(app: FastifyInstance, server: PipedriveServer): void {
  app.get('/oauth/authorize', { config: { sandbox: { faults: false } } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const org = server.orgOf(request);
    if (q.client_id !== DEMO.clientId || !org || !q.redirect_uri)
      return reply
        .code(400)
        .type('text/html')
        .send('<h1>Invalid request</h1><p>Unknown client_id, company or missing redirect_uri.</p>');
    let target: URL;
    try {
      target = new URL(q.redirect_uri);
    } catch {
      return reply
        .code(400)
        .type('text/html')
        .send('<h1>Invalid request</h1><p>redirect_uri is not a URL.</p>');
    }
    const code = server.tokens.issue(org.id, 'code', org.now(), {
      ttlMs: OAUTH.codeTtlMs,
      prefix: `${org.state.companyId}:${org.state.userId}:`,
      data: { redirectUri: q.redirect_uri, userId: String(org.state.userId) },
    });
    target.searchParams.set('code', code.value);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    return reply.redirect(target.toString(), 302);
  });

  app.post('/oauth/token', { config: { sandbox: { faults: false } } }, async (request, reply) => {
    const org = server.orgOf(request);
    const body = request.body;
    const client = basicClient(request);
    if (!client)
      return oauthError(
        reply,
        org,
        400,
        'invalid_client',
        'Invalid client: cannot retrieve client credentials',
      );
    if (client.id !== DEMO.clientId || client.secret !== DEMO.clientSecret)
      return oauthError(reply, org, 400, 'invalid_client', 'Invalid client: client is invalid');
    const grant = field(body, 'grant_type');
    if (!grant) return oauthError(reply, org, 400, 'invalid_request', 'Missing parameter: grant_type');
    if (!(OAUTH.grants as readonly string[]).includes(grant))
      return oauthError(
        reply,
        org,
        400,
        'unsupported_grant_type',
        'Unsupported grant type: grant_type is invalid',
      );
    if (!org) {
      const what = grant === 'refresh_token' ? 'refresh_token' : 'authorization_code';
      return oauthError(reply, org, 400, 'invalid_grant', `Invalid grant: ${what} is invalid`);
    }
    const now = org.now();
    const ttlSeconds =
      org.faults.current.accessTokenTtlMs !== null
        ? Math.floor(org.faults.current.accessTokenTtlMs / 1000)
        : org.state.settings.accessTokenTtlSeconds;
    const issueAccess = (refresh: string): FastifyReply => {
      const access = server.tokens.issue(org.id, 'access', now, {
        ttlMs: ttlSeconds * 1000,
        prefix: `${org.state.companyId}:${org.state.userId}:`,
        parent: refresh,
        data: { userId: String(org.state.userId) },
      });
      return reply.type('application/json').send({
        access_token: access.value,
        token_type: 'Bearer',
        expires_in: ttlSeconds,
        refresh_token: refresh,
        scope: OAUTH.scopes,
        api_domain: apiDomain(request, org),
      });
    };
    if (grant === 'authorization_code') {
      const code = field(body, 'code') ?? '';
      const check = server.tokens.check(code, 'code', now);
      if (!check.ok)
        return oauthError(
          reply,
          org,
          400,
          'invalid_grant',
          `Invalid grant: authorization_code ${check.reason === 'expired' ? 'has expired' : 'is invalid'}`,
        );
      if (field(body, 'redirect_uri') !== check.token.data.redirectUri)
        return oauthError(
          reply,
          org,
          400,
          'invalid_request',
          'Invalid request: redirect_uri is not the one the code was issued for',
        );
      server.tokens.consume(code);
      const refresh = server.tokens.issue(org.id, 'refresh', now, {
        ttlMs: OAUTH.refreshIdleTtlMs,
        prefix: `${org.state.companyId}:${org.state.userId}:`,
        data: { userId: String(org.state.userId) },
      });
      return issueAccess(refresh.value);
    }
    if (grant === 'refresh_token') {
      const value = field(body, 'refresh_token') ?? '';
      const check = server.tokens.check(value, 'refresh', now);
      if (!check.ok || org.faults.current.revokeRefreshTokens)
        return oauthError(reply, org, 400, 'invalid_grant', 'Invalid grant: refresh_token is invalid');
      // "Expires after 60 days unused": every use starts the 60 days again.
      check.token.expiresAt = now + OAUTH.refreshIdleTtlMs;
      return issueAccess(value);
    }
    return oauthError(reply, org, 400, 'invalid_grant', 'Invalid grant: api_token exchange is not simulated');
  });

  app.post('/oauth/revoke', { config: { sandbox: { faults: false } } }, async (request, reply) => {
    const org = server.orgOf(request);
    const client = basicClient(request);
    if (!client || client.id !== DEMO.clientId || client.secret !== DEMO.clientSecret)
      return oauthError(reply, org, 400, 'invalid_client', 'Invalid client: client is invalid');
    const token = decodeURIComponent(field(request.body, 'token') ?? '');
    const record = server.tokens.find(token);
    if (!record || record.kind === 'code')
      return oauthError(reply, org, 400, 'invalid_request', 'Invalid request: token is invalid');
    server.tokens.revoke(token);
    return reply.type('application/json').send({ success: true });
  });
}
