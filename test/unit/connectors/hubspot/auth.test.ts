import nock from '../../../support/nock';
import { API, hubspot, rejection, resetNock } from './hs-context';

/** Which portal (and app) a token belongs to. */

afterEach(() => resetNock());

describe('identify', () => {
  const metadata = {
    token: 'tok-1',
    user: 'dev@example.com',
    hub_domain: 'demo.hubspot.com',
    scopes: ['oauth', 'crm.objects.contacts.read'],
    hub_id: 62515,
    app_id: 54321,
    expires_in: 1754,
    user_id: 123,
    token_type: 'access',
  };

  it('learns the portal and app of an OAuth token from the access-token metadata, without credentials', async () => {
    const { connector } = hubspot({ portalId: null });
    nock(API, { badheaders: ['authorization'] })
      .get('/oauth/v1/access-tokens/tok-1')
      .reply(200, metadata);
    expect(await connector.identify('oauth2_code')).toEqual({ accountId: '62515', appId: '54321' });
  });

  it('learns the portal of a private-app token from the account details (the metadata endpoint knows only OAuth tokens)', async () => {
    const { connector } = hubspot({ portalId: null });
    nock(API).get('/account-info/v3/details').matchHeader('authorization', 'Bearer tok-1').reply(200, {
      portalId: 62515,
      accountType: 'STANDARD',
      timeZone: 'US/Eastern',
      companyCurrency: 'USD',
      additionalCurrencies: [],
      utcOffset: '-05:00',
      utcOffsetMilliseconds: -18000000,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
    expect(await connector.identify('static_token')).toEqual({ accountId: '62515', appId: null });
  });

  it('fails typed when HubSpot names no portal', async () => {
    const { connector } = hubspot({ portalId: null });
    nock(API)
      .get('/oauth/v1/access-tokens/tok-1')
      .reply(200, { ...metadata, hub_id: undefined })
      .get('/account-info/v3/details')
      .reply(200, { accountType: 'STANDARD' });
    expect(await rejection(connector.identify('oauth2_code'))).toMatchObject({
      code: 'UPSTREAM',
      crm: 'hubspot',
      message: 'HubSpot access-token metadata has no hub_id',
    });
    expect(await rejection(connector.identify('static_token'))).toMatchObject({
      code: 'UPSTREAM',
      message: 'HubSpot account details have no portalId',
    });
  });
});
