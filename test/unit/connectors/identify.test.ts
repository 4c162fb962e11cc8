import nock from '../../support/nock';
import { prepareTokenConnection } from '../../../src/connectors/connect';
import { CRMS } from '../../../src/connectors/registry';
import { APP_ID_SETTING, identifyAccount, identitySettings } from '../../../src/connectors/identify';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { createLogger } from '../../../src/logger';
import { budgetKey } from '../../../src/ratelimit/budget-gate';

/**
 * Learning which vendor account (and app) credentials belong to when a connection is made, through the
 * connectors' optional `identify` capability (HubSpot has one; Salesforce's org id comes from the
 * identity URL of its token response).
 */

const HS = 'https://api.hubapi.com';
const SF = 'https://login.salesforce.com';
const POLICY: VendorUrlPolicy = { allowOverrides: false, allowlist: [] };
const ORG = '00D5g000004SQ2aEAG';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'warn',
    destination: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) },
  });
  return { lines, logger };
}

describe('createConnection (prepareTokenConnection)', () => {
  it('stores a HubSpot private-app connection with its portal id, learned from the account details', async () => {
    nock(HS)
      .get('/account-info/v3/details')
      .matchHeader('authorization', 'Bearer pat-na1-abc')
      .reply(200, { portalId: 62515, accountType: 'STANDARD', timeZone: 'US/Eastern' });
    const prepared = await prepareTokenConnection(
      { crm: 'hubspot', credentials: { token: 'pat-na1-abc' } },
      POLICY,
    );
    expect(prepared).toEqual({
      credentials: { authKind: 'static_token', accessToken: 'pat-na1-abc', expiresAt: null },
      vendorUrls: {},
      externalAccountId: '62515',
      // HubSpot documents no way to learn a private app's id: budgets use the portal's default app.
      settings: {},
    });
  });

  it('refuses a HubSpot token that HubSpot rejects', async () => {
    nock(HS).get('/account-info/v3/details').reply(401, {
      status: 'error',
      message: 'Authentication credentials not found.',
      correlationId: 'c-1',
      category: 'INVALID_AUTHENTICATION',
    });
    await expect(
      prepareTokenConnection({ crm: 'hubspot', credentials: { token: 'pat-revoked' } }, POLICY),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'HubSpot rejected the credentials: check the token and try again',
    });
  });

  it('still connects when HubSpot cannot say, leaving the portal unknown and logging why', async () => {
    nock(HS).get('/account-info/v3/details').reply(404, {
      status: 'error',
      message: 'resource not found',
      correlationId: 'c-2',
      category: 'OBJECT_NOT_FOUND',
    });
    const { lines, logger } = capture();
    const prepared = await prepareTokenConnection(
      { crm: 'hubspot', credentials: { token: 'pat-na1-abc' } },
      POLICY,
      { logger },
    );
    expect(prepared.externalAccountId).toBeNull();
    expect(prepared.settings).toEqual({});
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        crm: 'hubspot',
        msg: expect.stringMatching(/^could not learn which HubSpot account the credentials belong to/),
      }),
    ]);
  });

  it('keeps the Salesforce org id of the identity URL, with no identify call', async () => {
    nock(SF)
      .post('/services/oauth2/token')
      .reply(200, {
        access_token: '00Dxx!tok',
        instance_url: 'https://acme.my.salesforce.com',
        id: `${SF}/id/${ORG}/0055g00000AbCdEAAV`,
        token_type: 'Bearer',
        issued_at: '1717000000000',
        signature: 'sig',
      });
    const prepared = await prepareTokenConnection(
      { crm: 'salesforce', credentials: { clientId: 'cid', clientSecret: 'cs' } },
      POLICY,
    );
    expect(prepared.externalAccountId).toBe(ORG);
    expect(prepared.settings).toEqual({});
  });
});

describe('identifyAccount', () => {
  it("learns a HubSpot OAuth token's portal and app from its metadata", async () => {
    nock(HS, { badheaders: ['authorization'] })
      .get('/oauth/v1/access-tokens/CN-tok')
      .reply(200, { token: 'CN-tok', hub_id: 62515, app_id: 54321, scopes: ['oauth'], expires_in: 1700 });
    const identity = await identifyAccount({
      crm: 'hubspot',
      credentials: { authKind: 'oauth2_code', accessToken: 'CN-tok', refreshToken: 'r', expiresAt: null },
      vendorUrls: {},
      policy: POLICY,
    });
    expect(identity).toEqual({ accountId: '62515', appId: '54321' });
    // What is stored is what budgets are keyed by: the portal + app scope HubSpot counts the burst in.
    const burst = CRMS.hubspot.budgets.find((b) => b.scope === 'account_app')!;
    const connection = {
      id: 'c1',
      tenantId: 't1',
      crm: 'hubspot' as const,
      externalAccountId: identity!.accountId,
      vendorUrls: {},
      settings: identitySettings(identity),
    };
    expect(connection.settings).toEqual({ [APP_ID_SETTING]: '54321' });
    expect(budgetKey('p', connection, burst)).toBe(`p:budget:hubspot:${burst.name}:62515:54321`);
  });

  it('answers null for a connector without the capability', async () => {
    expect(
      await identifyAccount({
        crm: 'salesforce',
        credentials: { authKind: 'oauth2_code', accessToken: 't', expiresAt: null },
        vendorUrls: {},
        policy: POLICY,
      }),
    ).toBeNull();
  });
});
