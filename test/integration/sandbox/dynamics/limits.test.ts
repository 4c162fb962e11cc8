// Service protection limits with small figures (org settings) so tests reach them in a few calls.
import { API, startDynamics } from './helpers';

describe('Dataverse sandbox: service protection limits', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeEach(async () => {
    ctx = await startDynamics({ contact: 3, opportunity: 1, account: 1 });
  });
  afterEach(async () => {
    await ctx.live.close();
  });
  const settings = (patch: Record<string, unknown>) => ctx.server.patchSettings('default', patch);

  it('refuses the request past the count limit with 0x80072322 and a Retry-After that grows while the client keeps sending', async () => {
    settings({ requestsPerWindow: 3 });
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await ctx.call('GET', `${API}/contacts?$top=1`);
      expect(ok.status).toBe(200);
      remaining.push(ok.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests'));
      expect(ok.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')).toEqual(expect.any(String));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await ctx.call('GET', `${API}/contacts?$top=1`);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      error: {
        code: '0x80072322',
        message: 'Number of requests exceeded the limit of 3 over time window of 300 seconds.',
      },
    });
    const first = Number(refused.headers.get('retry-after'));
    const second = Number((await ctx.call('GET', `${API}/contacts?$top=1`)).headers.get('retry-after'));
    const third = Number((await ctx.call('GET', `${API}/contacts?$top=1`)).headers.get('retry-after'));
    expect(first).toBeGreaterThanOrEqual(1);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    ctx.server.org().clock.advance(301_000);
    expect((await ctx.call('GET', `${API}/contacts?$top=1`)).status).toBe(200);
  });

  it('counts per user: another user is not refused', async () => {
    settings({ requestsPerWindow: 1 });
    const org = ctx.server.org();
    ctx.server.tokens.put({
      value: 'other-user-token',
      kind: 'access',
      orgId: org.id,
      issuedAt: org.now(),
      expiresAt: null,
      revoked: false,
      data: { userId: org.state.interactiveUserId },
    });
    expect((await ctx.call('GET', `${API}/contacts?$top=1`)).status).toBe(200);
    expect((await ctx.call('GET', `${API}/contacts?$top=1`)).status).toBe(429);
    expect((await ctx.call('GET', `${API}/contacts?$top=1`, { token: 'other-user-token' })).status).toBe(200);
  });

  it('refuses a request over the concurrency limit at once with 0x80072326', async () => {
    settings({ concurrentRequests: 1 });
    await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 300 }),
    });
    const [a, b] = await Promise.all([
      ctx.call('GET', `${API}/contacts?$top=1`),
      ctx.call('GET', `${API}/contacts?$top=1`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 429]);
    const refused = a.status === 429 ? a : b;
    expect(refused.json.error).toEqual({
      code: '0x80072326',
      message: 'Number of concurrent requests exceeded the limit of 1.',
    });
  });

  it('refuses once the combined execution time is spent with 0x80072321', async () => {
    settings({ executionTimeMsPerWindow: 100 });
    await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 150 }),
    });
    expect((await ctx.call('GET', `${API}/contacts?$top=1`)).status).toBe(200);
    const refused = await ctx.call('GET', `${API}/contacts?$top=1`);
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe('0x80072321');
    expect(refused.json.error.message).toBe(
      'Combined execution time of incoming requests exceeded limit of 100 milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.',
    );
  });

  it('renders an injected rate-limit storm and server errors in Dataverse form', async () => {
    await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimitStormMs: 60_000 }),
    });
    const storm = await ctx.call('GET', `${API}/contacts?$top=1`);
    expect(storm.status).toBe(429);
    expect(storm.headers.get('retry-after')).toBe('1');
    expect(storm.json.error.code).toBe('0x80072322');
    await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 1, errorStatuses: [503] }),
    });
    const down = await ctx.call('GET', `${API}/contacts?$top=1`);
    expect(down.status).toBe(503);
    expect(down.json.error.code).toBe('0x80040216');
    expect(ctx.server.org().log.countStatus(503)).toBe(1);
  });
});
