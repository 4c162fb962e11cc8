import crypto from 'node:crypto';
import Redis from 'ioredis';
import { crmDefinition } from '../../../src/connectors/registry';
import { OAuth2Client, oauthRefresher } from '../../../src/connectors/tokens/oauth2-client';
import { TokenService } from '../../../src/connectors/tokens/token.service';
import { createLogger } from '../../../src/logger';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { countStoreCommands } from '../../../src/store/command-count';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { TokenEndpoint } from './token-endpoint';

/**
 * The token service over the per-process credentials cache: a "worker" and a "gateway", each with its
 * own store, caches and change subscriber, on one database and Redis prefix, against a token endpoint
 * that rotates refresh tokens (a refresh with an old one is refused, as vendors do).
 */
describe('TokenService over cached credentials (two processes)', () => {
  const dbName = uniqueName('tokcache');
  const prefix = uniqueName('tokcache');
  const keyRing = new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]);
  const logger = createLogger({ level: 'silent' });
  const endpoint = new TokenEndpoint();
  let base: string;
  let redis: Redis;
  let worker: { store: Store; tokens: TokenService };
  let gateway: { store: Store; tokens: TokenService };
  let tenantId: string;
  const clients: Redis[] = [];

  async function processOf(): Promise<{ store: Store; tokens: TokenService }> {
    const store = await openStore({
      uri: testStoreUrls().mongodbUri,
      dbName,
      keyRing,
      changes: { redis, redisPrefix: prefix, logger },
    });
    const client = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
    clients.push(client);
    const tokens = new TokenService({
      store: store.connections,
      redis: client,
      prefix,
      events: { publishConnectionEvent: async () => undefined },
      refresherFor: (crm) =>
        oauthRefresher(
          new OAuth2Client({
            definition: crmDefinition(crm),
            hosts: { auth: base, api: base },
            app: { clientId: 'cid', clientSecret: 'secret', redirectUri: 'http://127.0.0.1/cb' },
            policy: { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] },
          }),
        ),
    });
    return { store, tokens };
  }

  beforeAll(async () => {
    base = await endpoint.start();
    redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
    worker = await processOf();
    gateway = await processOf();
    await within(5000, async () =>
      expect(worker.store.changes!.live && gateway.store.changes!.live).toBe(true),
    );
    tenantId = (await worker.store.tenants.create('acme')).id;
  });
  afterAll(async () => {
    await worker.store.conn.dropDatabase().catch(() => undefined);
    for (const p of [worker, gateway]) await p.store.close();
    for (const client of clients) client.disconnect();
    redis.disconnect();
    await endpoint.stop();
  });

  async function connection(expiresAt: number | null): Promise<string> {
    endpoint.validRefreshToken = 'r0';
    endpoint.grants = [];
    const created = await worker.store.connections.create({
      tenantId,
      crm: 'salesforce',
      displayName: 'cached tokens',
      credentials: { authKind: 'oauth2_code', accessToken: 'a0', refreshToken: 'r0', expiresAt },
    });
    return created.id;
  }

  it("uses a token the worker refreshed without a store read, and the worker's own cache holds it at once", async () => {
    const id = await connection(Date.now() + 60_000);
    endpoint.expiresIn = 1800;
    expect((await gateway.tokens.getAccessToken(id)).value).not.toBe('a0'); // expiring: refreshed here
    const first = (await gateway.tokens.getAccessToken(id)).value;
    // The worker's repeatable job refreshes it again (as if it were about to expire).
    expect(await worker.tokens.refreshIfExpiring(id, 3_600_000)).toBe(true);
    const refreshed = (await worker.store.connections.getCredentials(id)).accessToken;
    expect(refreshed).not.toBe(first);
    await within(1000, async () => {
      const { result, commands } = await countStoreCommands(() => gateway.tokens.getAccessToken(id));
      expect(result.value).toBe(refreshed);
      expect(commands).toBe(0);
    });
  });

  it('refreshes once across both processes after a 401 and never loses the rotated refresh token', async () => {
    const id = await connection(null);
    endpoint.expiresIn = null;
    endpoint.delayMs = 200;
    try {
      // Both processes hold a0 in memory, as a warm gateway and worker would.
      expect((await gateway.tokens.getAccessToken(id)).value).toBe('a0');
      expect((await worker.tokens.getAccessToken(id)).value).toBe('a0');
      const results = await Promise.all([
        gateway.tokens.forConnection(id).refreshAfterRejection('a0'),
        worker.tokens.forConnection(id).refreshAfterRejection('a0'),
        gateway.tokens.forConnection(id).refreshAfterRejection('a0'),
        worker.tokens.forConnection(id).refreshAfterRejection('a0'),
      ]);
      expect(endpoint.refreshCount()).toBe(1); // a second refresh with r0 would have been refused
      expect(new Set(results.map((r) => r.value)).size).toBe(1);
      const stored = await worker.store.connections.getCredentials(id, { fresh: true });
      expect(stored.refreshToken).toBe(endpoint.validRefreshToken);
      expect((await gateway.tokens.getAccessToken(id)).value).toBe(results[0]!.value);
    } finally {
      endpoint.delayMs = 50;
    }
  });
});
