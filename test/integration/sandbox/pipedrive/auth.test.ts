import { DEMO } from '../../../../src/sandbox/pipedrive';
import { authorizeCode, basic, oauthTokens, startPipedrive, tokenRequest, V2, type Started } from './helpers';

const DAY = 24 * 3600_000;

describe('pipedrive sandbox: authentication', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPipedrive();
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('answers a bad API token with the gateway 401 body and headers', async () => {
    const res = await s.call('GET', `${V2}/persons`, { token: 'not-a-token' });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({
      success: false,
      error: 'unauthorized access',
      errorCode: 401,
      error_info: 'Please check developers.pipedrive.com',
    });
    expect(res.headers.get('x-401-by-gw')).toBe('true');
    expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await s.call('GET', `${V2}/persons`, { token: null })).status).toBe(401);
  });

  it('takes ?api_token= on v1 but not on v2', async () => {
    const v1 = await s.call('GET', `/v1/personFields?api_token=${s.token}`, { token: null });
    expect(v1.status).toBe(200);
    expect(v1.json.success).toBe(true);
    const v2 = await s.call('GET', `${V2}/persons?api_token=${s.token}`, { token: null });
    expect(v2.status).toBe(401);
  });

  it('accepts the API token on its own company domain only', async () => {
    const domain = s.server.org().state.companyDomain;
    expect((await s.call('GET', `/c/${domain}${V2}/persons?limit=1`)).status).toBe(200);
    expect((await s.call('GET', `/c/someone-else${V2}/persons?limit=1`)).status).toBe(401);
  });

  it('runs the code flow with Basic client auth and names the company api_domain', async () => {
    const tokens = await oauthTokens(s.live.baseUrl);
    const domain = s.server.org().state.companyDomain;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    expect(tokens.api_domain).toBe(`${s.live.baseUrl}/c/${domain}`);
    const bearer = { authorization: `Bearer ${String(tokens.access_token)}` };
    const onDomain = await s.call('GET', `/c/${domain}${V2}/deals?limit=2`, { token: null, headers: bearer });
    expect(onDomain.status).toBe(200);
    expect(onDomain.json.data).toHaveLength(2);
    // The generic host and another company's domain are refused for an OAuth token.
    expect((await s.call('GET', `${V2}/deals`, { token: null, headers: bearer })).status).toBe(401);
    expect((await s.call('GET', `/c/other${V2}/deals`, { token: null, headers: bearer })).status).toBe(401);
  });

  it('refuses client credentials outside Basic auth and wrong ones, with the documented messages', async () => {
    const code = await authorizeCode(s.live.baseUrl);
    const form = { grant_type: 'authorization_code', code, redirect_uri: DEMO.redirectUri };
    const none = await tokenRequest(
      s.live.baseUrl,
      { ...form, client_id: DEMO.clientId, client_secret: DEMO.clientSecret },
      null,
    );
    expect(none.status).toBe(400);
    expect(none.json).toEqual({
      success: false,
      message: 'Invalid client: cannot retrieve client credentials',
      error: 'invalid_client',
    });
    const wrong = await tokenRequest(s.live.baseUrl, form, basic(DEMO.clientId, 'nope'));
    expect(wrong.json.message).toBe('Invalid client: client is invalid');
    const noGrant = await tokenRequest(s.live.baseUrl, { code });
    expect(noGrant.json.message).toBe('Missing parameter: grant_type');
    const badGrant = await tokenRequest(s.live.baseUrl, { ...form, grant_type: 'password' });
    expect(badGrant.json.message).toBe('Unsupported grant type: grant_type is invalid');
    const wrongRedirect = await tokenRequest(s.live.baseUrl, {
      ...form,
      redirect_uri: 'http://evil.example/cb',
    });
    expect(wrongRedirect.status).toBe(400);
    expect(String(wrongRedirect.json.message)).toMatch(/^Invalid request: redirect_uri/);
    // The code survived the failed attempts and is single-use.
    expect((await tokenRequest(s.live.baseUrl, form)).status).toBe(200);
    expect((await tokenRequest(s.live.baseUrl, form)).json.message).toBe(
      'Invalid grant: authorization_code is invalid',
    );
  });

  it('lets a code live 5 minutes on the sandbox clock', async () => {
    const code = await authorizeCode(s.live.baseUrl);
    s.server.org().clock.advance(5 * 60_000 + 1000);
    try {
      const res = await tokenRequest(s.live.baseUrl, {
        grant_type: 'authorization_code',
        code,
        redirect_uri: DEMO.redirectUri,
      });
      expect(res.status).toBe(400);
      expect(res.json.message).toBe('Invalid grant: authorization_code has expired');
    } finally {
      s.server.org().clock.setOffset(0);
    }
  });

  it('refreshes, and a refresh token unused for 60 days dies', async () => {
    const tokens = await oauthTokens(s.live.baseUrl);
    const refresh = String(tokens.refresh_token);
    const clock = s.server.org().clock;
    try {
      clock.advance(59 * DAY);
      const first = await tokenRequest(s.live.baseUrl, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
      });
      expect(first.status).toBe(200);
      expect(first.json.access_token).not.toBe(tokens.access_token);
      expect(first.json.api_domain).toBe(tokens.api_domain);
      // Used at day 59: good for another 60 days from then.
      clock.advance(59 * DAY);
      expect(
        (await tokenRequest(s.live.baseUrl, { grant_type: 'refresh_token', refresh_token: refresh })).status,
      ).toBe(200);
      clock.advance(61 * DAY);
      const dead = await tokenRequest(s.live.baseUrl, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
      });
      expect(dead.json.message).toBe('Invalid grant: refresh_token is invalid');
    } finally {
      clock.setOffset(0);
    }
  });

  it('expires access tokens after expires_in', async () => {
    const tokens = await oauthTokens(s.live.baseUrl);
    const domain = s.server.org().state.companyDomain;
    const headers = { authorization: `Bearer ${String(tokens.access_token)}` };
    s.server.org().clock.advance(3600_000);
    try {
      expect((await s.call('GET', `/c/${domain}${V2}/deals`, { token: null, headers })).status).toBe(401);
    } finally {
      s.server.org().clock.setOffset(0);
    }
  });

  it('revokes a refresh token and the access tokens issued from it', async () => {
    const tokens = await oauthTokens(s.live.baseUrl);
    const domain = s.server.org().state.companyDomain;
    const headers = { authorization: `Bearer ${String(tokens.access_token)}` };
    const res = await fetch(`${s.live.baseUrl}/oauth/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic() },
      body: new URLSearchParams({
        token: String(tokens.refresh_token),
        token_type_hint: 'refresh_token',
      }).toString(),
    });
    expect(res.status).toBe(200);
    expect((await s.call('GET', `/c/${domain}${V2}/deals`, { token: null, headers })).status).toBe(401);
    const refresh = await tokenRequest(s.live.baseUrl, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.refresh_token),
    });
    expect(refresh.json.message).toBe('Invalid grant: refresh_token is invalid');
  });

  it('answers in the RFC 6749 shape when the setting says so', async () => {
    s.server.patchSettings('default', { oauthErrorShape: 'rfc6749' });
    try {
      const res = await tokenRequest(s.live.baseUrl, { grant_type: 'refresh_token', refresh_token: 'nope' });
      expect(res.json).toEqual({
        error: 'invalid_grant',
        error_description: 'Invalid grant: refresh_token is invalid',
      });
    } finally {
      s.server.patchSettings('default', { oauthErrorShape: 'pipedrive' });
    }
  });
});
