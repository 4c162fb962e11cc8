import crypto from 'node:crypto';
import { loadEnv } from '../../../src/config/env';
import { staticTokenCredentials } from '../../../src/connectors/tokens/credentials';
import { createAppContext, type AppContext } from '../../../src/runtime/context';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type GatewayServer, startGatewayServer } from '../../../src/server/http-server';
import { captureLogs } from '../../support/log-capture';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { ContactPageDocument } from '../generated/operations';
import { request } from '../support/gateway';

/**
 * A connection made while vendor URL overrides were allowed (a sandbox's, as `npm start` makes them),
 * served by a gateway whose operator has them off. The request is the API user's usual one; what
 * refuses it is the server's configuration. So: the operator hears it at start (the connection is
 * named) and at each use, and the client gets a generic UNAVAILABLE — not BAD_USER_INPUT, which would
 * tell them to fix a request they cannot fix.
 */
describe('a stored connection whose vendor URLs the server configuration now refuses', () => {
  const dbName = uniqueName('stored_urls');
  const keyRing = new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]);
  const logs = captureLogs('warn');
  let ctx: AppContext;
  let gateway: GatewayServer;
  let key: string;
  let connectionId: string;

  const context = (allowOverrides: boolean, logger = captureLogs('silent').logger) =>
    createAppContext({
      env: loadEnv({
        NODE_ENV: 'test',
        ALLOW_VENDOR_URL_OVERRIDES: String(allowOverrides),
        VENDOR_URL_ALLOWLIST: 'http://127.0.0.1:*',
      }),
      logger,
      keyRing,
      ...testStoreUrls(),
      dbName,
      redisPrefix: dbName,
      checkStoredConnections: true,
    });

  beforeAll(async () => {
    // Made under a configuration that allowed the sandbox's URL.
    const before = await context(true);
    const tenant = await before.store.tenants.create('stored-urls');
    key = (await before.store.apiKeys.create(tenant.id, 'k', 'read_write')).key;
    connectionId = (
      await before.store.connections.create({
        tenantId: tenant.id,
        crm: 'hubspot',
        displayName: 'HubSpot sandbox',
        credentials: staticTokenCredentials('pat-sandbox'),
        vendorUrls: { auth: 'http://127.0.0.1:4101', api: 'http://127.0.0.1:4101' },
      })
    ).id;
    await before.close();
    // The operator turns overrides off and restarts.
    ctx = await context(false, logs.logger);
    gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await gateway?.close();
    await ctx?.store.conn.dropDatabase().catch(() => undefined);
    await ctx?.close();
  });

  it('is listed for the operator at start, naming the connection and the setting', () => {
    const startup = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(startup).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          level: 40,
          connectionId,
          crm: 'hubspot',
          msg: expect.stringMatching(/ALLOW_VENDOR_URL_OVERRIDES=false/) as unknown,
        }),
      ]),
    );
  });

  it('answers its API user UNAVAILABLE with a generic message, and logs the reason at each use', async () => {
    logs.lines.length = 0;
    const res = await request(gateway.url, ContactPageDocument, { connectionId, first: 5 }, { key });
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error!.extensions).toEqual({ code: 'UNAVAILABLE', retryable: true });
    expect(error!.message).not.toMatch(/ALLOW_VENDOR_URL_OVERRIDES|127\.0\.0\.1|overrides/);
    expect(logs.text()).toContain(connectionId);
    expect(logs.text()).toMatch(/ALLOW_VENDOR_URL_OVERRIDES=false/);
  });

  it('is not reported when the configuration allows it', async () => {
    const allowed = captureLogs('warn');
    const again = await context(true, allowed.logger);
    await again.close();
    expect(allowed.text()).not.toContain(connectionId);
  });
});
