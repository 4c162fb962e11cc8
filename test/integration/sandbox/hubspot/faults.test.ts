// One test per request-level fault knob, as HubSpot renders it. Token knobs are in oauth.test.ts,
// indexLagMs in search.test.ts, webhook knobs in webhooks.test.ts.
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

const faults = (patch: Record<string, unknown>) =>
  call('PATCH', '/__sandbox/orgs/default/faults', patch, null);

describe('HubSpot fault knobs', () => {
  it('latencyMs delays vendor calls', async () => {
    await faults({ latencyMs: 300 });
    const t0 = Date.now();
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('errorRate answers the chosen 5xx with a HubSpot error body and logs the fault', async () => {
    await faults({ errorRate: 1, errorStatuses: [502] });
    const res = await call('GET', '/crm/v3/objects/contacts');
    expect(res.status).toBe(502);
    // docs/vendors/hubspot.md "Error bodies": category, correlationId (uuid) and message are required in every error body.
    expect(res.json).toEqual({
      status: 'error',
      message: expect.any(String),
      correlationId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      category: expect.stringMatching(/^[A-Z_]+$/),
    });
    const log = await call('GET', '/__sandbox/orgs/default/requests', undefined, null);
    expect(log.json.entries.at(-1)).toMatchObject({ status: 502, fault: 'serverError' });
    for (const status of [500, 503]) {
      await faults({ errorStatuses: [status] });
      const other = await call('POST', '/crm/v3/objects/contacts/search', {});
      expect(other.status).toBe(status);
      expect(other.json).toMatchObject({ status: 'error', category: res.json.category });
    }
  });

  it('rateLimitStormMs answers TEN_SECONDLY_ROLLING 429s (search: the secondly body) until the storm ends', async () => {
    await faults({ rateLimitStormMs: 5000 });
    const res = await call('GET', '/crm/v3/objects/contacts');
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({
      policyName: 'TEN_SECONDLY_ROLLING',
      errorType: 'RATE_LIMIT',
      groupName: `publicapi:private_app-api-calls-ten-secondly:${DEMO.appId}:${DEMO.portalId}`,
    });
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    const search = await call('POST', '/crm/v3/objects/contacts/search', {});
    expect(search.json.message).toBe('You have reached your secondly limit.');
    await call('PUT', '/__sandbox/orgs/default/clock', { advanceMs: 5001 }, null);
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('rateLimitRate limits a share of calls', async () => {
    await faults({ rateLimitRate: 1 });
    expect((await call('GET', '/crm/v3/objects/deals')).status).toBe(429);
  });

  it('lostResponseRate applies the write and drops the connection before the response', async () => {
    await faults({ lostResponseRate: 1 });
    await expect(
      call('POST', '/crm/v3/objects/contacts', { properties: { email: 'lost@example.org' } }),
    ).rejects.toThrow();
    await faults({ lostResponseRate: 0 });
    const store = server.org().state.store;
    expect(store.findByUnique('contacts', 'email', 'lost@example.org')).toBeDefined();
    const retry = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'lost@example.org' },
    });
    expect(retry.status).toBe(409);
  });
});
