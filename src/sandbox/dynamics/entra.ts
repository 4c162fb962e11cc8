// Microsoft Entra ID (docs/vendors/dynamics.md "Entra ID tokens"): `POST /{tenant}/oauth2/v2.0/token`
// for client credentials (scope `https://<org>.crm.dynamics.com/.default`, the secret in the body or
// HTTP Basic), authorization code and refresh token (delegated), and an auto-approving `authorize`
// page. Access tokens are JWT-shaped with `exp`, so clients can schedule refreshes from them.
import crypto from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type TokenRecord } from '../core';
import { AUTH_CODE_TTL_MS, REFRESH_TOKEN_TTL_MS } from './constants';
import { EntraError, entraErrors } from './entra-errors';
import { environmentUrl, type DynamicsOrg, type DynamicsServer } from './state';

const TOKEN_PATH = '/:tenant/oauth2/v2.0/token';
const AUTHORIZE_PATH = '/:tenant/oauth2/v2.0/authorize';

/** Signs the sandbox's JWTs: tokens are opaque to clients, the signature only makes them look real. */
const SIGNING_KEY = crypto.randomBytes(32);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(payload: Record<string, unknown>): string {
  const head = `${b64({ typ: 'JWT', alg: 'HS256', kid: 'crm-gateway-sandbox' })}.${b64(payload)}`;
  return `${head}.${crypto.createHmac('sha256', SIGNING_KEY).update(head).digest('base64url')}`;
}

/** The org a token-endpoint tenant segment names: its tenant id or `<org>.onmicrosoft.com`. */
export function orgForTenant(server: DynamicsServer, tenant: string): DynamicsOrg | undefined {
  const wanted = tenant.toLowerCase();
  return [...server.orgs.values()].find(
    (o) => o.state.tenantId === wanted || `${o.state.orgName}.onmicrosoft.com` === wanted,
  );
}

export function resolveEntraOrg(server: DynamicsServer, request: FastifyRequest): string | undefined {
  const tenant = (request.params as { tenant?: string } | undefined)?.tenant;
  return tenant ? orgForTenant(server, tenant)?.id : undefined;
}

function field(body: unknown, name: string): string | undefined {
  const v = (body as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Client id and secret from the body or an HTTP Basic header (RFC 6749 §2.3.1: form-encoded parts). */
function clientCredentials(request: FastifyRequest): { clientId?: string; secret?: string } {
  const header = request.headers.authorization ?? '';
  if (header.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return { clientId: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
    }
  }
  return { clientId: field(request.body, 'client_id'), secret: field(request.body, 'client_secret') };
}

/** Resources a scope may name: the org's environment URL, or this sandbox's own origin. */
function resourceOf(
  scope: string,
  org: DynamicsOrg,
  origin: string,
): { resource: string; permission: string } | undefined {
  for (const part of scope.split(/\s+/)) {
    const m = /^(https?:\/\/[^/]+)\/+(\.default|user_impersonation)$/.exec(part);
    if (!m) continue;
    const resource = m[1].toLowerCase();
    if (resource === environmentUrl(org.state) || resource === origin.toLowerCase())
      return { resource, permission: m[2] };
    return { resource, permission: '' };
  }
  return undefined;
}

function issueAccess(
  server: DynamicsServer,
  org: DynamicsOrg,
  claims: { userId: string; resource: string; delegated: boolean },
  parent?: string,
): TokenRecord & { ttlSeconds: number } {
  const now = org.now();
  const ttlMs = org.faults.current.accessTokenTtlMs ?? org.state.settings.accessTokenTtlSeconds * 1000;
  const iat = Math.floor(now / 1000);
  const value = jwt({
    aud: claims.resource,
    iss: `https://sts.windows.net/${org.state.tenantId}/`,
    iat,
    nbf: iat,
    exp: Math.floor((now + ttlMs) / 1000),
    appid: org.state.clientId,
    appidacr: '1',
    idtyp: claims.delegated ? 'user' : 'app',
    oid: claims.userId,
    sub: claims.userId,
    tid: org.state.tenantId,
    ...(claims.delegated ? { scp: 'user_impersonation' } : {}),
    uti: crypto.randomBytes(8).toString('base64url'),
    ver: '1.0',
  });
  const token: TokenRecord = {
    value,
    kind: 'access',
    orgId: org.id,
    issuedAt: now,
    expiresAt: now + ttlMs,
    revoked: false,
    parent,
    data: { userId: claims.userId, resource: claims.resource },
  };
  server.tokens.put(token);
  return { ...token, ttlSeconds: Math.max(0, Math.round(ttlMs / 1000)) };
}

function sendEntraError(reply: FastifyReply, org: DynamicsOrg | undefined, err: EntraError): FastifyReply {
  return reply
    .code(err.status)
    .type('application/json; charset=utf-8')
    .send(err.body(org?.now() ?? Date.now()));
}

function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function tokenGrant(server: DynamicsServer, request: FastifyRequest): Record<string, unknown> {
  const tenant = (request.params as { tenant: string }).tenant;
  const org = orgForTenant(server, tenant);
  if (!org) throw entraErrors.unknownTenant(tenant);
  // The token endpoint reads a form body only; anything else reads as a body without parameters.
  const form = String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const body = form ? request.body : {};
  const grant = field(body, 'grant_type');
  if (!grant) throw entraErrors.missingParameter('grant_type');
  const { clientId, secret } = clientCredentials(request);
  if (!clientId) throw entraErrors.missingParameter('client_id');
  if (clientId !== org.state.clientId) throw entraErrors.unknownClient(clientId, tenant);
  if (!secret) throw entraErrors.missingSecret();
  if (secret !== org.state.clientSecret) throw entraErrors.invalidSecret(clientId);
  const now = org.now();

  if (grant === 'client_credentials') {
    const scope = field(body, 'scope');
    if (!scope) throw entraErrors.missingParameter('scope');
    const target = resourceOf(scope, org, origin(request));
    if (!target) throw entraErrors.invalidScope(scope);
    if (target.permission !== '.default') {
      if (target.permission === '') throw entraErrors.unknownResource(target.resource, org.state.tenantId);
      throw entraErrors.notDefaultScope(scope);
    }
    const access = issueAccess(server, org, {
      userId: org.state.applicationUserId,
      resource: target.resource,
      delegated: false,
    });
    // The client-credentials grant returns no refresh token ("Entra ID tokens").
    return {
      token_type: 'Bearer',
      expires_in: access.ttlSeconds,
      ext_expires_in: access.ttlSeconds,
      access_token: access.value,
    };
  }

  let resource: string;
  let offline: boolean;
  if (grant === 'authorization_code') {
    const code = field(body, 'code');
    if (!code) throw entraErrors.missingParameter('code');
    const check = server.tokens.check(code, 'code', now);
    if (!check.ok) {
      if (check.reason === 'revoked') throw entraErrors.codeRedeemed();
      if (check.reason === 'expired') throw entraErrors.codeExpired();
      throw entraErrors.malformedGrant();
    }
    if (field(body, 'redirect_uri') !== check.token.data.redirectUri) throw entraErrors.redirectMismatch();
    // Kept, revoked, so a second redemption gets the documented "already redeemed" answer.
    server.tokens.revoke(code);
    resource = check.token.data.resource ?? environmentUrl(org.state);
    offline = check.token.data.offline === 'true';
  } else if (grant === 'refresh_token') {
    const refresh = field(body, 'refresh_token');
    if (!refresh) throw entraErrors.missingParameter('refresh_token');
    const check = server.tokens.check(refresh, 'refresh', now);
    if (!check.ok) {
      if (check.reason === 'revoked') throw entraErrors.grantRevoked();
      if (check.reason === 'expired') throw entraErrors.grantExpired();
      throw entraErrors.malformedGrant();
    }
    if (org.faults.current.revokeRefreshTokens) throw entraErrors.grantRevoked();
    resource = check.token.data.resource ?? environmentUrl(org.state);
    offline = true;
  } else throw entraErrors.unsupportedGrant(grant);

  // Entra hands out a new refresh token on every redemption; the old one stays valid until it lapses.
  const refresh = offline
    ? server.tokens.issue(org.id, 'refresh', now, {
        ttlMs: REFRESH_TOKEN_TTL_MS,
        prefix: '0.AX',
        data: { resource, userId: org.state.interactiveUserId },
      })
    : undefined;
  const access = issueAccess(
    server,
    org,
    { userId: org.state.interactiveUserId, resource, delegated: true },
    refresh?.value,
  );
  return {
    token_type: 'Bearer',
    scope: `${resource}/user_impersonation${offline ? ' offline_access' : ''}`,
    expires_in: access.ttlSeconds,
    ext_expires_in: access.ttlSeconds,
    access_token: access.value,
    ...(refresh ? { refresh_token: refresh.value } : {}),
  };
}

export function registerEntraRoutes(app: FastifyInstance, server: DynamicsServer): void {
  app.post(TOKEN_PATH, async (request, reply) => {
    try {
      return reply.header('cache-control', 'no-store').send(tokenGrant(server, request));
    } catch (err) {
      if (err instanceof EntraError) return sendEntraError(reply, server.orgOf(request), err);
      throw err;
    }
  });

  // The sign-in and consent screens approve at once and redirect with `code` (and `state`).
  app.get(AUTHORIZE_PATH, { config: { sandbox: { faults: false } } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const org = server.orgOf(request);
    const fail = (err: EntraError) => sendEntraError(reply, org, err);
    if (!org) return fail(entraErrors.unknownTenant((request.params as { tenant: string }).tenant));
    if (q.client_id !== org.state.clientId)
      return fail(entraErrors.unknownClient(String(q.client_id), org.state.tenantId));
    if (!q.redirect_uri) return fail(entraErrors.missingParameter('redirect_uri'));
    const scope = q.scope ?? '';
    const target = resourceOf(scope, org, origin(request));
    if (!target || target.permission === '') return fail(entraErrors.invalidScope(scope));
    const code = server.tokens.issue(org.id, 'code', org.now(), {
      ttlMs: AUTH_CODE_TTL_MS,
      prefix: '1.AX',
      data: {
        redirectUri: q.redirect_uri,
        resource: target.resource,
        offline: String(/\boffline_access\b/.test(scope)),
      },
    });
    const redirect = new URL(q.redirect_uri);
    redirect.searchParams.set('code', code.value);
    if (q.state !== undefined) redirect.searchParams.set('state', q.state);
    return reply.redirect(redirect.toString(), 302);
  });
}
