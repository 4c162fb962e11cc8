// OAuth 2.0 (docs/vendors/hubspot.md "OAuth"): an auto-approving authorize page, the v1 token endpoint (authorization_code and
// refresh_token; v3 served by the same handler), and token metadata / refresh-token deletion.
import crypto from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ACCESS_TOKEN_TTL_SECONDS, DEMO } from './constants';
import { type HubSpotOrg, type HubSpotServer } from './state';

export const DEFAULT_SCOPES = [
  'oauth',
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.deals.read',
  'crm.objects.deals.write',
];
const USER_ID = 2620726;
const USER_EMAIL = 'sandbox.user@example.com';

/**
 * An OAuth error with both the legacy (`status`, `message`) and the RFC 6749 (`error`,
 * `error_description`) fields, as HubSpot answers since the v3 change (docs/vendors/hubspot.md "OAuth"). The legacy status names
 * other than BAD_REFRESH_TOKEN and BAD_CLIENT_ID are UNVERIFIED.
 */
function oauthError(reply: FastifyReply, status: string, error: string, message: string): FastifyReply {
  return reply
    .code(400)
    .type('application/json')
    .send({ status, message, error, error_description: message, correlationId: crypto.randomUUID() });
}

function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The org an OAuth request belongs to: by the code / token it carries, or the authorize `portalId`. */
export function resolveOAuthOrg(server: HubSpotServer, request: FastifyRequest): string | undefined {
  const body = request.body;
  const params = request.params as Record<string, string> | undefined;
  const value = field(body, 'code') ?? field(body, 'refresh_token') ?? field(body, 'token') ?? params?.token;
  if (value) return server.tokens.find(value)?.orgId;
  const portal = (request.query as Record<string, string> | undefined)?.portalId;
  if (portal) return [...server.orgs.values()].find((o) => String(o.state.portalId) === portal)?.id;
  return server.orgs.has('default') ? 'default' : server.orgs.keys().next().value;
}

export function registerOAuthRoutes(app: FastifyInstance, server: HubSpotServer): void {
  // The install screen approves at once and redirects with `code` (and `state`) [V-DOC].
  app.get('/oauth/authorize', { config: { sandbox: { faults: false } } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const org = server.orgOf(request);
    if (q.client_id !== DEMO.clientId || !org) {
      return reply
        .code(400)
        .type('text/html')
        .send('<h1>Authorization failed</h1><p>Unknown client_id or portal.</p>');
    }
    if (!q.redirect_uri)
      return reply
        .code(400)
        .type('text/html')
        .send('<h1>Authorization failed</h1><p>redirect_uri is required.</p>');
    const scopes = [...(q.scope ?? '').split(/[ +]/), ...(q.optional_scope ?? '').split(/[ +]/)].filter(
      Boolean,
    );
    const code = server.tokens.issue(org.id, 'code', org.now(), {
      ttlMs: 10 * 60_000,
      data: { redirectUri: q.redirect_uri, scopes: (scopes.length > 0 ? scopes : DEFAULT_SCOPES).join(' ') },
    });
    const target = new URL(q.redirect_uri);
    target.searchParams.set('code', code.value);
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    return reply.redirect(target.toString(), 302);
  });

  const token = async (request: FastifyRequest, reply: FastifyReply, v3: boolean): Promise<FastifyReply> => {
    const body = request.body;
    // The token endpoint takes a form body [V-SPEC]; the answer to JSON is UNVERIFIED, but refusing it
    // keeps a client that sends JSON from passing here and failing against HubSpot.
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return oauthError(
        reply,
        'BAD_REQUEST',
        'invalid_request',
        'the token request must be application/x-www-form-urlencoded',
      );
    }
    const grant = field(body, 'grant_type');
    if (field(body, 'client_id') !== DEMO.clientId)
      return oauthError(reply, 'BAD_CLIENT_ID', 'invalid_client', 'missing or invalid client id');
    if (field(body, 'client_secret') !== DEMO.clientSecret) {
      return oauthError(reply, 'BAD_CLIENT_SECRET', 'invalid_client', 'missing or invalid client secret');
    }
    const org = server.orgOf(request);
    if (grant === 'authorization_code') {
      const code = field(body, 'code');
      const check = code && org ? server.tokens.check(code, 'code', org.now()) : null;
      if (!check?.ok || !org)
        return oauthError(reply, 'BAD_AUTH_CODE', 'invalid_grant', 'missing or unknown auth code');
      if (field(body, 'redirect_uri') !== check.token.data.redirectUri) {
        return oauthError(
          reply,
          'BAD_REDIRECT_URI',
          'invalid_grant',
          'redirect_uri does not match the one used to authorize',
        );
      }
      server.tokens.consume(check.token.value);
      const refresh = server.tokens.issue(org.id, 'refresh', org.now(), {
        ttlMs: null,
        prefix: 'na1-',
        data: { scopes: check.token.data.scopes ?? '' },
      });
      return reply.send(issueAccess(server, org, refresh.value, refresh.data.scopes ?? '', v3));
    }
    if (grant === 'refresh_token') {
      const value = field(body, 'refresh_token');
      const check = value && org ? server.tokens.check(value, 'refresh', org.now()) : null;
      if (!check?.ok || !org || org.faults.current.revokeRefreshTokens) {
        return oauthError(
          reply,
          'BAD_REFRESH_TOKEN',
          'invalid_grant',
          'refresh token is invalid, expired or revoked',
        );
      }
      // HubSpot keeps the refresh token: the same one comes back.
      return reply.send(issueAccess(server, org, check.token.value, check.token.data.scopes ?? '', v3));
    }
    return oauthError(
      reply,
      'BAD_GRANT_TYPE',
      'unsupported_grant_type',
      `grant_type ${String(grant)} is not supported`,
    );
  };
  app.post('/oauth/v1/token', (request, reply) => token(request, reply, false));
  app.post('/oauth/v3/token', (request, reply) => token(request, reply, true));

  app.get('/oauth/v1/access-tokens/:token', async (request, reply) => {
    const value = (request.params as { token: string }).token;
    const org = server.orgOf(request);
    const check = org ? server.tokens.check(value, 'access', org.now()) : null;
    if (!org || !check?.ok || check.token.data.type !== 'oauth') {
      return tokenNotFound(reply);
    }
    return {
      token: value,
      user: USER_EMAIL,
      hub_domain: `portal-${org.state.portalId}.example.com`,
      scopes: (check.token.data.scopes ?? '').split(' ').filter(Boolean),
      hub_id: org.state.portalId,
      app_id: DEMO.appId,
      expires_in: Math.max(0, Math.floor(((check.token.expiresAt ?? org.now()) - org.now()) / 1000)),
      user_id: USER_ID,
      token_type: 'access',
    };
  });

  app.get('/oauth/v1/refresh-tokens/:token', async (request, reply) => {
    const value = (request.params as { token: string }).token;
    const org = server.orgOf(request);
    const check = org ? server.tokens.check(value, 'refresh', org.now()) : null;
    if (!org || !check?.ok) {
      return tokenNotFound(reply);
    }
    return {
      token: value,
      user: USER_EMAIL,
      hub_domain: `portal-${org.state.portalId}.example.com`,
      scopes: (check.token.data.scopes ?? '').split(' ').filter(Boolean),
      hub_id: org.state.portalId,
      client_id: DEMO.clientId,
      user_id: USER_ID,
      token_type: 'refresh',
    };
  });

  // Deleting a refresh token (docs/vendors/hubspot.md "Revoking tokens"): later refresh grants with it
  // fail BAD_REFRESH_TOKEN, while access tokens already issued from it live out their 30 minutes, as
  // HubSpot says. HubSpot documents no answer for an unknown token: this one says 404 like the GET.
  app.delete('/oauth/v1/refresh-tokens/:token', async (request, reply) => {
    const value = (request.params as { token: string }).token;
    const org = server.orgOf(request);
    const check = org ? server.tokens.check(value, 'refresh', org.now()) : null;
    if (!org || !check?.ok) {
      return tokenNotFound(reply);
    }
    server.tokens.revoke(value, { issued: false });
    return reply.code(204).send();
  });
}

function issueAccess(
  server: HubSpotServer,
  org: HubSpotOrg,
  refresh: string,
  scopes: string,
  v3: boolean,
): Record<string, unknown> {
  // The short-lived-token fault shortens the real lifetime but the response still says 1800 s, so
  // clients meet an unannounced EXPIRED_AUTHENTICATION 401, which is what the knob is for.
  const ttlMs = org.faults.current.accessTokenTtlMs ?? ACCESS_TOKEN_TTL_SECONDS * 1000;
  const access = server.tokens.issue(org.id, 'access', org.now(), {
    ttlMs,
    prefix: 'CN',
    parent: refresh,
    data: { type: 'oauth', appId: String(DEMO.appId), scopes },
  });
  return {
    token_type: 'bearer',
    refresh_token: refresh,
    access_token: access.value,
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
    hub_id: org.state.portalId,
    user_id: USER_ID,
    scopes: scopes.split(' ').filter(Boolean),
    ...(v3 ? { token_use: 'access_token' } : {}),
  };
}

/** HubSpot's answer for a token it does not know (the token metadata GETs and the refresh-token DELETE). */
function tokenNotFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).send({
    status: 'error',
    message: 'Token not found',
    correlationId: crypto.randomUUID(),
    category: 'OBJECT_NOT_FOUND',
  });
}
