import { startZoho, type Started } from './helpers';

/**
 * `X-RATELIMIT-*` headers (docs/vendors/zoho.md "Rate limits"): UNVERIFIED, so the sandbox sends them
 * only with the setting `rateLimitHeaders`; off by default.
 */
describe('Zoho sandbox: rate-limit headers', () => {
  let z: Started;
  afterEach(async () => {
    await z.live.close();
  });

  it('sends none by default', async () => {
    z = await startZoho({ Contacts: 1, Deals: 0 }, { creditLimit: 10 });
    const res = await z.call('GET', '/org');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-remaining')).toBeNull();
    expect(res.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('with the setting, states the allowance, what is left after the call and when credits free up', async () => {
    z = await startZoho({ Contacts: 1, Deals: 0 }, { creditLimit: 2, rateLimitHeaders: true });
    const first = await z.call('GET', '/org');
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(86_000);
    await z.call('GET', '/org');
    const refused = await z.call('GET', '/org');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
  });
});
