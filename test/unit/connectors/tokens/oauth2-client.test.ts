import nock from '../../../support/nock';
import { NO_OVERRIDES } from '../../../../src/connectors/ssrf';
import { type CrmDefinition } from '../../../../src/connectors/definition';
import { hubspotTokens } from '../../../../src/connectors/hubspot/tokens';
import { CRM_DEFINITIONS } from '../../../../src/connectors/registry';
import { salesforceTokens } from '../../../../src/connectors/salesforce/tokens';
import { InvalidGrantError, OAuth2Client } from '../../../../src/connectors/tokens/oauth2-client';

const APP = { clientId: 'cid', clientSecret: 's3cr3t', redirectUri: 'https://gw.example/oauth/x/callback' };
const NOW = 1_800_000_000_000;
const client = (
  definition: CrmDefinition,
  hosts = { auth: definition.declaration.hosts.auth, api: definition.declaration.hosts.api },
) => new OAuth2Client({ definition, hosts, app: APP, policy: NO_OVERRIDES, now: () => NOW });
const { salesforce, hubspot } = CRM_DEFINITIONS;

describe('OAuth2Client', () => {
  it('builds the authorize URL from the declaration', () => {
    const url = new URL(client(salesforce).authorizeUrl('st'));
    expect(url.origin + url.pathname).toBe('https://login.salesforce.com/services/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'cid',
      redirect_uri: APP.redirectUri,
      scope: 'api refresh_token',
      state: 'st',
    });
  });

  it('exchanges a Salesforce code: no expires_in, instance_url checked, org id from the identity URL', async () => {
    nock('https://login.salesforce.com')
      .post(
        '/services/oauth2/token',
        (body: Record<string, string>) =>
          body.grant_type === 'authorization_code' && body.code === 'c0de' && body.client_secret === 's3cr3t',
      )
      .reply(200, {
        access_token: '00D!tok',
        refresh_token: '5Aep',
        instance_url: 'https://acme.my.salesforce.com',
        id: 'https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001Sv6eAAC',
        token_type: 'Bearer',
        issued_at: '1717000000000',
      });
    await expect(client(salesforce).exchangeCode('c0de')).resolves.toEqual({
      accessToken: '00D!tok',
      refreshToken: '5Aep',
      expiresAt: null,
      apiBaseUrl: 'https://acme.my.salesforce.com',
      externalAccountId: '00Dxx0000001gPLEAY',
    });
  });

  it('refuses an instance_url off the Salesforce domains', async () => {
    nock('https://login.salesforce.com')
      .post('/services/oauth2/token')
      .reply(200, { access_token: 't', instance_url: 'https://169.254.169.254' });
    await expect(client(salesforce).refresh('r')).rejects.toMatchObject({ code: 'UPSTREAM' });
  });

  it('refreshes a HubSpot token on the API host with expires_in and hub_id', async () => {
    nock('https://api.hubapi.com')
      .post(
        '/oauth/v1/token',
        (b: Record<string, string>) => b.grant_type === 'refresh_token' && b.refresh_token === 'na1-r',
      )
      .reply(200, {
        token_type: 'bearer',
        refresh_token: 'na1-r2',
        hub_id: 62515,
        access_token: 'AAA',
        expires_in: 1800,
      });
    await expect(client(hubspot).refresh('na1-r')).resolves.toEqual({
      accessToken: 'AAA',
      refreshToken: 'na1-r2',
      expiresAt: NOW + 1_800_000,
      apiBaseUrl: undefined,
      externalAccountId: '62515',
    });
  });

  it.each([
    [
      'Salesforce invalid_grant',
      { error: 'invalid_grant', error_description: 'expired access/refresh token' },
      'invalid_grant',
    ],
    [
      'HubSpot legacy BAD_REFRESH_TOKEN',
      { status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token' },
      'BAD_REFRESH_TOKEN',
    ],
    [
      'HubSpot v3 shape',
      {
        error: 'invalid_grant',
        error_description: 'revoked',
        status: 'BAD_REFRESH_TOKEN',
        message: 'revoked',
      },
      'invalid_grant',
    ],
  ])('turns %s into InvalidGrantError', async (_name, body, code) => {
    nock('https://api.hubapi.com').post('/oauth/v1/token').reply(400, body);
    const err = await client(hubspot)
      .refresh('r')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(InvalidGrantError);
    expect((err as InvalidGrantError).vendorCode).toBe(code);
  });

  it("reads token errors sent with HTTP 200 (Zoho style), with the vendor's own dead-grant codes", async () => {
    // A vendor whose token endpoint answers errors with 200 and names dead grants `invalid_code`.
    const zohoLike: CrmDefinition = { ...hubspot, tokens: { deadGrantCodes: ['invalid_code'] } };
    nock('https://api.hubapi.com').post('/oauth/v1/token').reply(200, { error: 'invalid_code' });
    await expect(client(zohoLike).refresh('r')).rejects.toBeInstanceOf(InvalidGrantError);
    nock('https://api.hubapi.com').post('/oauth/v1/token').reply(200, { error: 'invalid_code' });
    await expect(client(hubspot).refresh('r')).rejects.toMatchObject({ code: 'UPSTREAM' });
    nock('https://api.hubapi.com').post('/oauth/v1/token').reply(200, { error: 'invalid_client' });
    await expect(client(zohoLike).refresh('r')).rejects.toMatchObject({
      code: 'UPSTREAM',
      vendorCode: 'invalid_client',
    });
  });

  it('never resends a refresh whose answer was lost (rotation would kill the old token)', async () => {
    const scope = nock('https://api.hubapi.com').post('/oauth/v1/token').once().reply(502, 'bad gateway');
    await expect(client(hubspot).refresh('r')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { outcomeUnknown: true },
    });
    expect(scope.isDone()).toBe(true);
  });

  it('authenticates with HTTP Basic when the declaration says so', async () => {
    const basic: CrmDefinition = {
      ...hubspot,
      declaration: { ...hubspot.declaration, oauth: { ...hubspot.declaration.oauth!, clientAuth: 'basic' } },
    };
    nock('https://api.hubapi.com', {
      reqheaders: { authorization: `Basic ${Buffer.from('cid:s3cr3t').toString('base64')}` },
    })
      .post('/oauth/v1/token', (b: Record<string, string>) => b.client_secret === undefined)
      .reply(200, { access_token: 'x', expires_in: 60 });
    await expect(client(basic).clientCredentials()).resolves.toMatchObject({
      accessToken: 'x',
      expiresAt: NOW + 60_000,
    });
  });
});

describe('token-response parsing per vendor', () => {
  it('reads HubSpot hub_id and the Salesforce org id, and nothing else', () => {
    expect(hubspotTokens.accountId!({ hub_id: 1 })).toBe('1');
    expect(
      salesforceTokens.accountId!({
        id: 'https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA',
      }),
    ).toBe('00D000000000001AAA');
    expect(salesforceTokens.accountId!({ id: 'https://evil.example/whatever' })).toBeUndefined();
    expect(salesforceTokens.accountId!({})).toBeUndefined();
    expect(hubspotTokens.accountId!({})).toBeUndefined();
  });

  it('lets a vendor name its expiry field (Zoho expires_in_sec)', async () => {
    const zohoLike: CrmDefinition = {
      ...hubspot,
      tokens: { expiresInSeconds: (body) => body.expires_in_sec },
    };
    nock('https://api.hubapi.com')
      .post('/oauth/v1/token')
      .reply(200, { access_token: 'z', expires_in_sec: 3600 });
    await expect(client(zohoLike).refresh('r')).resolves.toMatchObject({ expiresAt: NOW + 3_600_000 });
  });
});
