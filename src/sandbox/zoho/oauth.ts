// The accounts server of each data centre (docs/vendors/zoho.md "OAuth"): an auto-approving authorize
// page that sends the user back with the code, the account's DC (`location`) and that DC's accounts
// server (`accounts-server`); the token endpoint (code exchange, refresh) answering errors as HTTP 200
// `{"error": ...}`; and revoke. A code or refresh token only works at its own DC's accounts server.
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ACCOUNTS, DC_IDS, DC_PREFIX, DEMO, OAUTH, type DcId } from './constants';
import { formBoundary, parseFormData } from './form-data';
import { type ZohoOrg, type ZohoServer } from './state';
import { dcBase } from './urls';

const AUTH_PATH = `${DC_PREFIX}/:dc/${ACCOUNTS}/oauth/v2/auth`;
const TOKEN_PATH = `${DC_PREFIX}/:dc/${ACCOUNTS}/oauth/v2/token`;
const REVOKE_PATH = `${DC_PREFIX}/:dc/${ACCOUNTS}/oauth/v2/token/revoke`;

/** Token parameters from the form body, a multipart body (the SDK's) or the query string (the docs'). */
export function tokenParams(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (source: unknown): void => {
    for (const [k, v] of Object.entries((source ?? {}) as Record<string, unknown>))
      if (typeof v === 'string' && v !== '') out[k] = v;
  };
  add(request.query);
  const body = request.body;
  const boundary = formBoundary(request.headers['content-type']);
  if (typeof body === 'string' && boundary) add(parseFormData(body, boundary));
  else if (body && typeof body === 'object') add(body);
  return out;
}

function dcOf(request: FastifyRequest): DcId | undefined {
  const dc = (request.params as { dc?: string }).dc;
  return (DC_IDS as string[]).includes(dc ?? '') ? (dc as DcId) : undefined;
}

/** Zoho's token errors: HTTP 200 with an `error` key, never an error status. */
function tokenError(reply: FastifyReply, error: string): FastifyReply {
  return reply.code(200).type('application/json').send({ error });
}

/** The org an accounts-server request belongs to: by the code or token it carries, else the chosen account. */
export function resolveAccountsOrg(server: ZohoServer, request: FastifyRequest): string | undefined {
  const params = tokenParams(request);
  const value = params.code ?? params.refresh_token ?? params.token;
  if (value) return server.tokens.find(value)?.orgId ?? homeOrg(server);
  return chosenOrg(server, params.sandbox_org);
}

/** The app's home org (an unknown code still gets the usual error, logged there). */
function homeOrg(server: ZohoServer): string | undefined {
  return server.orgs.has('default') ? 'default' : server.orgs.keys().next().value;
}

/**
 * The account that "signs in" on the authorize page: `sandbox_org=<id>` (a sandbox-only parameter,
 * standing for the user's login), else the org `default`, else the first org.
 */
function chosenOrg(server: ZohoServer, requested: string | undefined): string | undefined {
  if (requested !== undefined) return server.orgs.has(requested) ? requested : undefined;
  return homeOrg(server);
}

function htmlError(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).type('text/html').send(`<h1>Error</h1><p>${message}</p>`);
}

export function registerOAuthRoutes(app: FastifyInstance, server: ZohoServer): void {
  const noFaults = { config: { sandbox: { faults: false } } };
  // The SDK posts its token form as multipart/form-data; kept as text for `parseFormData`.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  app.get(AUTH_PATH, noFaults, async (request, reply) => {
    const q = tokenParams(request);
    const org = server.orgOf(request);
    if (!dcOf(request)) return htmlError(reply, 'Unknown data centre.');
    if (q.client_id !== DEMO.clientId)
      return htmlError(reply, 'Invalid Client: the client_id is not registered.');
    if (q.response_type !== 'code') return htmlError(reply, 'Invalid response_type: only code is supported.');
    if (!org) return htmlError(reply, 'No such account (sandbox_org).');
    let target: URL;
    try {
      target = new URL(q.redirect_uri ?? '');
    } catch {
      return htmlError(reply, 'Invalid Redirect Uri.');
    }
    // The account's own DC answers, whichever DC's authorize page the user started on.
    const home = org.state.settings.dc;
    const code = server.tokens.issue(org.id, 'code', org.now(), {
      ttlMs: OAUTH.codeTtlMs,
      prefix: OAUTH.tokenPrefix,
      data: {
        dc: home,
        redirectUri: q.redirect_uri ?? '',
        offline: q.access_type === 'offline' ? 'true' : 'false',
        scope: q.scope ?? OAUTH.scope,
      },
    });
    if (q.state !== undefined) target.searchParams.set('state', q.state);
    target.searchParams.set('code', code.value);
    target.searchParams.set('location', home);
    target.searchParams.set('accounts-server', `${dcBase(request, home)}/${ACCOUNTS}`);
    return reply.redirect(target.toString(), 302);
  });

  app.post(TOKEN_PATH, noFaults, async (request, reply) => {
    const p = tokenParams(request);
    const dc = dcOf(request);
    const org = server.orgOf(request);
    if (!dc) return tokenError(reply, 'invalid_client');
    if (p.client_id !== DEMO.clientId) return tokenError(reply, 'invalid_client');
    if (p.client_secret !== DEMO.clientSecret) return tokenError(reply, 'invalid_client_secret');
    if (p.grant_type === 'authorization_code') {
      const check = server.tokens.check(p.code ?? '', 'code', org?.now() ?? Date.now());
      if (!org || !check.ok) return tokenError(reply, 'invalid_code');
      if (check.token.data.dc !== dc) return tokenError(reply, org.state.settings.wrongDcCodeError);
      if (p.redirect_uri !== check.token.data.redirectUri) return tokenError(reply, 'invalid_redirect_uri');
      server.tokens.consume(check.token.value);
      const refresh =
        check.token.data.offline === 'true'
          ? server.tokens.issue(org.id, 'refresh', org.now(), {
              ttlMs: null,
              prefix: OAUTH.tokenPrefix,
              data: { dc, scope: check.token.data.scope ?? OAUTH.scope },
            }).value
          : undefined;
      return reply
        .type('application/json')
        .send(issueAccess(server, org, request, dc, refresh, check.token.data.scope));
    }
    if (p.grant_type === 'refresh_token') {
      const check = server.tokens.check(p.refresh_token ?? '', 'refresh', org?.now() ?? Date.now());
      if (!org || !check.ok || check.token.data.dc !== dc || org.faults.current.revokeRefreshTokens)
        return tokenError(reply, 'invalid_code');
      const answer = issueAccess(
        server,
        org,
        request,
        dc,
        undefined,
        check.token.data.scope,
        check.token.value,
      );
      return reply.type('application/json').send(answer);
    }
    return tokenError(reply, 'unsupported_grant_type');
  });

  app.post(REVOKE_PATH, noFaults, async (request, reply) => {
    const p = tokenParams(request);
    const record = server.tokens.find(p.token ?? '');
    if (record && record.kind !== 'code' && record.data.dc === dcOf(request))
      server.tokens.revoke(record.value);
    // UNVERIFIED: Zoho's revoke answer for an unknown token; the sandbox answers success either way.
    return reply.type('application/json').send({ status: 'success' });
  });
}

function issueAccess(
  server: ZohoServer,
  org: ZohoOrg,
  request: FastifyRequest,
  dc: DcId,
  refresh: string | undefined,
  scope: string | undefined,
  parent?: string,
): Record<string, unknown> {
  const ttlSeconds =
    org.faults.current.accessTokenTtlMs !== null
      ? Math.floor(org.faults.current.accessTokenTtlMs / 1000)
      : org.state.settings.accessTokenTtlSeconds;
  const access = server.tokens.issue(org.id, 'access', org.now(), {
    ttlMs: ttlSeconds * 1000,
    prefix: OAUTH.tokenPrefix,
    parent: refresh ?? parent,
    data: { dc, userId: org.state.userId },
  });
  return {
    access_token: access.value,
    ...(refresh ? { refresh_token: refresh } : {}),
    scope: scope ?? OAUTH.scope,
    api_domain: `${dcBase(request, dc)}/api`,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
  };
}
