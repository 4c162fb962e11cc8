import { type TokenAccess } from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { callbackVendorUrls, checkedVendorUrls } from '../../../../src/connectors/oauth/callback-urls';
import { resolveVendorHosts, type VendorUrlPolicy } from '../../../../src/connectors/ssrf';
import { OAuth2Client } from '../../../../src/connectors/tokens/oauth2-client';
import { type TokenGrant } from '../../../../src/connectors/tokens/credentials';
import { vendorHooks } from '../../../../src/connectors/vendor-access';
import { zoho } from '../../../../src/connectors/zoho';
import { ZohoConnector } from '../../../../src/connectors/zoho/zoho.connector';
import { CRM } from '../../../../src/connectors/zoho/zoho.constants';
import { createLogger } from '../../../../src/logger';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { createZohoSandbox, DEMO, type ZohoServer } from '../../../../src/sandbox/zoho';

/**
 * The connector's data-centre handling against the Zoho sandbox over real sockets
 * (docs/vendors/zoho.md "Connector: OAuth and data centres"): an EU org and a US org side by side, each
 * connected through the authorize redirect that starts at the US accounts server, each exchanging and
 * refreshing at its own DC and calling only its own API domain, where its token works and the other's
 * does not.
 */

const APP = { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, redirectUri: DEMO.redirectUri };
const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };

interface Connected {
  vendorUrls: Record<string, string>;
  grant: TokenGrant;
  client: OAuth2Client;
}

function oauthClient(vendorUrls: Record<string, string>): OAuth2Client {
  const hosts = resolveVendorHosts(zoho.declaration, vendorUrls, POLICY);
  return new OAuth2Client({ definition: zoho, hosts, vendorUrls, app: APP, policy: POLICY });
}

/** A connector on `vendorUrls` sending `accessToken`, with no refresh (a refusal stays a refusal). */
function connectorOn(
  vendorUrls: Record<string, string>,
  grant: Pick<TokenGrant, 'accessToken' | 'apiBaseUrl'>,
) {
  const hosts = resolveVendorHosts(zoho.declaration, vendorUrls, POLICY);
  const tokens: TokenAccess = {
    get: async () => ({
      value: grant.accessToken,
      expiresAt: null,
      authKind: 'oauth2_code',
      ...(grant.apiBaseUrl ? { apiBaseUrl: grant.apiBaseUrl } : {}),
    }),
    // Only a 401 asks for a refresh: the test's marker that the API domain refused the token.
    refreshAfterRejection: async () => {
      throw new Error('token refused (401)');
    },
  };
  const http = new VendorHttpClient({
    crm: zoho.declaration.kind,
    baseUrl: hosts.api ?? undefined,
    hooks: vendorHooks(zoho),
    tokens,
    priority: 'interactive',
    retry: { maxAttempts: 1 },
  });
  return new ZohoConnector({
    connection: {
      id: `dc-${Math.random()}`,
      tenantId: 't',
      crm: CRM,
      externalAccountId: null,
      vendorUrls,
      settings: {},
    },
    http,
    tokens,
    logger: createLogger({ level: 'silent' }),
  });
}

describe('zoho connector: data centres over the sandbox', () => {
  let server: ZohoServer;
  let live: ListeningSandbox;
  const connected: Record<'eu' | 'us', Connected> = {} as never;

  /** Signs `org` in starting at the US accounts server, as a multi-DC app does, and connects it. */
  async function connect(org: string): Promise<Connected> {
    const flowUrls = { auth: `${live.baseUrl}/dc/us/accounts` };
    const authorize = new URL(oauthClient(flowUrls).authorizeUrl('st-1'));
    authorize.searchParams.set('sandbox_org', org);
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const query = Object.fromEntries(new URL(res.headers.get('location')!).searchParams);
    const named = callbackVendorUrls(zoho, flowUrls, query)!;
    const hosts = resolveVendorHosts(zoho.declaration, named, POLICY);
    const vendorUrls = checkedVendorUrls(named, hosts);
    const client = oauthClient(vendorUrls);
    return { vendorUrls, client, grant: await client.exchangeCode(query.code!) };
  }

  beforeAll(async () => {
    server = createZohoSandbox({
      orgs: [
        { id: 'acme-eu', seed: 3, counts: { Contacts: 3, Deals: 2 }, settings: { dc: 'eu' } },
        { id: 'acme-us', seed: 4, counts: { Contacts: 3, Deals: 2 }, settings: { dc: 'us' } },
      ],
    });
    live = await server.listen();
    connected.eu = await connect('acme-eu');
    connected.us = await connect('acme-us');
  });
  afterAll(async () => {
    await live.close();
  });

  it("learns each account's DC from the callback and keeps that DC's accounts server and API domain", () => {
    expect(connected.eu.vendorUrls).toEqual({
      auth: `${live.baseUrl}/dc/eu/accounts`,
      api: `${live.baseUrl}/dc/eu/api`,
    });
    expect(connected.us.vendorUrls).toEqual({
      auth: `${live.baseUrl}/dc/us/accounts`,
      api: `${live.baseUrl}/dc/us/api`,
    });
    // The api_domain of each token response is its own DC's, so it is kept.
    expect(connected.eu.grant.apiBaseUrl).toBe(`${live.baseUrl}/dc/eu/api`);
    expect(connected.us.grant.apiBaseUrl).toBe(`${live.baseUrl}/dc/us/api`);
    expect(connected.eu.grant.refreshToken).toBeDefined();
  });

  it('uses both connections side by side, each on its own DC, and identifies two orgs', async () => {
    const [eu, us] = await Promise.all([
      connectorOn(connected.eu.vendorUrls, connected.eu.grant).identify('oauth2_code'),
      connectorOn(connected.us.vendorUrls, connected.us.grant).identify('oauth2_code'),
    ]);
    expect(eu.accountId).toBe(server.org('acme-eu').state.orgId);
    expect(us.accountId).toBe(server.org('acme-us').state.orgId);
    expect(eu.accountId).not.toBe(us.accountId);
  });

  it("refuses an EU token on the US API domain (Zoho's INVALID_TOKEN), so no DC may be assumed", async () => {
    const wrong = connectorOn(connected.us.vendorUrls, { accessToken: connected.eu.grant.accessToken });
    await expect(wrong.identify('oauth2_code')).rejects.toThrow('token refused (401)');
  });

  it("refreshes at the connection's own accounts server, and the new token works there", async () => {
    const fresh = await connected.eu.client.refresh(connected.eu.grant.refreshToken!);
    expect(fresh.apiBaseUrl).toBe(`${live.baseUrl}/dc/eu/api`);
    const identity = await connectorOn(connected.eu.vendorUrls, fresh).identify('oauth2_code');
    expect(identity.accountId).toBe(server.org('acme-eu').state.orgId);
  });

  it('refuses a callback whose accounts-server is not its location’s, before any code exchange', async () => {
    const flowUrls = { auth: `${live.baseUrl}/dc/us/accounts` };
    const authorize = new URL(oauthClient(flowUrls).authorizeUrl('st-2'));
    authorize.searchParams.set('sandbox_org', 'acme-eu');
    const res = await fetch(authorize, { redirect: 'manual' });
    const query = Object.fromEntries(new URL(res.headers.get('location')!).searchParams);
    expect(query.location).toBe('eu');
    const tampered = { ...query, 'accounts-server': `${live.baseUrl}/dc/us/accounts` };
    expect(() => callbackVendorUrls(zoho, flowUrls, tampered)).toThrow(
      /not the accounts server of data centre eu/,
    );
  });
});
