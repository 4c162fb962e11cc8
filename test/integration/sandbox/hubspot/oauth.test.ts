import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { DEMO, type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { startHubSpot, type Caller } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;

beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 5, deals: 2 }));
});
afterEach(async () => {
  await live.close();
});

const REDIRECT = 'http://127.0.0.1:1/oauth/hubspot/callback';

async function authorize(state = 'xyz'): Promise<{ code: string; state: string | null }> {
  const q = new URLSearchParams({
    client_id: DEMO.clientId,
    redirect_uri: REDIRECT,
    scope: 'oauth crm.objects.contacts.read',
    state,
  });
  const res = await fetch(`${live.baseUrl}/oauth/authorize?${q.toString()}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') as string);
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return { code: location.searchParams.get('code') as string, state: location.searchParams.get('state') };
}

async function token(
  fields: Record<string, string>,
  path = '/oauth/v1/token',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${live.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      ...fields,
    }).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function exchange(): Promise<{ access_token: string; refresh_token: string }> {
  const { code } = await authorize();
  const res = await token({ grant_type: 'authorization_code', redirect_uri: REDIRECT, code });
  expect(res.status).toBe(200);
  return res.json as { access_token: string; refresh_token: string };
}

describe('OAuth v1 (B2)', () => {
  it('authorizes at once, exchanges the code for tokens in the documented shape, and the token works', async () => {
    const { code, state } = await authorize('s-1');
    expect(state).toBe('s-1');
    const res = await token({ grant_type: 'authorization_code', redirect_uri: REDIRECT, code });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      token_type: 'bearer',
      expires_in: 1800,
      hub_id: DEMO.portalId,
      scopes: ['oauth', 'crm.objects.contacts.read'],
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^na1-/),
    });
    expect(res.json).not.toHaveProperty('token_use');
    expect(
      (await call('GET', '/crm/v3/objects/contacts', undefined, res.json.access_token as string)).status,
    ).toBe(200);
    const reused = await token({ grant_type: 'authorization_code', redirect_uri: REDIRECT, code });
    expect(reused.json).toMatchObject({ status: 'BAD_AUTH_CODE', error: 'invalid_grant' });
  });

  it('refreshes keeping the same refresh token; v3 adds token_use', async () => {
    const first = await exchange();
    const res = await token(
      { grant_type: 'refresh_token', refresh_token: first.refresh_token },
      '/oauth/v3/token',
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      refresh_token: first.refresh_token,
      expires_in: 1800,
      token_use: 'access_token',
    });
    expect(res.json.access_token).not.toBe(first.access_token);
  });

  it('answers the documented error bodies: bad client, bad redirect, bad refresh token', async () => {
    const badClient = await token({ grant_type: 'refresh_token', refresh_token: 'x', client_id: 'nope' });
    expect(badClient.status).toBe(400);
    expect(badClient.json).toMatchObject({
      status: 'BAD_CLIENT_ID',
      message: 'missing or invalid client id',
      error: 'invalid_client',
    });
    const { code } = await authorize();
    const badRedirect = await token({
      grant_type: 'authorization_code',
      redirect_uri: 'http://elsewhere/cb',
      code,
    });
    expect(badRedirect.json).toMatchObject({ status: 'BAD_REDIRECT_URI', error: 'invalid_grant' });
    const badRefresh = await token({ grant_type: 'refresh_token', refresh_token: 'na1-unknown' });
    expect(badRefresh.status).toBe(400);
    expect(badRefresh.json).toMatchObject({
      error: 'invalid_grant',
      error_description: 'refresh token is invalid, expired or revoked',
      status: 'BAD_REFRESH_TOKEN',
      message: 'refresh token is invalid, expired or revoked',
    });
  });

  it('refuses calls outside the granted scopes with 403 MISSING_SCOPES, and a JSON token request', async () => {
    const t = await exchange();
    const res = await call(
      'POST',
      '/crm/v3/objects/contacts',
      { properties: { email: 'scoped@example.org' } },
      t.access_token,
    );
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ category: 'MISSING_SCOPES' });
    expect(res.json.errors[0].context.requiredGranularScopes).toEqual(['crm.objects.contacts.write']);
    expect((await call('GET', '/crm/v3/objects/deals', undefined, t.access_token)).status).toBe(403);
    const json = await call(
      'POST',
      '/oauth/v1/token',
      { grant_type: 'refresh_token', client_id: DEMO.clientId },
      null,
    );
    expect(json.status).toBe(400);
    expect(json.json.error).toBe('invalid_request');
  });

  // docs/vendors/hubspot.md "Revoking tokens": deleting a refresh token leaves the access tokens already
  // issued from it to lapse on their own.
  it('describes tokens and deletes a refresh token (then refresh fails; issued access tokens live on)', async () => {
    const t = await exchange();
    const info = await call('GET', `/oauth/v1/access-tokens/${t.access_token}`, undefined, null);
    expect(info.json).toMatchObject({
      hub_id: DEMO.portalId,
      app_id: DEMO.appId,
      token_type: 'access',
      user_id: expect.any(Number),
    });
    expect(info.json.expires_in).toBeLessThanOrEqual(1800);
    const rinfo = await call('GET', `/oauth/v1/refresh-tokens/${t.refresh_token}`, undefined, null);
    expect(rinfo.json).toMatchObject({ client_id: DEMO.clientId, token_type: 'refresh' });
    expect(
      (await call('DELETE', `/oauth/v1/refresh-tokens/${t.refresh_token}`, undefined, null)).status,
    ).toBe(204);
    expect((await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token })).json.status).toBe(
      'BAD_REFRESH_TOKEN',
    );
    expect((await call('GET', '/crm/v3/objects/contacts', undefined, t.access_token)).status).toBe(200);
    // Deleted or never issued: 404, as the metadata endpoint answers for a token it does not know.
    for (const gone of [t.refresh_token, 'never-issued']) {
      const again = await call('DELETE', `/oauth/v1/refresh-tokens/${gone}`, undefined, null);
      expect(again.status).toBe(404);
      expect(again.json).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    }
  });

  it('expires access tokens after 30 minutes with 401 EXPIRED_AUTHENTICATION; private-app tokens never expire', async () => {
    const t = await exchange();
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 1800 * 1000 + 75_000 }, null);
    const res = await call('GET', '/crm/v3/objects/contacts', undefined, t.access_token);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({
      category: 'EXPIRED_AUTHENTICATION',
      message: 'The OAuth token used to make this call expired 75 second(s) ago.',
    });
    expect(res.json.context['expire time']).toEqual([expect.any(String)]);
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });
});

describe('token fault knobs', () => {
  it('accessTokenTtlMs: tokens die early although expires_in still says 1800', async () => {
    await call('PATCH', '/__sandbox/orgs/default/faults', { accessTokenTtlMs: 1000 }, null);
    const t = await exchange();
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 1500 }, null);
    const res = await call('GET', '/crm/v3/objects/contacts', undefined, t.access_token);
    expect(res.json.category).toBe('EXPIRED_AUTHENTICATION');
  });

  it('revokeRefreshTokens: every refresh grant fails with BAD_REFRESH_TOKEN', async () => {
    const t = await exchange();
    await call('PATCH', '/__sandbox/orgs/default/faults', { revokeRefreshTokens: true }, null);
    const res = await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(res.json).toMatchObject({ status: 'BAD_REFRESH_TOKEN', error: 'invalid_grant' });
  });

  it('admin tokens/expire and tokens/revoke act on OAuth tokens of the org only', async () => {
    const t = await exchange();
    await call('POST', '/__sandbox/orgs/default/tokens/expire', {}, null);
    expect((await call('GET', '/crm/v3/objects/contacts', undefined, t.access_token)).json.category).toBe(
      'EXPIRED_AUTHENTICATION',
    );
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    await call('POST', '/__sandbox/orgs/default/tokens/revoke', {}, null);
    expect((await token({ grant_type: 'refresh_token', refresh_token: t.refresh_token })).json.status).toBe(
      'BAD_REFRESH_TOKEN',
    );
  });

  it('gives each org its own portal, private-app token and credentials', async () => {
    const created = await call(
      'POST',
      '/__sandbox/orgs',
      { id: 'second', counts: { contacts: 3, deals: 1 } },
      null,
    );
    expect(created.status).toBe(201);
    const creds = await call('GET', '/__sandbox/orgs/second/credentials', undefined, null);
    expect(creds.json).toMatchObject({
      appId: DEMO.appId,
      clientId: DEMO.clientId,
      privateAppToken: expect.stringMatching(/^pat-na1-/),
    });
    expect(creds.json.portalId).not.toBe(DEMO.portalId);
    const res = await call('GET', '/crm/v3/objects/contacts', undefined, creds.json.privateAppToken);
    expect(res.json.results).toHaveLength(3);
    expect(server.org('second').log.count('GET /crm/v3/objects/contacts')).toBe(1);
    expect(server.org('default').log.count('GET /crm/v3/objects/contacts')).toBe(0);
  });
});
