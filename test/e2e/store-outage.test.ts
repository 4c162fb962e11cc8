import crypto from 'node:crypto';
import { loadEnv } from '../../src/config/env';
import { createAppContext, type AppContext } from '../../src/runtime/context';
import { startThrowawayStores, type Stores } from '../../src/runtime/services';
import { KeyRing } from '../../src/security/credentials-cipher';
import { type GatewayServer, startGatewayServer } from '../../src/server/http-server';
import { captureLogs } from '../support/log-capture';
import { testStoreUrls, uniqueName } from '../support/stores';
import { ConnectionsDocument } from './generated/operations';
import { request, wsClient } from './support/gateway';

/**
 * MongoDB going away under a running gateway (a killed FerretDB): clients get a retryable UNAVAILABLE
 * within the store timeout — not a 500 — /readyz says 503, and once the store is back the same request
 * works again, with no restart of the gateway. The FerretDB is this file's own: the shared test store
 * stays up for every other file.
 */
describe('a MongoDB outage under a running gateway', () => {
  const logs = captureLogs('warn');
  let stores: Stores;
  let ctx: AppContext;
  let gateway: GatewayServer;
  let key: string;
  let unseenKey: string;

  beforeAll(async () => {
    stores = await startThrowawayStores('outage', { redisUrl: testStoreUrls().redisUrl });
    ctx = await createAppContext({
      env: loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'warn', STORE_TIMEOUT_MS: '1000' }),
      logger: logs.logger,
      keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
      mongodbUri: stores.mongodbUri,
      redisUrl: stores.redisUrl,
      dbName: uniqueName('outage'),
      redisPrefix: uniqueName('cgwtest'),
    });
    gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port: 0 });
    const tenant = await ctx.store.tenants.create('outage');
    key = (await ctx.store.apiKeys.create(tenant.id, 'outage key', 'read_write')).key;
    // Never used before the outage, so no gateway has it cached: its check needs the store.
    unseenKey = (await ctx.store.apiKeys.create(tenant.id, 'unseen key', 'read_write')).key;
    // Until the change broadcast is subscribed, a cached key is trusted only for the outage bound (1 s),
    // and subscribing drops every entry: the cached-key half of the test needs the broadcast live first.
    for (const deadline = Date.now() + 10_000; !ctx.store.changes?.live && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(ctx.store.changes?.live).toBe(true);
  });
  afterAll(async () => {
    await gateway?.close();
    await ctx?.close();
    await stores?.stop();
  });

  const connections = (k = key) => request(gateway.url, ConnectionsDocument, undefined, { key: k });
  const readyz = async () => {
    const res = await fetch(`${gateway.url}/readyz`);
    return { status: res.status, body: (await res.json()) as { checks: { name: string; ok: boolean }[] } };
  };

  it('answers UNAVAILABLE and 503 while it is down, and serves again once it is back', async () => {
    expect((await connections()).body).toEqual({ data: { connections: [] } });

    const mongo = stores.started.find((s) => s.name === 'mongodb')!;
    process.kill(mongo.pid!, 'SIGKILL');
    for (const deadline = Date.now() + 10_000; mongo.running && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(mongo.running).toBe(false);

    // A key the gateway has cached passes; the field that needs the store fails with UNAVAILABLE, an
    // error met while executing (HTTP 200, GraphQL-over-HTTP).
    const down = await connections();
    expect(down.status).toBe(200);
    expect(down.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'UNAVAILABLE', retryable: true } }),
    ]);
    expect(down.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|MongoServer|selection/);
    // A key that must be looked up cannot be checked: refused before execution, 503.
    const unchecked = await connections(unseenKey);
    expect(unchecked.status).toBe(503);
    expect(unchecked.body.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'UNAVAILABLE', retryable: true } }),
    ]);
    expect(unchecked.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|MongoServer|selection/);
    expect(logs.text()).toMatch(/a store is unreachable/);
    // The same on a WebSocket: not 4401 (a bad key) but 1013, reconnect later.
    const closed = await new Promise<number>((resolve) => {
      const client = wsClient(gateway.url, `Bearer ${unseenKey}`, (code) => resolve(code));
      setTimeout(() => void client.dispose(), 10_000);
    });
    expect(closed).toBe(1013);

    const notReady = await readyz();
    expect(notReady.status).toBe(503);
    expect(notReady.body.checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'mongodb', ok: false })]),
    );

    // Back on the same address, with the same data: the gateway's driver reconnects by itself.
    await mongo.restart();
    let again = await connections();
    for (const deadline = Date.now() + 30_000; again.body.errors && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 200));
      again = await connections();
    }
    expect(again.body).toEqual({ data: { connections: [] } });
    expect((await readyz()).status).toBe(200);
  });
});
