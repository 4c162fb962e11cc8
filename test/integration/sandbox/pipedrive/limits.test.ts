import { oauthTokens, startPipedrive, V2, type Started } from './helpers';

const DAY = 24 * 3600_000;

function remaining(res: { headers: Headers }): number {
  return Number(res.headers.get('x-daily-ratelimit-token-remaining'));
}

describe('pipedrive sandbox: token budget and burst limits', () => {
  let s: Started;
  beforeEach(async () => {
    s = await startPipedrive({ persons: 12, deals: 6 });
  });
  afterEach(async () => {
    await s.live.close();
  });

  it('charges each call its documented token cost from 30,000 × plan × seats', async () => {
    s.server.patchSettings('default', { plan: 'premium', seats: 3 });
    const first = await s.call('GET', `${V2}/persons/1`);
    expect(first.headers.get('x-daily-ratelimit-token-limit')).toBe(String(30_000 * 5 * 3));
    let before = remaining(first);
    const cost = async (method: string, path: string, body?: unknown): Promise<number> => {
      const res = await s.call(method, path, body === undefined ? {} : { body });
      expect(res.status).toBeLessThan(300);
      const spent = before - remaining(res);
      before = remaining(res);
      return spent;
    };
    expect(await cost('GET', `${V2}/persons/2`)).toBe(1);
    expect(await cost('GET', `${V2}/persons`)).toBe(10);
    const created = await s.call('POST', `${V2}/deals`, { body: { title: 'cost' } });
    expect(before - remaining(created)).toBe(5);
    before = remaining(created);
    const id = created.json.data.id as number;
    expect(await cost('PATCH', `${V2}/deals/${id}`, { title: 'cost 2' })).toBe(5);
    expect(await cost('DELETE', `${V2}/deals/${id}`)).toBe(3);
    expect(await cost('GET', '/v1/personFields')).toBe(20);
    expect(await cost('GET', '/v1/users/me')).toBe(2);
    expect(await cost('GET', `${V2}/persons/search?term=ab`)).toBe(20);
  });

  it('refuses calls past the daily budget until midnight UTC on the company clock', async () => {
    s.server.patchSettings('default', { dailyTokenBudget: 25 });
    expect((await s.call('GET', `${V2}/persons`)).status).toBe(200);
    expect((await s.call('GET', `${V2}/persons`)).status).toBe(200);
    const refused = await s.call('GET', `${V2}/persons`);
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ success: false, error: 'Daily token budget exceeded' });
    expect(refused.headers.get('x-daily-ratelimit-token-remaining')).toBe('5');
    // A cheaper call still fits; the refused one cost nothing.
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(200);
    const org = s.server.org();
    const now = org.now();
    org.clock.advance(Math.ceil(now / DAY) * DAY - now - 1000);
    expect((await s.call('GET', `${V2}/persons`)).status).toBe(429);
    org.clock.advance(2000);
    const fresh = await s.call('GET', `${V2}/persons`);
    expect(fresh.status).toBe(200);
    expect(remaining(fresh)).toBe(15);
  });

  it('limits an API token to its plan burst per 2 s with the x-ratelimit headers', async () => {
    s.server.patchSettings('default', { plan: 'lite' });
    const answers = await Promise.all(Array.from({ length: 21 }, () => s.call('GET', `${V2}/persons/1`)));
    const ok = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status === 429);
    expect(ok).toHaveLength(20);
    expect(limited).toHaveLength(1);
    expect(ok.map((r) => Number(r.headers.get('x-ratelimit-remaining'))).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    const refused = limited[0];
    expect(refused?.headers.get('x-ratelimit-limit')).toBe('20');
    expect(refused?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused?.headers.get('x-ratelimit-reset')).toBe('2');
    expect(refused?.json).toMatchObject({ success: false, error: 'Request over limit' });
    s.server.org().clock.advance(2001);
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(200);
  });

  it('gives OAuth tokens the larger OAuth burst', async () => {
    s.server.patchSettings('default', { plan: 'lite' });
    const tokens = await oauthTokens(s.live.baseUrl);
    const base = String(tokens.api_domain).slice(s.live.baseUrl.length);
    const headers = { authorization: `Bearer ${String(tokens.access_token)}` };
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => s.call('GET', `${base}${V2}/persons/1`, { token: null, headers })),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(answers[0]?.headers.get('x-ratelimit-limit')).toBe('80');
  });

  it('limits search to 10 calls per 2 s whatever the plan', async () => {
    const answers = [];
    for (let i = 0; i < 11; i++) answers.push(await s.call('GET', `${V2}/persons/search?term=an`));
    expect(answers.slice(0, 10).every((r) => r.status === 200)).toBe(true);
    expect(answers[10]?.status).toBe(429);
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(200);
  });

  it('answers a client that keeps hammering through 429s with the 403 HTML page (setting)', async () => {
    s.server.patchSettings('default', { dailyTokenBudget: 1, forbiddenHtmlAfter429s: 2 });
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(200);
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(429);
    expect((await s.call('GET', `${V2}/persons/1`)).status).toBe(429);
    const blocked = await s.call('GET', `${V2}/persons/1`);
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('content-type')).toMatch(/text\/html/);
    expect(blocked.text).toMatch(/blocked/);
  });

  it('renders injected faults in the vendor shape', async () => {
    s.server.org().faults.patch({ rateLimitRate: 1 });
    const limited = await s.call('GET', `${V2}/persons/1`);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ success: false, error: 'Request over limit' });
    s.server.org().faults.replace({ errorRate: 1, errorStatuses: [503] });
    const down = await s.call('GET', `${V2}/persons/1`);
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ success: false, data: null });
  });

  it('refuses settings it does not know or cannot use', () => {
    expect(() => s.server.patchSettings('default', { plan: 'platinum' })).toThrow();
    expect(() => s.server.patchSettings('default', { seats: 0 })).toThrow();
    expect(() => s.server.patchSettings('default', { burts: 5 })).toThrow();
  });
});
