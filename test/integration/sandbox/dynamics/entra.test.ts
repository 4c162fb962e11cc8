import { DEMO } from '../../../../src/sandbox/dynamics';
import { API, startDynamics, tokenRequest } from './helpers';

const SCOPE = `https://${DEMO.orgName}.crm.dynamics.com/.default`;

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('Dataverse sandbox: Entra ID tokens', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeAll(async () => {
    ctx = await startDynamics({ contact: 5, opportunity: 2, account: 2 });
  });
  afterAll(async () => {
    await ctx.live.close();
  });
  const base = () => ctx.live.baseUrl;
  const clientCredentials = {
    grant_type: 'client_credentials',
    client_id: DEMO.clientId,
    client_secret: DEMO.clientSecret,
    scope: SCOPE,
  };

  it('issues a JWT-shaped access token for client credentials (secret in the body) that the Web API accepts', async () => {
    const res = await tokenRequest(base(), DEMO.tenantId, clientCredentials);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599 });
    expect(res.json.refresh_token).toBeUndefined();
    const token = String(res.json.access_token);
    const c = claims(token);
    expect(c).toMatchObject({
      aud: `https://${DEMO.orgName}.crm.dynamics.com`,
      tid: DEMO.tenantId,
      appid: DEMO.clientId,
      idtyp: 'app',
    });
    expect(Number(c.exp) - Number(c.iat)).toBe(3599);
    const list = await ctx.call('GET', `${API}/contacts?$top=1`, { token });
    expect(list.status).toBe(200);
  });

  it('takes the client secret through HTTP Basic, and the sandbox origin as the resource', async () => {
    const basic = Buffer.from(
      `${encodeURIComponent(DEMO.clientId)}:${encodeURIComponent(DEMO.clientSecret)}`,
    ).toString('base64');
    const res = await tokenRequest(
      base(),
      `${DEMO.orgName}.onmicrosoft.com`,
      { grant_type: 'client_credentials', scope: `${base()}/.default` },
      { authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(200);
    expect(claims(String(res.json.access_token)).aud).toBe(base());
  });

  it.each([
    ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client', 7000215],
    ['no secret', { client_secret: '' }, 401, 'invalid_client', 7000218],
    [
      'an unknown client',
      { client_id: '00000000-0000-0000-0000-000000000001' },
      400,
      'unauthorized_client',
      700016,
    ],
    [
      'a scope of another resource',
      { scope: 'https://other.crm.dynamics.com/.default' },
      400,
      'invalid_resource',
      500011,
    ],
    [
      'a scope without /.default',
      { scope: `https://${DEMO.orgName}.crm.dynamics.com/user_impersonation` },
      400,
      'invalid_scope',
      1002012,
    ],
    ['a scope that is no resource', { scope: 'not a scope' }, 400, 'invalid_scope', 70011],
    ['an unknown grant', { grant_type: 'password' }, 400, 'unsupported_grant_type', 70003],
  ])('answers %s with the documented AADSTS body', async (_case, change, status, error, code) => {
    const res = await tokenRequest(base(), DEMO.tenantId, { ...clientCredentials, ...change });
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ error, error_codes: [code] });
    expect(String(res.json.error_description)).toMatch(
      new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: .+\\r\\nCorrelation ID: .+\\r\\nTimestamp: `),
    );
    expect(res.json).toEqual(
      expect.objectContaining({
        trace_id: expect.any(String),
        correlation_id: expect.any(String),
        timestamp: expect.any(String),
      }),
    );
  });

  it('reads only a form body: JSON arrives without parameters (AADSTS900144)', async () => {
    const res = await fetch(`${base()}/${DEMO.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(clientCredentials),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', error_codes: [900144] });
  });

  it('answers an unknown tenant with AADSTS90002', async () => {
    const res = await tokenRequest(base(), 'not-a-tenant.example', clientCredentials);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: 'invalid_request', error_codes: [90002] });
  });

  it('runs the authorization-code flow, refreshes, and refuses a reused code, a revoked and an expired grant', async () => {
    const authorize = new URL(`${base()}/${DEMO.tenantId}/oauth2/v2.0/authorize`);
    authorize.searchParams.set('client_id', DEMO.clientId);
    authorize.searchParams.set('redirect_uri', 'http://localhost/cb');
    authorize.searchParams.set(
      'scope',
      `https://${DEMO.orgName}.crm.dynamics.com/user_impersonation offline_access`,
    );
    authorize.searchParams.set('state', 's1');
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const location = new URL(String(redirect.headers.get('location')));
    expect(location.searchParams.get('state')).toBe('s1');
    const code = String(location.searchParams.get('code'));
    const form = {
      grant_type: 'authorization_code',
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      code,
      redirect_uri: 'http://localhost/cb',
    };
    const first = await tokenRequest(base(), DEMO.tenantId, form);
    expect(first.status).toBe(200);
    expect(first.json.refresh_token).toEqual(expect.any(String));
    expect(claims(String(first.json.access_token))).toMatchObject({
      idtyp: 'user',
      scp: 'user_impersonation',
    });
    const again = await tokenRequest(base(), DEMO.tenantId, form);
    expect(again.json).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });

    const refreshForm = {
      grant_type: 'refresh_token',
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      refresh_token: String(first.json.refresh_token),
    };
    const refreshed = await tokenRequest(base(), DEMO.tenantId, refreshForm);
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(first.json.refresh_token);

    await fetch(`${base()}/__sandbox/orgs/default/tokens/revoke`, { method: 'POST' });
    const revoked = await tokenRequest(base(), DEMO.tenantId, refreshForm);
    expect(revoked.json).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });

    const unknown = await tokenRequest(base(), DEMO.tenantId, { ...refreshForm, refresh_token: 'garbage' });
    expect(unknown.json).toMatchObject({ error: 'invalid_grant', error_codes: [9002313] });
  });

  it('expires a refresh token after 90 days on the org clock', async () => {
    const org = ctx.server.org();
    const refresh = ctx.server.tokens.issue(org.id, 'refresh', org.now(), { ttlMs: 90 * 24 * 3600_000 });
    org.clock.advance(91 * 24 * 3600_000);
    try {
      const res = await tokenRequest(base(), DEMO.tenantId, {
        grant_type: 'refresh_token',
        client_id: DEMO.clientId,
        client_secret: DEMO.clientSecret,
        refresh_token: refresh.value,
      });
      expect(res.json).toMatchObject({ error: 'invalid_grant', error_codes: [700082] });
    } finally {
      org.clock.setOffset(0);
    }
  });

  it('answers a missing, unknown or expired bearer token with 401, an empty body and the WWW-Authenticate challenge', async () => {
    const none = await ctx.call('GET', `${API}/contacts`, { token: null });
    expect(none.status).toBe(401);
    expect(none.text).toBe('');
    expect(none.headers.get('www-authenticate')).toBe(
      'Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, resource_id=',
    );
    const res = await tokenRequest(base(), DEMO.tenantId, clientCredentials);
    const token = String(res.json.access_token);
    await fetch(`${base()}/__sandbox/orgs/default/tokens/expire`, { method: 'POST' });
    const expired = await ctx.call('GET', `${API}/contacts`, { token });
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBe(
      `Bearer authorization_uri=https://login.microsoftonline.com/${DEMO.tenantId}/oauth2/authorize, resource_id=https://${DEMO.orgName}.crm.dynamics.com/`,
    );
  });

  it('honours the accessTokenTtlMs fault in expires_in and exp', async () => {
    await fetch(`${base()}/__sandbox/orgs/default/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accessTokenTtlMs: 60_000 }),
    });
    try {
      const res = await tokenRequest(base(), DEMO.tenantId, clientCredentials);
      expect(res.json.expires_in).toBe(60);
      const c = claims(String(res.json.access_token));
      expect(Number(c.exp) - Number(c.iat)).toBe(60);
    } finally {
      await fetch(`${base()}/__sandbox/orgs/default/faults`, { method: 'DELETE' });
    }
  });
});
