import nock from '../../../support/nock';
import { type CrmDeclaration } from '../../../../src/config/crms';
import { type CrmDefinition, type OAuthConnection } from '../../../../src/connectors/definition';
import { callbackVendorUrls, checkedVendorUrls } from '../../../../src/connectors/oauth/callback-urls';
import { CRM_DEFINITIONS } from '../../../../src/connectors/registry';
import { NO_OVERRIDES, resolveVendorHosts } from '../../../../src/connectors/ssrf';
import { OAuth2Client } from '../../../../src/connectors/tokens/oauth2-client';
import { BadUserInputError } from '../../../../src/errors';

/**
 * The OAuth builders of a definition (`OAuthBuilders`), on a stub CRM no connector implements: one whose
 * scope names the connection's own resource host, and whose accounts server depends on the data centre
 * the user signed in at (named on the callback, stored with the connection, used by every refresh).
 */
const APP = {
  clientId: 'cid',
  clientSecret: 's3cr3t',
  redirectUri: 'https://gw.example/oauth/stub/callback',
};
const NOW = 1_800_000_000_000;

const declaration: CrmDeclaration = {
  ...CRM_DEFINITIONS.hubspot.declaration,
  kind: 'stub',
  displayName: 'Stub CRM',
  hosts: { auth: 'https://accounts.vendor.example', api: null },
  tokenApiHost: { field: 'api_domain', hostPattern: /^[a-z0-9-]+(\.[a-z]{2})?\.vendor\.example$/ },
  oauth: {
    authorizePath: '/oauth/v2/auth',
    tokenPath: '/oauth/v2/token',
    tokenHost: 'auth',
    scopes: ['static.scope'],
    scopeSeparator: ',',
    clientAuth: 'body',
    tokenExpiry: 'expires_in',
  },
};

/** The resource host a per-organisation scope names: the connection's API host. */
const resourceScope = (c: OAuthConnection): string =>
  `${new URL(c.hosts.api ?? c.hosts.auth).origin}/.default`;

const stub: CrmDefinition = {
  ...CRM_DEFINITIONS.hubspot,
  declaration,
  oauth: {
    scopes: (c) => [resourceScope(c), 'offline_access'],
    authorizeUrl: (c) => new URL('/common/oauth2/authorize', c.hosts.auth).toString(),
    tokenUrl: (c) => new URL('/common/oauth2/token', c.vendorUrls.auth ?? c.hosts.auth).toString(),
    tokenParams: (grant, c): Record<string, string> =>
      grant === 'refresh_token' ? { scope: resourceScope(c), grant_type: 'forged' } : {},
    callbackVendorUrls: (q): Record<string, string> =>
      typeof q['accounts-server'] === 'string' ? { auth: q['accounts-server'] } : {},
  },
};

const client = (hosts: { auth: string; api: string | null }, vendorUrls: Record<string, string> = {}) =>
  new OAuth2Client({ definition: stub, hosts, vendorUrls, app: APP, policy: NO_OVERRIDES, now: () => NOW });

describe('OAuth builders of a definition', () => {
  const org = { auth: 'https://accounts.vendor.example', api: 'https://org1.vendor.example' };

  it('builds the authorize URL and the per-organisation scope from the connection', () => {
    const url = new URL(client(org).authorizeUrl('st'));
    expect(url.origin + url.pathname).toBe('https://accounts.vendor.example/common/oauth2/authorize');
    expect(url.searchParams.get('scope')).toBe('https://org1.vendor.example/.default,offline_access');
    expect(url.searchParams.get('state')).toBe('st');
  });

  it("refreshes at the connection's data-centre token URL, with the vendor's extra parameters", async () => {
    const eu = { auth: 'https://accounts.eu.vendor.example', api: 'https://org1.vendor.example' };
    nock('https://accounts.eu.vendor.example')
      .post(
        '/common/oauth2/token',
        (b: Record<string, string>) =>
          // The grant's own parameters win over a builder's.
          b.grant_type === 'refresh_token' &&
          b.refresh_token === 'r1' &&
          b.scope === 'https://org1.vendor.example/.default',
      )
      .reply(200, { access_token: 'a2', expires_in: 3600, api_domain: 'https://www.eu.vendor.example' });
    await expect(client(eu, { auth: eu.auth }).refresh('r1')).resolves.toEqual({
      accessToken: 'a2',
      refreshToken: undefined,
      expiresAt: NOW + 3_600_000,
      apiBaseUrl: 'https://www.eu.vendor.example',
      externalAccountId: undefined,
    });
  });

  it('sends no extra parameters on grants the builder adds none to', async () => {
    nock('https://accounts.vendor.example')
      .post(
        '/common/oauth2/token',
        (b: Record<string, string>) => b.grant_type === 'authorization_code' && !b.scope,
      )
      .reply(200, { access_token: 'a1' });
    await expect(client(org).exchangeCode('c0de')).resolves.toMatchObject({ accessToken: 'a1' });
  });

  it('falls back on the declaration without builders', () => {
    const plain = new OAuth2Client({
      definition: { ...stub, oauth: undefined },
      hosts: org,
      app: APP,
      policy: NO_OVERRIDES,
    });
    const url = new URL(plain.authorizeUrl('st'));
    expect(url.origin + url.pathname).toBe('https://accounts.vendor.example/oauth/v2/auth');
    expect(url.searchParams.get('scope')).toBe('static.scope');
    expect(plain.tokenUrl).toBe('https://accounts.vendor.example/oauth/v2/token');
  });
});

describe('vendor URLs named on the authorization callback', () => {
  it('are none when the definition has no builder or the callback names none', () => {
    expect(
      callbackVendorUrls(CRM_DEFINITIONS.hubspot, { api: 'https://x' }, { 'accounts-server': 'y' }),
    ).toBeNull();
    expect(callbackVendorUrls(stub, {}, { code: 'c' })).toBeNull();
  });

  it("join the flow's URLs and are stored as the SSRF guard resolved them", () => {
    const named = callbackVendorUrls(
      stub,
      { api: 'https://org1.vendor.example' },
      {
        'accounts-server': 'https://accounts.eu.vendor.example',
      },
    );
    expect(named).toEqual({ api: 'https://org1.vendor.example', auth: 'https://accounts.eu.vendor.example' });
    const hosts = resolveVendorHosts(declaration, named!, NO_OVERRIDES);
    expect(checkedVendorUrls(named!, hosts)).toEqual({
      auth: 'https://accounts.eu.vendor.example',
      api: 'https://org1.vendor.example',
    });
  });

  it('are refused off the vendor domains: the callback query is only the browser’s say-so', () => {
    const named = callbackVendorUrls(stub, {}, { 'accounts-server': 'https://evil.example' });
    expect(() => resolveVendorHosts(declaration, named!, NO_OVERRIDES)).toThrow(BadUserInputError);
  });
});
