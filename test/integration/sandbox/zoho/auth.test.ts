import { DEMO } from '../../../../src/sandbox/zoho';
import { authorize, caller, oauthTokens, startZoho, tokenRequest, type Started } from './helpers';

describe('Zoho sandbox: data centres, OAuth and identity', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho();
  });
  afterAll(async () => {
    await z.live.close();
  });

  it('sends the user back with the code, the account DC and its accounts server, whichever DC the user started on', async () => {
    const back = await authorize(z.live.baseUrl, 'us');
    expect(back.get('state')).toBe('xyz');
    expect(back.get('location')).toBe('eu');
    expect(back.get('accounts-server')).toBe(`${z.live.baseUrl}/dc/eu/accounts`);
    expect(back.get('code')).toMatch(/^1000\./);
  });

  it('exchanges the code at the account DC for tokens whose api_domain is that DC, and they read the CRM there', async () => {
    const tokens = await oauthTokens(z.live.baseUrl);
    expect(tokens).toEqual({
      access_token: expect.stringMatching(/^1000\./),
      refresh_token: expect.stringMatching(/^1000\./),
      scope: 'ZohoCRM.modules.ALL',
      api_domain: `${z.live.baseUrl}/dc/eu/api`,
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const call = caller(z.live.baseUrl, String(tokens.access_token), 'eu');
    const org = await call('GET', '/org');
    expect(org.status).toBe(200);
    expect(org.json.org[0]).toMatchObject({ id: z.server.org().state.orgId, iso_code: 'EUR' });
    const me = await call('GET', '/users?type=CurrentUser');
    expect(me.json.users).toEqual([expect.objectContaining({ id: z.server.org().state.userId })]);
  });

  it('refuses a token on another DC API domain with 401 INVALID_TOKEN', async () => {
    const tokens = await oauthTokens(z.live.baseUrl);
    const res = await caller(z.live.baseUrl, String(tokens.access_token), 'us')('GET', '/org');
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      code: 'INVALID_TOKEN',
      details: {},
      message: 'invalid oauth token',
      status: 'error',
    });
    const none = await z.call('GET', '/org', { token: null });
    expect(none.status).toBe(401);
    const forged = await z.call('GET', '/org', { token: '1000.forged.token' });
    expect(forged.json.code).toBe('INVALID_TOKEN');
  });

  it('answers token errors as HTTP 200 {error}: a code used twice, at the wrong DC, or with a bad client', async () => {
    const back = await authorize(z.live.baseUrl, 'us');
    const code = back.get('code') ?? '';
    const wrongDc = await tokenRequest(z.live.baseUrl, 'us', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEMO.redirectUri,
    });
    expect(wrongDc).toEqual({ status: 200, json: { error: 'invalid_client' } });
    const badSecret = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEMO.redirectUri,
      client_secret: 'nope',
    });
    expect(badSecret.json).toEqual({ error: 'invalid_client_secret' });
    const ok = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEMO.redirectUri,
    });
    expect(ok.json.access_token).toBeDefined();
    const again = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: DEMO.redirectUri,
    });
    expect(again.json).toEqual({ error: 'invalid_code' });
  });

  it('refreshes at the account DC only (no new refresh token), and revoke ends the refresh token', async () => {
    const tokens = await oauthTokens(z.live.baseUrl);
    const refresh = String(tokens.refresh_token);
    const elsewhere = await tokenRequest(z.live.baseUrl, 'us', {
      grant_type: 'refresh_token',
      refresh_token: refresh,
    });
    expect(elsewhere.json).toEqual({ error: 'invalid_code' });
    const fresh = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'refresh_token',
      refresh_token: refresh,
    });
    expect(fresh.json).toEqual({
      access_token: expect.any(String),
      scope: 'ZohoCRM.modules.ALL',
      api_domain: `${z.live.baseUrl}/dc/eu/api`,
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const revoke = await fetch(
      `${z.live.baseUrl}/dc/eu/accounts/oauth/v2/token/revoke?token=${encodeURIComponent(refresh)}`,
      {
        method: 'POST',
      },
    );
    expect(revoke.status).toBe(200);
    const after = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'refresh_token',
      refresh_token: refresh,
    });
    expect(after.json).toEqual({ error: 'invalid_code' });
    const api = await caller(z.live.baseUrl, String(fresh.json.access_token), 'eu')('GET', '/org');
    expect(api.status).toBe(401);
  });

  it('expires access tokens on the org clock', async () => {
    const tokens = await oauthTokens(z.live.baseUrl);
    const call = caller(z.live.baseUrl, String(tokens.access_token), 'eu');
    expect((await call('GET', '/org')).status).toBe(200);
    z.server.org().clock.advance(3600_000);
    try {
      expect((await call('GET', '/org')).status).toBe(401);
    } finally {
      z.server.org().clock.setOffset(0);
    }
  });
});
