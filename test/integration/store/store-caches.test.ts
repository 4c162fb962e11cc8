import crypto from 'node:crypto';
import Redis from 'ioredis';
import { Types } from 'mongoose';
import { NotFoundError } from '../../../src/errors';
import { createLogger } from '../../../src/logger';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { openStore, type Store } from '../../../src/store';
import { storeChangesChannel } from '../../../src/store/changes';
import { countStoreCommands } from '../../../src/store/command-count';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';

/**
 * Two processes' stores on one database and one Redis prefix (a gateway and a worker, or two gateways),
 * each with its own caches and change subscriber. "Within 1 s" is polled for, never timed.
 */
describe('per-process store caches', () => {
  const dbName = uniqueName('caches');
  const prefix = uniqueName('caches');
  const keyRing = new KeyRing([{ kid: 'k1', key: crypto.randomBytes(32) }]);
  const logger = createLogger({ level: 'silent' });
  const tenantA = new Types.ObjectId().toString();
  const tenantB = new Types.ObjectId().toString();
  let redis: Redis;
  let gateway: Store;
  let other: Store;

  async function open(): Promise<Store> {
    return openStore({
      uri: testStoreUrls().mongodbUri,
      dbName,
      keyRing,
      changes: { redis, redisPrefix: prefix, logger },
    });
  }

  beforeAll(async () => {
    redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
    gateway = await open();
    other = await open();
    for (let i = 0; i < 200; i += 1) {
      const [, n] = (await redis.pubsub('NUMSUB', storeChangesChannel(prefix))) as [string, number];
      if (Number(n) >= 2 && gateway.changes!.live && other.changes!.live) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  afterAll(async () => {
    await gateway.conn.dropDatabase().catch(() => undefined);
    await gateway.close();
    await other.close();
    redis.disconnect();
  });

  async function connection(tenantId = tenantA): Promise<string> {
    const created = await other.connections.create({
      tenantId,
      crm: 'salesforce',
      displayName: 'cached',
      credentials: { authKind: 'oauth2', accessToken: 'first', refreshToken: 'r1' },
    });
    return created.id;
  }

  it('answers a warm connection, mapping and token with zero MongoDB commands', async () => {
    const id = await connection();
    const warm = async () => {
      await gateway.connections.getForTenant(tenantA, id);
      await gateway.connections.findManyForTenant(tenantA, [id]);
      await gateway.fieldMappings.find(id, 'contact');
      return gateway.connections.getCredentials(id);
    };
    expect((await countStoreCommands(warm)).commands).toBeGreaterThan(0);
    const again = await countStoreCommands(warm);
    expect(again.result).toMatchObject({ accessToken: 'first' });
    expect(again.commands).toBe(0);
  });

  it('hands out cached connections frozen, so no caller can change them for every other request', async () => {
    const id = await connection();
    const view = await gateway.connections.getForTenant(tenantA, id);
    expect(() => {
      (view.settings as Record<string, unknown>).injected = true;
    }).toThrow(TypeError);
    expect(() => {
      view.status = 'DISABLED';
    }).toThrow(TypeError);
    const again = await gateway.connections.getForTenant(tenantA, id);
    expect(again.settings).not.toHaveProperty('injected');
    expect(again.status).toBe('ACTIVE');
  });

  it('never serves a cached connection to another tenant: it is NOT_FOUND, like an unknown id', async () => {
    const id = await connection();
    await gateway.connections.getForTenant(tenantA, id); // cached now
    await expect(gateway.connections.getForTenant(tenantB, id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await gateway.connections.findManyForTenant(tenantB, [id])).toEqual([]);
    expect(await gateway.connections.findManyForTenant(tenantA, [id])).toHaveLength(1);
  });

  it('applies a changed mapping at once in the writing process and within 1 s in the other', async () => {
    const id = await connection();
    expect(await gateway.fieldMappings.find(id, 'contact')).toBeNull();
    expect(await other.fieldMappings.find(id, 'contact')).toBeNull();
    await other.fieldMappings.replace(tenantA, id, 'contact', []);
    // The writer reads its own write with no wait: the acknowledged update is never older in memory.
    expect(await other.fieldMappings.find(id, 'contact')).toMatchObject({ version: 1 });
    await within(1000, async () => {
      expect(await gateway.fieldMappings.find(id, 'contact')).toMatchObject({ version: 1 });
    });
  });

  it('refuses a deleted connection everywhere within 1 s and drops its token from memory', async () => {
    const id = await connection();
    await gateway.connections.getForTenant(tenantA, id);
    await gateway.connections.getCredentials(id);
    expect(gateway.connections.holdsCredentials(id)).toBe(true);
    await other.connections.deleteForTenant(tenantA, id);
    await within(1000, async () => {
      await expect(gateway.connections.getForTenant(tenantA, id)).rejects.toBeInstanceOf(NotFoundError);
    });
    expect(gateway.connections.holdsCredentials(id)).toBe(false);
    await expect(gateway.connections.getCredentials(id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("applies another process's status change within 1 s", async () => {
    const id = await connection();
    expect((await gateway.connections.getById(id)).status).toBe('ACTIVE');
    await other.connections.setStatus(id, 'NEEDS_REAUTH', 'refused');
    await within(1000, async () => {
      expect((await gateway.connections.getById(id)).status).toBe('NEEDS_REAUTH');
    });
  });

  it('uses a token another process refreshed without reading the store, and a fresh read still sees the store', async () => {
    const id = await connection();
    await gateway.connections.getCredentials(id); // warm
    // The worker's refresh: a rotated refresh token and a new access token.
    await other.connections.setCredentials(id, {
      authKind: 'oauth2',
      accessToken: 'second',
      refreshToken: 'r2',
    });
    expect(await other.connections.getCredentials(id)).toMatchObject({ accessToken: 'second' });
    await within(1000, async () => {
      const { result, commands } = await countStoreCommands(() => gateway.connections.getCredentials(id));
      expect(result).toMatchObject({ accessToken: 'second', refreshToken: 'r2' });
      expect(commands).toBe(0);
    });
    const fresh = await countStoreCommands(() => gateway.connections.getCredentials(id, { fresh: true }));
    expect(fresh.result).toMatchObject({ refreshToken: 'r2' });
    expect(fresh.commands).toBe(1);
  });
});
