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

const LIST = '/crm/v3/objects/contacts?limit=1';

async function oauthToken(): Promise<string> {
  const redirect = 'http://127.0.0.1:1/callback';
  const auth = await fetch(
    `${live.baseUrl}/oauth/authorize?client_id=${DEMO.clientId}&redirect_uri=${encodeURIComponent(redirect)}&scope=${encodeURIComponent('oauth crm.objects.contacts.read')}`,
    { redirect: 'manual' },
  );
  const code = new URL(auth.headers.get('location') as string).searchParams.get('code') as string;
  const res = await fetch(`${live.baseUrl}/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      redirect_uri: redirect,
      code,
    }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('rate-limit headers (B11)', () => {
  it('counts down the ten-second window and the daily allowance on private-app calls', async () => {
    const a = await call('GET', LIST);
    const b = await call('GET', LIST);
    expect(a.headers.get('x-hubspot-ratelimit-max')).toBe('100');
    expect(a.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(Number(a.headers.get('x-hubspot-ratelimit-remaining'))).toBe(99);
    expect(Number(b.headers.get('x-hubspot-ratelimit-remaining'))).toBe(98);
    expect(a.headers.get('x-hubspot-ratelimit-daily')).toBe('250000');
    expect(Number(b.headers.get('x-hubspot-ratelimit-daily-remaining'))).toBe(249998);
  });

  it('omits the daily headers for OAuth calls, whose burst is counted per app (110, configurable)', async () => {
    const token = await oauthToken();
    const res = await call('GET', LIST, undefined, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('110');
    expect(res.headers.get('x-hubspot-ratelimit-daily')).toBeNull();
  });

  it('uses the tier figure (Professional: 190) and can emit the legacy secondly headers', async () => {
    await call(
      'PATCH',
      '/__sandbox/orgs/default/settings',
      { tier: 'professional', legacySecondlyHeaders: true },
      null,
    );
    const res = await call('GET', LIST);
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(res.headers.get('x-hubspot-ratelimit-daily')).toBe('625000');
    expect(res.headers.get('x-hubspot-ratelimit-secondly')).toBe('19');
  });
});

describe('429s (B11)', () => {
  it('refuses the call past the burst within 10 s with the TEN_SECONDLY_ROLLING body, and lets calls through once the window rolls', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { burst: 5 }, null);
    for (let i = 0; i < 5; i++) expect((await call('GET', LIST)).status).toBe(200);
    const res = await call('GET', LIST);
    expect(res.status).toBe(429);
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(res.json).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      groupName: `publicapi:private_app-api-calls-ten-secondly:${DEMO.appId}:${DEMO.portalId}`,
    });
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 10_001 }, null);
    expect((await call('GET', LIST)).status).toBe(200);
  });

  it('refuses calls past the daily cap with the DAILY body until the portal day turns', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { daily: 3 }, null);
    for (let i = 0; i < 3; i++) expect((await call('GET', LIST)).status).toBe(200);
    const res = await call('GET', LIST);
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({
      message: 'You have reached your daily limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'DAILY',
    });
    expect(res.json.requestId).toEqual(expect.any(String));
    const usage = server.org().state.limits.dailyUsage(server.org().now());
    await call(
      'PUT',
      '/__sandbox/orgs/default/clock',
      { advanceMs: usage.resetsAt - server.org().now() + 1 },
      null,
    );
    expect((await call('GET', LIST)).status).toBe(200);
  });

  it('adds Retry-After only when configured (undocumented for the API)', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { burst: 1, retryAfterSeconds: 10 }, null);
    await call('GET', LIST);
    expect((await call('GET', LIST)).headers.get('retry-after')).toBe('10');
  });

  it('reports daily usage on the account-info endpoint', async () => {
    await call('GET', LIST);
    const res = await call('GET', '/account-info/v3/api-usage/daily/private-apps');
    expect(res.json.results[0]).toMatchObject({
      name: 'private-apps-api-calls-daily',
      usageLimit: 250000,
      currentUsage: 2,
      fetchStatus: 'SUCCESS',
    });
  });
});

describe('portal settings', () => {
  it('are validated, survive a reset, and can be given at org creation', async () => {
    const bad = await call('PATCH', '/__sandbox/orgs/default/settings', { tier: 'platinum' }, null);
    expect(bad.status).toBe(400);
    expect((await call('PATCH', '/__sandbox/orgs/default/settings', { burst: 7 }, null)).status).toBe(200);
    await call('POST', '/__sandbox/orgs/default/reset', {}, null);
    expect((await call('GET', LIST)).headers.get('x-hubspot-ratelimit-max')).toBe('7');
    const created = await call(
      'POST',
      '/__sandbox/orgs',
      { id: 'pro', counts: { contacts: 1, deals: 0 }, settings: { tier: 'enterprise' } },
      null,
    );
    expect(created.status).toBe(201);
    const res = await call('GET', LIST, undefined, server.org('pro').state.privateAppToken);
    expect(res.headers.get('x-hubspot-ratelimit-daily')).toBe('1000000');
  });
});
