import crypto from 'node:crypto';
import type http from 'node:http';
import { type AddressInfo } from 'node:net';
import express from 'express';
import Redis from 'ioredis';
import { OAuthStateStore } from '../../../src/connectors/oauth/oauth-state';
import { createOAuthRouter } from '../../../src/connectors/oauth/oauth.routes';
import { TokenService } from '../../../src/connectors/tokens/token.service';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { TokenEndpoint } from '../tokens/token-endpoint';
import { testStoreUrls, uniqueName } from '../../support/stores';

let store: Store;
let redis: Redis;
let vendor: TokenEndpoint;
const REFRESH_TOKEN = 'refresh-token-never-stored-in-clear';
let vendorUrl: string;
let server: http.Server;
let gateway: string;
let tenantId: string;
let otherTenantId: string;
const connected: string[] = [];
const revokedKeys = new Set<string>();

beforeAll(async () => {
  store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('oauth'),
    keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
  });
  redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  tenantId = (await store.tenants.create('acme')).id;
  otherTenantId = (await store.tenants.create('other')).id;
  vendor = new TokenEndpoint();
  vendor.hubId = 62515;
  // Long enough that random ciphertext (base64) cannot contain it by chance, unlike the default 'r0'.
  vendor.validRefreshToken = REFRESH_TOKEN;
  vendorUrl = await vendor.start();
  const prefix = uniqueName('oauth');
  const policy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
  const app = express();
  app.use(
    createOAuthRouter({
      states: new OAuthStateStore({ redis, prefix, secret: crypto.randomBytes(32), ttlMs: 2000 }),
      connections: store.connections,
      tokens: new TokenService({
        store: store.connections,
        redis,
        prefix,
        events: { publishConnectionEvent: async () => undefined },
        refresherFor: () => async () => {
          throw new Error('not used');
        },
      }),
      apps: (crm) =>
        crm === 'hubspot'
          ? { clientId: 'cid', clientSecret: 'cs', redirectUri: 'http://127.0.0.1/cb' }
          : undefined,
      policy,
      defaultVendorUrls: (crm) => defaultVendorUrls[crm],
      // Stand-in for the API-key check the gateway wires: the headers name the tenant and the scope,
      // and the key is the pair, live until a test marks it revoked.
      authenticate: async (req) => {
        const t = req.header('x-test-tenant');
        if (!t) return null;
        const scope = req.header('x-test-scope') === 'read' ? 'read' : 'read_write';
        const keyId = `${t}:${scope}`;
        if (revokedKeys.has(keyId)) return null;
        return { keyId, tenantId: t, scope };
      },
      currentKey: async (keyId) => {
        if (revokedKeys.has(keyId)) return null;
        const [t, scope] = keyId.split(':');
        return { tenantId: t!, scope: scope === 'read' ? 'read' : 'read_write' };
      },
      onConnected: async (c, change) => {
        connected.push(`${change}:${c.id}`);
      },
    }),
  );
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await vendor.stop();
  await store.conn.dropDatabase();
  await store.close();
  await redis.quit();
});

async function start(query = '', tenant = tenantId): Promise<{ location: URL; state: string }> {
  const res = await fetch(`${gateway}/oauth/hubspot/start?apiUrl=${encodeURIComponent(vendorUrl)}${query}`, {
    headers: { 'x-test-tenant': tenant },
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  return { location, state: location.searchParams.get('state')! };
}

const callback = (params: Record<string, string>, crm = 'hubspot') =>
  fetch(`${gateway}/oauth/${crm}/callback?${new URLSearchParams(params)}`);

/** `CRM_DEFAULT_VENDOR_URLS` of the router under test; empty unless a test sets it. */
let defaultVendorUrls: Record<string, Record<string, string>> = {};
afterEach(() => {
  defaultVendorUrls = {};
});

describe('OAuth connect', () => {
  it('redirects to the vendor authorize URL with a signed state', async () => {
    const { location, state } = await start();
    expect(location.origin + location.pathname).toBe('https://app.hubspot.com/oauth/authorize');
    expect(location.searchParams.get('client_id')).toBe('cid');
    expect(location.searchParams.get('redirect_uri')).toBe('http://127.0.0.1/cb');
    expect(location.searchParams.get('scope')).toContain('crm.objects.contacts.read');
    expect(state).toMatch(/^[\w-]{32}\.[\w-]{43}$/);
  });

  it('exchanges the code, stores encrypted tokens and creates the connection once', async () => {
    const { state } = await start('&displayName=Sales%20portal');
    const res = await callback({ code: 'good-code', state });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { connectionId: string; change: string };
    expect(body.change).toBe('CREATED');
    const view = await store.connections.getForTenant(tenantId, body.connectionId);
    expect(view).toMatchObject({
      crm: 'hubspot',
      displayName: 'Sales portal',
      status: 'ACTIVE',
      externalAccountId: '62515',
      // No token response names the app: the access-token metadata does.
      settings: { appId: '54321' },
    });
    expect(view.vendorUrls).toEqual({ api: vendorUrl });
    const creds = await store.connections.getCredentials(body.connectionId);
    expect(creds).toMatchObject({ authKind: 'oauth2_code', refreshToken: REFRESH_TOKEN });
    const raw = await store.conn.collection('connections').findOne({});
    expect(JSON.stringify(raw)).not.toContain(REFRESH_TOKEN);
    expect(connected).toContain(`CREATED:${body.connectionId}`);

    const replay = await callback({ code: 'good-code', state });
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { message: string } }).error.message).toMatch(
      /expired or was already used/,
    );
  });

  it('re-authorizes an existing connection of the same tenant', async () => {
    const created = await store.connections.create({
      tenantId,
      crm: 'hubspot',
      displayName: 'old',
      credentials: {
        authKind: 'oauth2_code',
        accessToken: 'x',
        refreshToken: 'dead',
        expiresAt: 1,
        extra: 'kept',
      },
      externalAccountId: '62515',
    });
    await store.connections.setStatus(created.id, 'NEEDS_REAUTH', 'revoked');
    const { state } = await start(`&connectionId=${created.id}`);
    const res = await callback({ code: 'good-code', state });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      connectionId: created.id,
      change: 'REAUTHORIZED',
      status: 'ACTIVE',
    });
    expect((await store.connections.getById(created.id)).status).toBe('ACTIVE');
    expect(await store.connections.getCredentials(created.id)).toMatchObject({
      refreshToken: REFRESH_TOKEN,
      extra: 'kept',
    });
    expect((await store.connections.getById(created.id)).settings).toEqual({ appId: '54321' });
  });

  it("reconnects a NEEDS_REAUTH connection at its stored vendor URLs (a sandbox's authorize page), with no URL parameters", async () => {
    const created = await store.connections.create({
      tenantId,
      crm: 'hubspot',
      displayName: 'sandbox',
      credentials: { authKind: 'oauth2_code', accessToken: 'x', refreshToken: 'dead', expiresAt: 1 },
      externalAccountId: '62515',
      vendorUrls: { auth: vendorUrl, api: vendorUrl },
    });
    await store.connections.setStatus(created.id, 'NEEDS_REAUTH', 'revoked');
    const res = await fetch(`${gateway}/oauth/hubspot/start?connectionId=${created.id}`, {
      headers: { 'x-test-tenant': tenantId },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(new URL(vendorUrl).origin);
    const done = await callback({ code: 'good-code', state: location.searchParams.get('state')! });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ connectionId: created.id, change: 'REAUTHORIZED' });
    expect((await store.connections.getById(created.id)).status).toBe('ACTIVE');
  });

  it("starts a new connection at CRM_DEFAULT_VENDOR_URLS when it names none (the demo's sandbox), and stores them", async () => {
    defaultVendorUrls = { hubspot: { auth: vendorUrl, api: vendorUrl } };
    const res = await fetch(`${gateway}/oauth/hubspot/start?displayName=by-default`, {
      headers: { 'x-test-tenant': tenantId },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin).toBe(new URL(vendorUrl).origin);
    const done = await callback({ code: 'good-code', state: location.searchParams.get('state')! });
    expect(done.status).toBe(200);
    const { connectionId } = (await done.json()) as { connectionId: string };
    expect((await store.connections.getById(connectionId)).vendorUrls).toEqual({
      auth: vendorUrl,
      api: vendorUrl,
    });

    // Named URLs win over the defaults.
    const named = await fetch(
      `${gateway}/oauth/hubspot/start?authUrl=${encodeURIComponent('http://127.0.0.1:9')}`,
      { headers: { 'x-test-tenant': tenantId }, redirect: 'manual' },
    );
    expect(new URL(named.headers.get('location')!).origin).toBe('http://127.0.0.1:9');
  });

  it("refuses defaults the SSRF policy refuses as the operator's error (UNAVAILABLE), not the caller's", async () => {
    defaultVendorUrls = { hubspot: { auth: 'http://169.254.169.254' } };
    const res = await fetch(`${gateway}/oauth/hubspot/start?format=json`, {
      headers: { 'x-test-tenant': tenantId },
    });
    expect(res.status).toBe(503);
    expect(JSON.stringify(await res.json())).not.toContain('169.254');
  });

  describe('when the token response does not name the portal (hub_id is sent only since 2025-08)', () => {
    beforeEach(() => {
      vendor.hubId = undefined;
    });
    afterEach(() => {
      vendor.hubId = 62515;
      vendor.tokenMetadata = { hub_id: 62515, app_id: 54321 };
    });

    it('learns portal and app from the access-token metadata and stores them', async () => {
      vendor.tokenMetadata = { hub_id: 777, app_id: 888 };
      const before = vendor.metadataLookups.length;
      const { state } = await start();
      const res = await callback({ code: 'good-code', state });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { connectionId: string };
      const view = await store.connections.getForTenant(tenantId, body.connectionId);
      expect(view).toMatchObject({ externalAccountId: '777', settings: { appId: '888' } });
      // Asked once, for the token just issued.
      const asked = vendor.metadataLookups.slice(before);
      expect(asked).toEqual([(await store.connections.getCredentials(body.connectionId)).accessToken]);
    });

    it('fills in the portal of a re-authorized connection that had none', async () => {
      const created = await store.connections.create({
        tenantId,
        crm: 'hubspot',
        displayName: 'no portal yet',
        credentials: { authKind: 'oauth2_code', accessToken: 'x', refreshToken: 'dead', expiresAt: 1 },
        settings: { keep: 'me' },
      });
      const { state } = await start(`&connectionId=${created.id}`);
      const res = await callback({ code: 'good-code', state });
      expect(res.status).toBe(200);
      const view = await store.connections.getById(created.id);
      expect(view).toMatchObject({
        externalAccountId: '62515',
        settings: { keep: 'me', appId: '54321' },
        status: 'ACTIVE',
      });
    });

    it("refuses to re-authorize a connection with another portal's token", async () => {
      const created = await store.connections.create({
        tenantId,
        crm: 'hubspot',
        displayName: 'portal 62515',
        credentials: { authKind: 'oauth2_code', accessToken: 'x', refreshToken: 'dead', expiresAt: 1 },
        externalAccountId: '62515',
      });
      vendor.tokenMetadata = { hub_id: 99999, app_id: 54321 };
      const { state } = await start(`&connectionId=${created.id}`);
      const res = await callback({ code: 'good-code', state });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(
        'this connection belongs to HubSpot account 62515, but account 99999 was authorized',
      );
      expect(await store.connections.getCredentials(created.id)).toMatchObject({ accessToken: 'x' });
    });

    it('still connects when the metadata cannot be had, with the portal unknown', async () => {
      vendor.tokenMetadata = null;
      const { state } = await start();
      const res = await callback({ code: 'good-code', state });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { connectionId: string };
      const view = await store.connections.getForTenant(tenantId, body.connectionId);
      expect(view).toMatchObject({ externalAccountId: null, settings: {} });
    });
  });

  it("refuses to re-authorize another tenant's connection", async () => {
    const other = await store.connections.create({
      tenantId: otherTenantId,
      crm: 'hubspot',
      displayName: 'theirs',
      credentials: { authKind: 'static_token', accessToken: 'x' },
    });
    const res = await fetch(`${gateway}/oauth/hubspot/start?connectionId=${other.id}`, {
      headers: { 'x-test-tenant': tenantId },
      redirect: 'manual',
    });
    expect(res.status).toBe(404);
  });

  it('refuses tampered, foreign-CRM, expired and missing states', async () => {
    const { state } = await start();
    const tampered = `${state.slice(0, 10)}${state[10] === 'A' ? 'B' : 'A'}${state.slice(11)}`;
    expect((await callback({ code: 'good-code', state: tampered })).status).toBe(400);
    expect((await callback({ code: 'good-code', state }, 'salesforce')).status).toBe(404); // no app configured
    expect((await callback({ code: 'good-code' })).status).toBe(400);
    const { state: late } = await start();
    await new Promise((r) => setTimeout(r, 2100));
    const res = await callback({ code: 'good-code', state: late });
    expect(res.status).toBe(400);
  });

  it('reports a denial and a refused code as BAD_USER_INPUT', async () => {
    const { state } = await start();
    const denied = await callback({
      error: 'access_denied',
      error_description: 'end-user denied authorization',
      state,
    });
    expect(denied.status).toBe(400);
    expect(((await denied.json()) as { error: { message: string } }).error.message).toMatch(/access_denied/);
    // The denial consumed the state.
    expect((await callback({ code: 'good-code', state })).status).toBe(400);
    const { state: s2 } = await start();
    const bad = await callback({ code: 'stolen', state: s2 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_USER_INPUT');
  });

  it('refuses a read key at start (FORBIDDEN, 403): connecting changes state, like a mutation', async () => {
    const res = await fetch(`${gateway}/oauth/hubspot/start?apiUrl=${encodeURIComponent(vendorUrl)}`, {
      headers: { 'x-test-tenant': tenantId, 'x-test-scope': 'read' },
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: {
        code: 'FORBIDDEN',
        message:
          "starting to connect a CRM changes state and needs a read_write key; this key's scope is read",
      },
    });
  });

  it('refuses a callback whose starting key was revoked since: nothing is created', async () => {
    const tenant = (await store.tenants.create('revoked-midway')).id;
    const { state } = await start('', tenant);
    revokedKeys.add(`${tenant}:read_write`);
    const res = await callback({ code: 'good-code', state });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect(await store.connections.listForTenant(tenant)).toEqual([]);
  });

  it('requires an API key to start and refuses vendor URL overrides outside the allowlist', async () => {
    expect((await fetch(`${gateway}/oauth/hubspot/start`, { redirect: 'manual' })).status).toBe(401);
    const res = await fetch(
      `${gateway}/oauth/hubspot/start?apiUrl=${encodeURIComponent('http://169.254.169.254')}`,
      {
        headers: { 'x-test-tenant': tenantId },
        redirect: 'manual',
      },
    );
    expect(res.status).toBe(400);
    expect(
      (await fetch(`${gateway}/oauth/nosuchcrm/start`, { headers: { 'x-test-tenant': tenantId } })).status,
    ).toBe(404);
  });
});
