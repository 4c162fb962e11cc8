import nock from '../../../support/nock';
import { NO_OVERRIDES } from '../../../../src/connectors/ssrf';
import { RevocationError, revokeGrant } from '../../../../src/connectors/tokens/revoke-grant';

/**
 * Each CRM's revocation at the HTTP level (docs/vendors/salesforce.md "Revoking tokens",
 * docs/vendors/hubspot.md "Revoking tokens"): the call's shape, "already revoked" answers as success,
 * 5xx and network failures as retryable, other refusals as definitive. Errors name no token.
 */
const SF = 'https://login.salesforce.com';
const HS = 'https://api.hubapi.com';
const REFRESH = '5Aep861-refresh/secret+token';

const revoke = (crm: string, credentials: Record<string, unknown>) =>
  revokeGrant({ connectionId: 'c1', crm, vendorUrls: {}, credentials, policy: NO_OVERRIDES });

const sfCode = { authKind: 'oauth2_code', accessToken: '00D!access', refreshToken: REFRESH, expiresAt: null };
const hsCode = { authKind: 'oauth2_code', accessToken: 'CN-access', refreshToken: REFRESH, expiresAt: 1 };

describe('revokeGrant: Salesforce', () => {
  it('POSTs the refresh token as the form field `token` to /services/oauth2/revoke, unauthenticated', async () => {
    nock(SF, { badheaders: ['authorization'] })
      .post('/services/oauth2/revoke', { token: REFRESH })
      .matchHeader('content-type', /application\/x-www-form-urlencoded/)
      .reply(200, '');
    await expect(revoke('salesforce', sfCode)).resolves.toEqual({
      outcome: 'revoked',
      detail: 'Salesforce revoked the grant',
    });
  });

  it('revokes the access token of a client-credentials connection (it has no refresh token)', async () => {
    nock(SF).post('/services/oauth2/revoke', { token: 'cc-access' }).reply(200, '');
    await expect(
      revoke('salesforce', {
        authKind: 'oauth2_client_credentials',
        accessToken: 'cc-access',
        expiresAt: null,
      }),
    ).resolves.toMatchObject({ outcome: 'revoked' });
  });

  it('goes to the connection’s own login host (a My Domain override)', async () => {
    nock('https://acme.my.salesforce.com').post('/services/oauth2/revoke').reply(200, '');
    await expect(
      revokeGrant({
        connectionId: 'c1',
        crm: 'salesforce',
        vendorUrls: { auth: 'https://acme.my.salesforce.com' },
        credentials: sfCode,
        policy: { allowOverrides: true, allowlist: [] },
      }),
    ).resolves.toMatchObject({ outcome: 'revoked' });
  });

  it('takes 400 invalid_token (already revoked, expired or unknown) as revoked', async () => {
    nock(SF)
      .post('/services/oauth2/revoke')
      .reply(400, { error: 'invalid_token', error_description: 'invalid token' });
    await expect(revoke('salesforce', sfCode)).resolves.toEqual({
      outcome: 'revoked',
      detail: 'Salesforce says the token is already revoked or unknown',
    });
  });

  it('fails definitively on another 400 (unsupported_token_type), naming no token', async () => {
    nock(SF).post('/services/oauth2/revoke').reply(400, { error: 'unsupported_token_type' });
    const err = await revoke('salesforce', sfCode).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationError);
    expect(err).toMatchObject({
      retryable: false,
      message: 'Salesforce token revocation failed: HTTP 400 unsupported_token_type',
    });
  });

  it('fails retryably on a 503, once (the job owns the retries)', async () => {
    nock(SF).post('/services/oauth2/revoke').once().reply(503, 'down');
    await expect(revoke('salesforce', sfCode)).rejects.toMatchObject({
      name: 'RevocationError',
      retryable: true,
      message: 'Salesforce token revocation failed: HTTP 503',
    });
  });

  it('fails retryably when the vendor cannot be reached', async () => {
    nock(SF)
      .post('/services/oauth2/revoke')
      .replyWithError({ code: 'ECONNRESET', message: 'socket hang up' });
    await expect(revoke('salesforce', sfCode)).rejects.toMatchObject({
      name: 'RevocationError',
      retryable: true,
    });
  });
});

describe('revokeGrant: HubSpot', () => {
  const path = `/oauth/v1/refresh-tokens/${encodeURIComponent(REFRESH)}`;

  it('DELETEs the refresh token at /oauth/v1/refresh-tokens/{token}, unauthenticated (204)', async () => {
    nock(HS, { badheaders: ['authorization'] })
      .delete(path)
      .reply(204);
    await expect(revoke('hubspot', hsCode)).resolves.toEqual({
      outcome: 'revoked',
      detail: 'HubSpot revoked the grant',
    });
  });

  it.each([404, 400])('takes %i (unknown or already deleted token) as revoked', async (status) => {
    nock(HS)
      .delete(path)
      .reply(status, { status: 'error', message: 'Token not found', category: 'OBJECT_NOT_FOUND' });
    await expect(revoke('hubspot', hsCode)).resolves.toMatchObject({ outcome: 'revoked' });
  });

  it('says a private-app token is not revocable, without calling HubSpot', async () => {
    await expect(
      revoke('hubspot', { authKind: 'static_token', accessToken: 'pat-na1-xyz', expiresAt: null }),
    ).resolves.toEqual({
      outcome: 'not_revocable',
      detail:
        'a private-app token can only be rotated or deleted by a super admin of the account, in HubSpot',
    });
  });

  it('fails retryably on a 500 with a message that holds no part of the token (it travels in the path)', async () => {
    nock(HS)
      .delete(path)
      .reply(500, { status: 'error', message: `boom at ${path}` });
    const err = (await revoke('hubspot', hsCode).catch((e: unknown) => e)) as RevocationError;
    expect(err).toMatchObject({ name: 'RevocationError', retryable: true });
    expect(err.message).not.toContain('refresh');
    expect(err.message).not.toContain(encodeURIComponent(REFRESH));
    expect(String(err.stack)).not.toContain(encodeURIComponent(REFRESH));
    expect((err as Error & { cause?: unknown }).cause).toBeUndefined();
  });

  it('fails definitively on a 401 (our app refused)', async () => {
    nock(HS).delete(path).reply(401, { status: 'error', category: 'INVALID_AUTHENTICATION' });
    await expect(revoke('hubspot', hsCode)).rejects.toMatchObject({ retryable: false });
  });
});

describe('revokeGrant: Pipedrive', () => {
  const PD = 'https://oauth.pipedrive.com';
  const pdCode = { authKind: 'oauth2_code', accessToken: 'pd-access', refreshToken: REFRESH, expiresAt: 1 };
  const app = { clientId: 'our-app', clientSecret: 's3cret:with/odd chars' };
  const basic = `Basic ${Buffer.from(`our-app:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`;
  const pdRevoke = (credentials: Record<string, unknown>, oauthApp?: typeof app) =>
    revokeGrant({
      connectionId: 'c1',
      crm: 'pipedrive',
      vendorUrls: {},
      credentials,
      policy: NO_OVERRIDES,
      oauthApp,
    });

  it('POSTs the refresh token to /oauth/revoke with our app as HTTP Basic auth', async () => {
    nock(PD)
      .post('/oauth/revoke', { token: REFRESH, token_type_hint: 'refresh_token' })
      .matchHeader('authorization', basic)
      .reply(200, { success: true });
    await expect(pdRevoke(pdCode, app)).resolves.toEqual({
      outcome: 'revoked',
      detail: 'Pipedrive revoked the grant',
    });
  });

  it("authenticates as the connection's own app when it brought one", async () => {
    const own = { clientId: 'byo', clientSecret: 'byo-secret' };
    nock(PD)
      .post('/oauth/revoke')
      .matchHeader('authorization', `Basic ${Buffer.from('byo:byo-secret').toString('base64')}`)
      .reply(200, { success: true });
    await expect(pdRevoke({ ...pdCode, ...own }, app)).resolves.toMatchObject({ outcome: 'revoked' });
  });

  it('takes 400 invalid_request (the token is already dead) as revoked', async () => {
    nock(PD)
      .post('/oauth/revoke')
      .reply(400, { success: false, message: 'Invalid request: token is invalid', error: 'invalid_request' });
    await expect(pdRevoke(pdCode, app)).resolves.toMatchObject({ outcome: 'revoked' });
  });

  it('fails definitively, calling nobody, when no OAuth app is configured to authenticate with', async () => {
    const err = await pdRevoke(pdCode).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RevocationError);
    expect(err).toMatchObject({ retryable: false });
    expect(String((err as Error).message)).not.toContain(REFRESH);
  });

  it('says an API token is not revocable, without calling Pipedrive', async () => {
    await expect(
      pdRevoke({ authKind: 'static_token', accessToken: 'api-token', expiresAt: null }, app),
    ).resolves.toMatchObject({ outcome: 'not_revocable' });
  });
});
