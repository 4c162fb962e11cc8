import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
beforeEach(async () => {
  s = await startSalesforce({ Account: 2, Contact: 10, Opportunity: 2 });
});
afterEach(() => s.close());

describe('limits (Part A11)', () => {
  it('reports usage in Sforce-Limit-Info on every response, errors included, and in /limits', async () => {
    const first = await s.sf('GET', `${V}/limits`);
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/150000');
    expect(first.json.DailyApiRequests).toEqual({ Max: 150000, Remaining: 149999 });
    expect(Object.keys(first.json)).toEqual(
      expect.arrayContaining([
        'DailyBulkApiBatches',
        'DailyBulkV2QueryJobs',
        'DailyBulkV2QueryFileStorageMB',
      ]),
    );
    const missing = await s.sf('GET', `${V}/sobjects/Contact/003000000000000AAA`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('sforce-limit-info')).toBe('api-usage=2/150000');
    // The other org counts separately.
    expect(
      (await s.sf('GET', `${V}/limits`, { token: s.token('other') })).headers.get('sforce-limit-info'),
    ).toBe('api-usage=1/150000');
  });

  it('refuses calls past the rolling daily allocation with 403 REQUEST_LIMIT_EXCEEDED, and frees them 24 h later', async () => {
    await s.admin('PATCH', 'default/settings', { dailyApiRequests: 3 });
    for (let i = 0; i < 3; i++) expect((await s.sf('GET', `${V}/limits`)).status).toBe(200);
    const refused = await s.sf('GET', `${V}/limits`);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    await s.admin('PUT', 'default/clock', { advanceMs: 25 * 3600_000 });
    expect((await s.sf('GET', `${V}/limits`)).status).toBe(200);
  });

  it('counts the allocation over a scaled window (apiWindowMs): per minute for a benchmark', async () => {
    await s.admin('PATCH', 'default/settings', { dailyApiRequests: 3, apiWindowMs: 60_000 });
    for (let i = 0; i < 3; i++) expect((await s.sf('GET', `${V}/limits`)).status).toBe(200);
    const refused = await s.sf('GET', `${V}/limits`);
    expect(refused.status).toBe(403);
    expect(refused.json[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(refused.headers.get('sforce-limit-info')).toBe('api-usage=3/3');
    // Rolling: half a window later the calls still count; a whole window later they are free.
    await s.admin('PUT', 'default/clock', { advanceMs: 30_000 });
    expect((await s.sf('GET', `${V}/limits`)).status).toBe(403);
    await s.admin('PUT', 'default/clock', { advanceMs: 31_000 });
    const freed = await s.sf('GET', `${V}/limits`);
    expect(freed.status).toBe(200);
    expect(freed.headers.get('sforce-limit-info')).toBe('api-usage=1/3');
    expect(freed.json.DailyApiRequests).toEqual({ Max: 3, Remaining: 2 });
  });

  it('keeps the 24-hour window by default: a minute later the calls still count', async () => {
    await s.admin('PATCH', 'default/settings', { dailyApiRequests: 2 });
    for (let i = 0; i < 2; i++) expect((await s.sf('GET', `${V}/limits`)).status).toBe(200);
    await s.admin('PUT', 'default/clock', { advanceMs: 61_000 });
    expect((await s.sf('GET', `${V}/limits`)).status).toBe(403);
  });

  it('refuses a window shorter than a second', async () => {
    const res = await s.admin('PATCH', 'default/settings', { apiWindowMs: 10 });
    expect(res.status).toBe(400);
  });

  it('limits concurrent long-running requests', async () => {
    await s.admin('PATCH', 'default/settings', { longRequestMs: 50, concurrentLongRequests: 1 });
    await s.admin('PATCH', 'default/faults', { latencyMs: 1000 });
    const slow = s.sf('GET', `${V}/limits`);
    // Wait until the slow call is in flight and has run longer than longRequestMs.
    while (s.server.org().state.inFlight.size === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    await s.admin('PATCH', 'default/faults', { latencyMs: 0 });
    const refused = await s.sf('GET', `${V}/limits`);
    expect(refused.status).toBe(403);
    expect(refused.json[0]).toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'ConcurrentPerOrgLongTxn Limit exceeded.',
    });
    expect((await slow).status).toBe(200);
    expect((await s.sf('GET', `${V}/limits`)).status).toBe(200);
  });
});

describe('faults rendered the Salesforce way', () => {
  it('renders a rate-limit storm as 403 REQUEST_LIMIT_EXCEEDED, never 429', async () => {
    await s.admin('PATCH', 'default/faults', { rateLimitStormMs: 60_000 });
    const res = await s.sf('GET', `${V}/limits`);
    expect(res.status).toBe(403);
    expect(res.json[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    const log = (await s.admin('GET', 'default/requests')).json;
    expect(log.entries.at(-1)).toMatchObject({
      status: 403,
      fault: 'rateLimit',
      route: '/services/data/:version/limits',
    });
  });

  it('renders server errors as JSON arrays (500, 503) and an HTML page for 502', async () => {
    for (const [status, type] of [
      [500, 'application/json;charset=UTF-8'],
      [503, 'application/json;charset=UTF-8'],
      [502, 'text/html'],
    ] as const) {
      await s.admin('PUT', 'default/faults', { errorRate: 1, errorStatuses: [status] });
      const res = await s.sf('GET', `${V}/limits`);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain(type);
      if (status !== 502)
        expect(res.json[0].errorCode).toBe(status === 500 ? 'UNKNOWN_EXCEPTION' : 'SERVER_UNAVAILABLE');
    }
    const { clientId, clientSecret } = s.server.org().state;
    const oauth = await s.sf('POST', '/services/oauth2/token', {
      raw: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: clientSecret,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      token: null,
    });
    expect(oauth.json).toEqual({ error: 'unknown_error', error_description: 'retry your request' });
  });

  it('applies a write and then drops the connection (lost response)', async () => {
    await s.admin('PATCH', 'default/faults', { lostResponseRate: 1 });
    await expect(
      s.sf('PATCH', `${V}/sobjects/Contact/External_Id__c/LOST-1`, { body: { LastName: 'Lost' } }),
    ).rejects.toThrow();
    await s.admin('DELETE', 'default/faults');
    const found = await s.sf('GET', `${V}/sobjects/Contact/External_Id__c/LOST-1`);
    expect(found.json).toMatchObject({ LastName: 'Lost' });
    const counters = (await s.admin('GET', 'default/requests')).json.counters;
    expect(counters['PATCH /services/data/:version/sobjects/:type/:field/:value']).toBe(1);
  });
});
