import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
const REDIRECT = 'https://app.example/cb';

beforeAll(async () => {
  s = await startSalesforce({ Account: 2, Contact: 10, Opportunity: 2 });
});
afterAll(() => s.close());

const form = (params: Record<string, string>) => ({
  raw: new URLSearchParams(params).toString(),
  token: null,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

async function code(state = 'st'): Promise<string> {
  const { clientId } = s.server.org().state;
  const res = await s.sf(
    'GET',
    `/services/oauth2/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=${state}`,
    { token: null },
  );
  expect(res.status).toBe(302);
  const loc = new URL(res.headers.get('location') ?? '');
  expect(loc.origin + loc.pathname).toBe(REDIRECT);
  expect(loc.searchParams.get('state')).toBe(state);
  return loc.searchParams.get('code') ?? '';
}

function exchange(c: string, overrides: Record<string, string> = {}) {
  const { clientId, clientSecret } = s.server.org().state;
  return s.sf(
    'POST',
    '/services/oauth2/token',
    form({
      grant_type: 'authorization_code',
      code: c,
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uri: REDIRECT,
      ...overrides,
    }),
  );
}

describe('OAuth 2.0 (Part A2)', () => {
  it('returns the token response jsforce expects: no expires_in, ms issued_at, HMAC signature', async () => {
    const res = await exchange(await code());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const body = res.json;
    expect(Object.keys(body).sort()).toEqual(
      [
        'access_token',
        'id',
        'instance_url',
        'issued_at',
        'refresh_token',
        'scope',
        'signature',
        'token_type',
      ].sort(),
    );
    expect(body.expires_in).toBeUndefined();
    expect(body.token_type).toBe('Bearer');
    expect(body.issued_at).toMatch(/^\d{13}$/);
    expect(body.instance_url).toBe(s.live.baseUrl);
    const { orgId, clientSecret, crmUserId } = s.server.org().state;
    expect(body.id).toBe(`${s.live.baseUrl}/id/${orgId}/${crmUserId}`);
    expect(body.signature).toBe(
      createHmac('sha256', clientSecret)
        .update(body.id + body.issued_at)
        .digest('base64'),
    );
    const data = await s.sf('GET', `${V}/limits`, { token: body.access_token });
    expect(data.status).toBe(200);
    const identity = await s.sf('GET', `/id/${orgId}/${crmUserId}?format=json`, { token: body.access_token });
    expect(identity.json).toMatchObject({ user_id: crmUserId, organization_id: orgId });
  });

  it('answers OAuth errors as flat JSON objects with status 400', async () => {
    const c = await code();
    expect((await exchange(c, { client_secret: 'wrong' })).json).toEqual({
      error: 'invalid_client',
      error_description: 'invalid client credentials',
    });
    expect((await exchange(c, { redirect_uri: 'https://evil.example/cb' })).json.error).toBe(
      'redirect_uri_mismatch',
    );
    expect((await exchange(c)).status).toBe(200);
    const again = await exchange(c);
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ error: 'invalid_grant', error_description: 'invalid authorization code' });
    expect((await exchange(c, { client_id: 'nope' })).json).toEqual({
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    const missing = await s.sf('POST', '/services/oauth2/token', form({ code: c }));
    expect(missing.json).toEqual({ error: 'invalid_request', error_description: 'grant type is missing' });
    const password = await s.sf(
      'POST',
      '/services/oauth2/token',
      form({ grant_type: 'password', client_id: s.server.org().state.clientId }),
    );
    expect(password.json.error).toBe('unsupported_grant_type');
  });

  it('refuses unknown clients and response types at authorize', async () => {
    const unknown = await s.sf(
      'GET',
      `/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      { token: null },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('invalid_client_id');
    const { clientId } = s.server.org().state;
    const token = await s.sf(
      'GET',
      `/services/oauth2/authorize?response_type=token&client_id=${clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&state=q`,
      { token: null },
    );
    const loc = new URL(token.headers.get('location') ?? '');
    expect(loc.searchParams.get('error')).toBe('unsupported_response_type');
    expect(loc.searchParams.get('state')).toBe('q');
  });

  it('refreshes without returning a refresh token, rotates when configured, and fails revoked tokens', async () => {
    const first = (await exchange(await code())).json;
    const { clientId, clientSecret } = s.server.org().state;
    const refresh = (rt: string) =>
      s.sf(
        'POST',
        '/services/oauth2/token',
        form({
          grant_type: 'refresh_token',
          refresh_token: rt,
          client_id: clientId,
          client_secret: clientSecret,
        }),
      );
    const r1 = await refresh(first.refresh_token);
    expect(r1.status).toBe(200);
    expect(r1.json.refresh_token).toBeUndefined();
    expect(r1.json.access_token).not.toBe(first.access_token);

    await s.admin('PATCH', 'default/settings', { rotateRefreshTokens: true });
    const r2 = await refresh(first.refresh_token);
    expect(r2.json.refresh_token).toBeDefined();
    expect((await refresh(first.refresh_token)).json).toEqual({
      error: 'invalid_grant',
      error_description: 'expired access/refresh token',
    });
    await s.admin('PATCH', 'default/settings', { rotateRefreshTokens: false });

    const revoke = await s.sf('POST', '/services/oauth2/revoke', form({ token: r2.json.refresh_token }));
    expect(revoke.status).toBe(200);
    expect(revoke.text).toBe('');
    expect((await refresh(r2.json.refresh_token)).json.error).toBe('invalid_grant');
    // Revoking a refresh token revokes the access tokens issued from it.
    expect((await s.sf('GET', `${V}/limits`, { token: r2.json.access_token })).status).toBe(401);
    expect((await s.sf('POST', '/services/oauth2/revoke', form({ token: 'never-issued' }))).json.error).toBe(
      'invalid_token',
    );
    // An already revoked token is as invalid as one never issued (docs/vendors/salesforce.md "Revoking tokens").
    const again = await s.sf('POST', '/services/oauth2/revoke', form({ token: r2.json.refresh_token }));
    expect({ status: again.status, error: again.json.error }).toEqual({
      status: 400,
      error: 'invalid_token',
    });
  });

  it('issues client-credentials tokens without a refresh token, run as the integration user', async () => {
    const { clientId, clientSecret, integrationUserId } = s.server.org().state;
    const res = await s.sf(
      'POST',
      '/services/oauth2/token',
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
    );
    expect(res.status).toBe(200);
    expect(res.json.refresh_token).toBeUndefined();
    expect(res.json.id).toMatch(new RegExp(`/${integrationUserId}$`));
    const bad = await s.sf(
      'POST',
      '/services/oauth2/token',
      form({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'x' }),
    );
    expect(bad.json.error).toBe('invalid_client');
  });

  it('makes short-lived access tokens and revoked refresh tokens on demand (fault knobs)', async () => {
    await s.admin('PATCH', 'default/faults', { accessTokenTtlMs: 500 });
    const tokens = (await exchange(await code())).json;
    expect((await s.sf('GET', `${V}/limits`, { token: tokens.access_token })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 550));
    const expired = await s.sf('GET', `${V}/limits`, { token: tokens.access_token });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ]);
    await s.admin('PATCH', 'default/faults', { revokeRefreshTokens: true });
    const { clientId } = s.server.org().state;
    const refreshed = await s.sf(
      'POST',
      '/services/oauth2/token',
      form({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId }),
    );
    expect(refreshed.json.error).toBe('invalid_grant');
    await s.admin('DELETE', 'default/faults');
  });

  it('grants JWT bearer tokens for an RS256 assertion signed with the uploaded certificate key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { clientId, username, integrationUserId } = s.server.org().state;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = (claims: Record<string, unknown>, key = privateKey) => {
      const head = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
      return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
    };
    const good = {
      iss: clientId,
      sub: username,
      aud: 'https://login.salesforce.com',
      exp: Math.floor(Date.now() / 1000) + 180,
    };
    const grant = (assertion: string) =>
      s.sf(
        'POST',
        '/services/oauth2/token',
        form({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      );

    expect((await grant(jwt(good))).json).toEqual({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
    await s.admin('PATCH', 'default/settings', {
      jwtPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    const ok = await grant(jwt(good));
    expect(ok.status).toBe(200);
    expect(ok.json.refresh_token).toBeUndefined();
    expect(ok.json.id).toMatch(new RegExp(`/${integrationUserId}$`));
    expect((await s.sf('GET', `${V}/limits`, { token: ok.json.access_token })).status).toBe(200);

    expect((await grant(jwt({ ...good, aud: 'https://evil.example' }))).json.error_description).toBe(
      'audience is invalid',
    );
    expect((await grant(jwt({ ...good, exp: 1 }))).json.error).toBe('invalid_grant');
    expect((await grant(jwt({ ...good, sub: 'nobody@example.com' }))).json.error).toBe('invalid_grant');
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    expect((await grant(jwt(good, other))).json.error_description).toBe('invalid assertion');
    expect((await grant(jwt({ ...good, iss: 'unknown' }))).json.error).toBe('invalid_client_id');
    await s.admin('PATCH', 'default/settings', { jwtPublicKeyPem: null });
  });
});
