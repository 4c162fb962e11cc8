import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { sendOAuthError } from './errors';
import { bearer, instanceUrl, orgByClientId, sendJson, type SfOrg, type SfServer } from './context';
import { peekClaims, verifyRs256 } from './jwt';

const CODE_TTL_MS = 15 * 60_000;
const GRANT_CC = 'client_credentials';
const GRANT_JWT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Audiences Salesforce accepts in a JWT assertion; the sandbox's own URL stands in for a My Domain. */
const JWT_AUDIENCES = ['https://login.salesforce.com', 'https://test.salesforce.com'];

type Params = Record<string, string | undefined>;

function params(request: FastifyRequest): Params {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Params;
  return { ...(request.query as Params), ...body };
}

function secretMatches(org: SfOrg, secret: string | undefined): boolean {
  if (secret === undefined) return false;
  const a = Buffer.from(secret);
  const b = Buffer.from(org.state.clientSecret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The token response jsforce expects (docs/vendors/salesforce.md "OAuth"): no expires_in (lifetime is the org session timeout),
 * issued_at in epoch ms as a string, signature = base64(HMAC-SHA256(client_secret, id + issued_at)).
 */
function tokenResponse(
  request: FastifyRequest,
  server: SfServer,
  org: SfOrg,
  userId: string,
  withRefresh: string | null,
  scope: string,
): Record<string, string> {
  const now = org.now();
  const ttl = org.faults.current.accessTokenTtlMs ?? org.state.settings.sessionTimeoutMs;
  const access = server.tokens.issue(org.id, 'access', now, {
    ttlMs: ttl,
    prefix: `${org.state.orgId.slice(0, 15)}!AQ`,
    parent: withRefresh ?? undefined,
    data: { userId },
  });
  const base = instanceUrl(request);
  const id = `${base}/id/${org.state.orgId}/${userId}`;
  const issuedAt = String(now);
  const signature = createHmac('sha256', org.state.clientSecret)
    .update(id + issuedAt)
    .digest('base64');
  return {
    access_token: access.value,
    ...(withRefresh ? { refresh_token: withRefresh } : {}),
    signature,
    scope,
    instance_url: base,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
}

function pkceMatches(challenge: string | undefined, verifier: string | undefined): boolean {
  if (!challenge) return true;
  if (!verifier) return false;
  return createHash('sha256').update(verifier).digest('base64url') === challenge;
}

export function registerOAuthRoutes(app: FastifyInstance, server: SfServer): void {
  /** Auto-approves: a signed-in user who always clicks "Allow", redirecting with a code at once. */
  app.get('/services/oauth2/authorize', async (request, reply) => {
    const p = params(request);
    const org = server.orgOf(request);
    const redirect = p.redirect_uri;
    const fail = (error: string, description: string): FastifyReply => {
      if (!redirect) return sendOAuthError(reply, 400, error, description);
      const url = new URL(redirect);
      url.searchParams.set('error', error);
      url.searchParams.set('error_description', description);
      if (p.state) url.searchParams.set('state', p.state);
      return reply.redirect(url.toString(), 302);
    };
    if (!org) return sendOAuthError(reply, 400, 'invalid_client_id', 'client identifier invalid');
    if (!redirect)
      return sendOAuthError(reply, 400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
    if (p.response_type !== 'code') return fail('unsupported_response_type', 'response type not supported');
    const code = server.tokens.issue(org.id, 'code', org.now(), {
      ttlMs: CODE_TTL_MS,
      prefix: 'aPrx',
      data: {
        redirectUri: redirect,
        userId: org.state.crmUserId,
        scope: p.scope ?? 'api refresh_token',
        ...(p.code_challenge ? { codeChallenge: p.code_challenge } : {}),
      },
    });
    const url = new URL(redirect);
    url.searchParams.set('code', code.value);
    if (p.state) url.searchParams.set('state', p.state);
    return reply.redirect(url.toString(), 302);
  });

  app.post('/services/oauth2/token', async (request, reply) => {
    const p = params(request);
    const grant = p.grant_type;
    if (!grant) return sendOAuthError(reply, 400, 'invalid_request', 'grant type is missing');
    const org = server.orgOf(request);
    const now = org?.now() ?? Date.now();

    if (grant === 'authorization_code') {
      if (!org || (p.client_id && orgByClientId(server, p.client_id) !== org)) {
        return sendOAuthError(reply, 400, 'invalid_client_id', 'client identifier invalid');
      }
      const check = server.tokens.check(p.code ?? '', 'code', now);
      if (!check.ok || check.token.orgId !== org.id) {
        const expired = !check.ok && check.reason === 'expired';
        return sendOAuthError(
          reply,
          400,
          'invalid_grant',
          expired ? 'expired authorization code' : 'invalid authorization code',
        );
      }
      const data = check.token.data;
      const usesPkce = data.codeChallenge !== undefined;
      if (!pkceMatches(data.codeChallenge, p.code_verifier))
        return sendOAuthError(reply, 400, 'invalid_grant', 'invalid code verifier');
      if (!usesPkce && !secretMatches(org, p.client_secret))
        return sendOAuthError(reply, 400, 'invalid_client', 'invalid client credentials');
      if (p.client_secret !== undefined && !secretMatches(org, p.client_secret)) {
        return sendOAuthError(reply, 400, 'invalid_client', 'invalid client credentials');
      }
      if (p.redirect_uri !== data.redirectUri)
        return sendOAuthError(reply, 400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
      // A code is single use: once redeemed, a second exchange fails like an unknown code.
      server.tokens.consume(check.token.value);
      const scope = data.scope ?? 'api refresh_token';
      const refresh = server.tokens.issue(org.id, 'refresh', now, {
        ttlMs: null,
        prefix: '5Aep861',
        data: { userId: data.userId ?? '', scope },
      });
      return sendJson(
        reply,
        200,
        tokenResponse(request, server, org, data.userId ?? org.state.crmUserId, refresh.value, scope),
      );
    }

    if (grant === 'refresh_token') {
      if (!org) return sendOAuthError(reply, 400, 'invalid_grant', 'expired access/refresh token');
      if (p.client_id && orgByClientId(server, p.client_id) !== org)
        return sendOAuthError(reply, 400, 'invalid_client_id', 'client identifier invalid');
      if (p.client_secret !== undefined && !secretMatches(org, p.client_secret)) {
        return sendOAuthError(reply, 400, 'invalid_client', 'invalid client credentials');
      }
      const check = server.tokens.check(p.refresh_token ?? '', 'refresh', now);
      if (!check.ok || org.faults.current.revokeRefreshTokens) {
        return sendOAuthError(reply, 400, 'invalid_grant', 'expired access/refresh token');
      }
      const userId = check.token.data.userId || org.state.crmUserId;
      const scope = check.token.data.scope ?? 'api refresh_token';
      let refresh = check.token.value;
      let returned: string | null = null;
      if (org.state.settings.rotateRefreshTokens) {
        server.tokens.revoke(refresh);
        refresh = server.tokens.issue(org.id, 'refresh', now, {
          ttlMs: null,
          prefix: '5Aep861',
          data: check.token.data,
        }).value;
        returned = refresh;
      }
      const body = tokenResponse(request, server, org, userId, returned, scope);
      // Access tokens hang off their refresh token, so revoking it revokes them (docs/vendors/salesforce.md "OAuth").
      const issued = server.tokens.find(body.access_token as string);
      if (issued) issued.parent = refresh;
      return sendJson(reply, 200, body);
    }

    if (grant === GRANT_CC) {
      if (!org) return sendOAuthError(reply, 400, 'invalid_client_id', 'client identifier invalid');
      if (!secretMatches(org, p.client_secret))
        return sendOAuthError(reply, 400, 'invalid_client', 'invalid client credentials');
      if (!org.state.settings.allowClientCredentials)
        return sendOAuthError(reply, 400, 'unsupported_grant_type', 'grant type not supported');
      return sendJson(
        reply,
        200,
        tokenResponse(request, server, org, org.state.integrationUserId, null, 'api'),
      );
    }

    if (grant === GRANT_JWT) {
      // Error texts from docs/vendors/salesforce.md "OAuth"; "invalid assertion" and the expiry text are UNVERIFIED.
      const assertion = p.assertion ?? '';
      const claims = peekClaims(assertion);
      if (!claims) return sendOAuthError(reply, 400, 'invalid_grant', 'invalid assertion');
      if (!org) return sendOAuthError(reply, 400, 'invalid_client_id', 'client identifier invalid');
      const key = org.state.settings.jwtPublicKeyPem;
      if (!key) return sendOAuthError(reply, 400, 'invalid_grant', "user hasn't approved this consumer");
      if (!verifyRs256(assertion, key))
        return sendOAuthError(reply, 400, 'invalid_grant', 'invalid assertion');
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      const accepted = [...JWT_AUDIENCES, instanceUrl(request)];
      if (!audiences.some((a) => a !== undefined && accepted.includes(a.replace(/\/$/, '')))) {
        return sendOAuthError(reply, 400, 'invalid_grant', 'audience is invalid');
      }
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now)
        return sendOAuthError(reply, 400, 'invalid_grant', 'expired assertion');
      const user = [...org.state.store.table('User').values()].find(
        (u) => u.Username === claims.sub && u.IsActive,
      );
      if (!user) return sendOAuthError(reply, 400, 'invalid_grant', "user hasn't approved this consumer");
      const body = tokenResponse(request, server, org, String(user.Id), null, 'api');
      // The documented JWT response has no signature or issued_at.
      delete body.signature;
      delete body.issued_at;
      return sendJson(reply, 200, body);
    }

    return sendOAuthError(reply, 400, 'unsupported_grant_type', 'grant type not supported');
  });

  const revoke = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const token = params(request).token;
    // Unknown, revoked and expired tokens alike are "invalid" (docs/vendors/salesforce.md "Revoking tokens").
    const found = token ? server.tokens.find(token) : undefined;
    if (!found || found.revoked) return sendOAuthError(reply, 400, 'invalid_token', 'invalid token');
    server.tokens.revoke(found.value);
    return reply.code(200).send();
  };
  app.post('/services/oauth2/revoke', revoke);
  app.get('/services/oauth2/revoke', revoke);

  /** The identity URL from the token response's `id` (docs/vendors/salesforce.md "OAuth"); jsforce's identity() reads it. */
  app.get('/id/:orgId/:userId', async (request, reply) => {
    const org = server.orgOf(request);
    const token = bearer(request) ?? (request.query as Params).oauth_token;
    const check = org && token ? server.tokens.check(token, 'access', org.now()) : undefined;
    if (!org || !check?.ok) return reply.code(403).type('text/plain').send('Bad_OAuth_Token');
    const { orgId, userId } = request.params as { orgId: string; userId: string };
    const user = org.state.store.get('User', userId);
    if (orgId !== org.state.orgId || !user) return reply.code(404).type('text/plain').send('Bad_Id');
    const base = instanceUrl(request);
    const v = `${base}/services/data/v{version}`;
    return sendJson(reply, 200, {
      id: `${base}/id/${orgId}/${userId}`,
      asserted_user: true,
      user_id: user.Id,
      organization_id: orgId,
      username: user.Username,
      nick_name: String(user.Username).split('@')[0],
      display_name: user.Name,
      email: user.Email,
      first_name: user.FirstName,
      last_name: user.LastName,
      active: true,
      user_type: 'STANDARD',
      language: 'en_US',
      locale: 'en_US',
      utcOffset: 0,
      urls: {
        rest: `${v}/`,
        sobjects: `${v}/sobjects/`,
        query: `${v}/query/`,
        recent: `${v}/recent/`,
        profile: `${base}/${userId}`,
      },
      is_app_installed: true,
    });
  });
}

/** The org an OAuth request belongs to: by client id, or by the token it carries. */
export function resolveOAuthOrg(request: FastifyRequest, server: SfServer): string | undefined {
  const p = params(request);
  const byClient = orgByClientId(
    server,
    p.client_id ?? (p.assertion ? peekClaims(p.assertion)?.iss : undefined),
  );
  if (byClient) return byClient.id;
  const token = p.refresh_token ?? p.token ?? p.code ?? p.oauth_token ?? bearer(request);
  return token ? server.tokens.find(token)?.orgId : undefined;
}
