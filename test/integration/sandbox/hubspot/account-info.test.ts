// The account information API: `/account-info/v3/details` names the portal of the calling token.
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { DEMO, type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { startHubSpot, type Caller } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;

beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 2, deals: 1 }));
});
afterEach(async () => {
  await live.close();
});

const DETAILS = '/account-info/v3/details';

describe('GET /account-info/v3/details', () => {
  it("names the private-app token's portal, with its time zone, currency and hosting", async () => {
    const res = await call('GET', DETAILS);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      portalId: DEMO.portalId,
      accountType: 'STANDARD',
      timeZone: 'UTC',
      companyCurrency: 'USD',
      additionalCurrencies: [],
      utcOffset: '+00:00',
      utcOffsetMilliseconds: 0,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
  });

  it("answers each portal's own id, and follows its time zone and currency settings", async () => {
    const created = await call(
      'POST',
      '/__sandbox/orgs',
      { id: 'other', counts: { contacts: 1, deals: 0 } },
      null,
    );
    expect(created.status).toBe(201);
    const other = server.org('other').state;
    expect(other.portalId).not.toBe(DEMO.portalId);
    const patched = await call(
      'PATCH',
      '/__sandbox/orgs/other/settings',
      { timeZoneOffsetMinutes: -300, companyCurrency: 'EUR' },
      null,
    );
    expect(patched.status).toBe(200);
    const res = await call('GET', DETAILS, undefined, other.privateAppToken);
    expect(res.json).toMatchObject({
      portalId: other.portalId,
      timeZone: 'Etc/GMT+5',
      companyCurrency: 'EUR',
      utcOffset: '-05:00',
      utcOffsetMilliseconds: -18_000_000,
    });
    expect((await call('GET', DETAILS)).json.portalId).toBe(DEMO.portalId);
    const bad = await call('PATCH', '/__sandbox/orgs/other/settings', { companyCurrency: 'euro' }, null);
    expect(bad.status).toBe(400);
  });

  it('refuses a missing or unknown token with 401 INVALID_AUTHENTICATION', async () => {
    for (const token of [null, 'pat-na1-not-a-token']) {
      const res = await call('GET', DETAILS, undefined, token);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
    }
  });

  it('is counted in the request log and drawn from the ten-secondly and daily limits', async () => {
    await call('PATCH', '/__sandbox/orgs/default/settings', { burst: 2 }, null);
    const first = await call('GET', DETAILS);
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('2');
    expect(first.headers.get('x-hubspot-ratelimit-remaining')).toBe('1');
    expect(first.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('249999');
    expect((await call('GET', DETAILS)).status).toBe(200);
    const limited = await call('GET', DETAILS);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ status: 'error', policyName: 'TEN_SECONDLY_ROLLING' });
    expect(server.org().log.count(`GET ${DETAILS}`)).toBe(3);
  });
});
