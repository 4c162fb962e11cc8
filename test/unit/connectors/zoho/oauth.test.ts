import nock from '../../../support/nock';
import { zoho } from '../../../../src/connectors/zoho';
import { DC_IDS, dcOfAccounts, dcTable } from '../../../../src/connectors/zoho/data-centres';
import { callbackVendorUrls, checkedVendorUrls } from '../../../../src/connectors/oauth/callback-urls';
import { NO_OVERRIDES, resolveVendorHosts, type VendorUrlPolicy } from '../../../../src/connectors/ssrf';
import { InvalidGrantError, OAuth2Client } from '../../../../src/connectors/tokens/oauth2-client';
import { BadUserInputError } from '../../../../src/errors';

/**
 * OAuth per data centre (docs/vendors/zoho.md "Connector: OAuth and data centres"): the callback's
 * `location` picks the DC from the table, its `accounts-server` must be that DC's, the token response's
 * `api_domain` is kept only when it is that DC's API domain, and refreshes go to that DC.
 */

const APP = {
  clientId: 'cid',
  clientSecret: 's3cr3t',
  redirectUri: 'https://gw.example/oauth/zoho/callback',
};
const NOW = 1_800_000_000_000;
const SANDBOX: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };

function clientFor(vendorUrls: Record<string, string>, policy: VendorUrlPolicy = NO_OVERRIDES): OAuth2Client {
  const hosts = resolveVendorHosts(zoho.declaration, vendorUrls, policy);
  return new OAuth2Client({ definition: zoho, hosts, vendorUrls, app: APP, policy, now: () => NOW });
}

describe('the data-centre table', () => {
  it('names the eight DCs, each with its own accounts server and API domain', () => {
    const table = dcTable(undefined);
    expect(DC_IDS).toEqual(['us', 'eu', 'in', 'au', 'jp', 'cn', 'ca', 'sa']);
    expect(table('eu')).toEqual({
      accounts: 'https://accounts.zoho.eu',
      api: 'https://www.zohoapis.eu',
      content: 'https://content.zohoapis.eu',
    });
    expect(table('ca').accounts).toBe('https://accounts.zohocloud.ca');
    expect(table('au').api).toBe('https://www.zohoapis.com.au');
    expect(new Set(DC_IDS.map((id) => table(id).api)).size).toBe(8);
  });

  it('maps a sandbox origin to a path prefix per DC', () => {
    const table = dcTable('http://127.0.0.1:4100/dc/us/accounts');
    expect(table('jp')).toEqual({
      accounts: 'http://127.0.0.1:4100/dc/jp/accounts',
      api: 'http://127.0.0.1:4100/dc/jp/api',
      content: 'http://127.0.0.1:4100/dc/jp/content',
    });
    expect(dcOfAccounts('http://127.0.0.1:4100/dc/sa/accounts')).toBe('sa');
    expect(dcOfAccounts('https://accounts.zoho.in/')).toBe('in');
    expect(dcOfAccounts('http://127.0.0.1:4100/dc/xx/accounts')).toBeNull();
    // A sandbox origin alone: the default DC, where a multi-DC sign-in starts.
    expect(dcOfAccounts('http://127.0.0.1:4100')).toBe('us');
  });

  it('accepts every production host without the allowlist, and nothing else', () => {
    for (const id of DC_IDS) {
      const hosts = dcTable(undefined)(id);
      expect(
        resolveVendorHosts(zoho.declaration, { auth: hosts.accounts, api: hosts.api }, NO_OVERRIDES),
      ).toEqual({
        auth: hosts.accounts,
        api: hosts.api,
      });
    }
    expect(() =>
      resolveVendorHosts(zoho.declaration, { auth: 'https://accounts.zoho.evil.example' }, NO_OVERRIDES),
    ).toThrow(BadUserInputError);
  });
});

describe('the authorization callback', () => {
  const named = (query: Record<string, unknown>, flow: Record<string, string> = {}) =>
    callbackVendorUrls(zoho, flow, query);

  it("takes the DC from `location` and keeps that DC's accounts server and API domain", () => {
    expect(named({ location: 'eu', 'accounts-server': 'https://accounts.zoho.eu' })).toEqual({
      auth: 'https://accounts.zoho.eu',
      api: 'https://www.zohoapis.eu',
    });
  });

  it("refuses an accounts-server that is not the location's own (the code exchange sends our secret there)", () => {
    expect(() => named({ location: 'eu', 'accounts-server': 'https://accounts.zoho.com' })).toThrow(
      BadUserInputError,
    );
    expect(() => named({ location: 'eu', 'accounts-server': 'https://evil.example' })).toThrow(
      /not the accounts server/,
    );
    expect(() => named({ location: 'mars', 'accounts-server': 'https://accounts.zoho.eu' })).toThrow(
      /unknown data centre/,
    );
  });

  it('stays on the flow URLs when the callback names no DC', () => {
    expect(named({ code: 'c' })).toBeNull();
  });

  it('with a sandbox, the DC is the flow origin plus the DC prefix, and the guard still checks it', () => {
    const flow = { auth: 'http://127.0.0.1:4100/dc/us/accounts' };
    const urls = named({ location: 'eu', 'accounts-server': 'http://127.0.0.1:4100/dc/eu/accounts' }, flow)!;
    expect(urls).toEqual({
      auth: 'http://127.0.0.1:4100/dc/eu/accounts',
      api: 'http://127.0.0.1:4100/dc/eu/api',
    });
    const hosts = resolveVendorHosts(zoho.declaration, urls, SANDBOX);
    expect(checkedVendorUrls(urls, hosts)).toEqual(urls);
    // Another origin than the flow's is not the DC's, even on the allowlist.
    expect(() =>
      named({ location: 'eu', 'accounts-server': 'http://127.0.0.1:4200/dc/eu/accounts' }, flow),
    ).toThrow(BadUserInputError);
    // The DC named by the path must be the location's.
    expect(() =>
      named({ location: 'eu', 'accounts-server': 'http://127.0.0.1:4100/dc/us/accounts' }, flow),
    ).toThrow(BadUserInputError);
  });
});

describe('authorize, exchange and refresh at the DC', () => {
  it('authorizes at the accounts server with offline access, consent and comma-separated scopes', () => {
    const url = new URL(clientFor({}).authorizeUrl('st'));
    expect(url.origin + url.pathname).toBe('https://accounts.zoho.com/oauth/v2/auth');
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('scope')).toContain('ZohoCRM.modules.contacts.ALL,ZohoCRM.modules.deals.ALL');
  });

  it('exchanges the code at the EU accounts server and keeps the EU api_domain', async () => {
    let form: Record<string, string> = {};
    nock('https://accounts.zoho.eu')
      .post('/oauth/v2/token', (b: Record<string, string>) => {
        form = b;
        return true;
      })
      .reply(200, {
        access_token: '1000.a.b',
        refresh_token: '1000.r.s',
        api_domain: 'https://www.zohoapis.eu',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    const grant = await clientFor({
      auth: 'https://accounts.zoho.eu',
      api: 'https://www.zohoapis.eu',
    }).exchangeCode('c1');
    expect(form).toMatchObject({
      grant_type: 'authorization_code',
      code: 'c1',
      client_id: 'cid',
      client_secret: 's3cr3t',
    });
    expect(grant).toMatchObject({
      accessToken: '1000.a.b',
      refreshToken: '1000.r.s',
      apiBaseUrl: 'https://www.zohoapis.eu',
      expiresAt: NOW + 3_600_000,
    });
  });

  it("does not keep an api_domain of another DC: calls stay on the connection's own", async () => {
    nock('https://accounts.zoho.eu')
      .post('/oauth/v2/token')
      .reply(200, { access_token: 'a', api_domain: 'https://www.zohoapis.com', expires_in: 3600 });
    const grant = await clientFor({
      auth: 'https://accounts.zoho.eu',
      api: 'https://www.zohoapis.eu',
    }).refresh('r');
    expect(grant.apiBaseUrl).toBeUndefined();
  });

  it('refreshes at the sandbox DC of the connection, and reads the legacy expires_in_sec', async () => {
    nock('http://127.0.0.1:4100')
      .post('/dc/jp/accounts/oauth/v2/token', (b: Record<string, string>) => b.grant_type === 'refresh_token')
      .reply(200, {
        access_token: 'a2',
        api_domain: 'http://127.0.0.1:4100/dc/jp/api',
        expires_in_sec: 1800,
      });
    const urls = { auth: 'http://127.0.0.1:4100/dc/jp/accounts', api: 'http://127.0.0.1:4100/dc/jp/api' };
    const grant = await clientFor(urls, SANDBOX).refresh('r');
    expect(grant).toMatchObject({
      accessToken: 'a2',
      apiBaseUrl: 'http://127.0.0.1:4100/dc/jp/api',
      expiresAt: NOW + 1_800_000,
    });
  });

  it("reads Zoho's HTTP 200 `invalid_code` as a dead grant", async () => {
    nock('https://accounts.zoho.com').post('/oauth/v2/token').reply(200, { error: 'invalid_code' });
    await expect(clientFor({}).refresh('r')).rejects.toBeInstanceOf(InvalidGrantError);
  });

  it("revokes the refresh token at the connection's DC", () => {
    const call = zoho.revocation!.request(
      { authKind: 'oauth2_code', accessToken: 'a', refreshToken: '1000.r.s', expiresAt: null },
      { hosts: { auth: 'https://accounts.zoho.in', api: 'https://www.zohoapis.in' }, vendorUrls: {} },
    );
    expect(call).toEqual({
      method: 'POST',
      url: 'https://accounts.zoho.in/oauth/v2/token/revoke?token=1000.r.s',
    });
  });
});
