import { creditAllowance, zohoSettingsSchema } from '../../../../src/sandbox/zoho/settings';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: credits and concurrency', () => {
  let z: Started;
  beforeEach(async () => {
    z = await startZoho({ Contacts: 10, Deals: 2 }, { creditLimit: 3, concurrencyLimit: 2 });
  });
  afterEach(async () => {
    await z.live.close();
  });

  it('computes the 24-hour allowance from edition, licences and add-ons, capped by the edition', () => {
    const allowance = (s: Record<string, unknown>) => creditAllowance(zohoSettingsSchema.parse(s));
    expect(allowance({ edition: 'standard', licences: 10 })).toBe(52_500);
    expect(allowance({ edition: 'standard', licences: 1000 })).toBe(100_000);
    expect(allowance({ edition: 'enterprise', licences: 100 })).toBe(150_000);
    expect(allowance({ edition: 'free', licences: 3 })).toBe(5000);
    expect(allowance({ edition: 'professional', licences: 10, addOnCredits: 1000 })).toBe(56_000);
  });

  it('refuses calls past the allowance with 429 TOO_MANY_REQUESTS until the credits of 24 hours ago come back', async () => {
    for (let i = 0; i < 3; i++) expect((await z.call('GET', '/org')).status).toBe(200);
    const refused = await z.call('GET', '/org');
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 'error' });
    // Refused calls cost nothing; the window rolls per call, not per day.
    z.server.org().clock.advance(24 * 3600_000);
    expect((await z.call('GET', '/org')).status).toBe(200);
  });

  it('refuses a call beyond the org concurrency limit while others are in flight', async () => {
    z.server.patchSettings('default', { creditLimit: 1000 });
    // Injected latency holds each admitted call open long enough for all three to be in flight.
    z.server.org().faults.patch({ latencyMs: 1500 });
    const statuses = (await Promise.all([1, 2, 3].map(() => z.call('GET', '/org'))))
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([200, 200, 429]);
    z.server.org().faults.clear();
    expect((await z.call('GET', '/org')).status).toBe(200);
    expect(z.server.org().state.limits.callsInFlight).toBe(0);
  });

  it('renders an injected rate-limit fault as Zoho does', async () => {
    z.server.org().faults.patch({ rateLimitRate: 1 });
    const res = await z.call('GET', '/org');
    expect(res.status).toBe(429);
    expect(res.json.code).toBe('TOO_MANY_REQUESTS');
  });
});
