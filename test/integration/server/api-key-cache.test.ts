import Redis from 'ioredis';
import { createLogger } from '../../../src/logger';
import { apiKeyChangesChannel, publishApiKeyChange } from '../../../src/security/api-key-changes';
import { generateApiKey } from '../../../src/security/api-keys';
import { ApiKeyCache } from '../../../src/server/api-key-cache';
import { type AuthenticatedKey } from '../../../src/store/repositories/api-keys.repo';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The per-process key cache against real Redis pub/sub. The store side is a table the test edits, so
 * what the cache read from it, and when, is visible.
 */
describe('ApiKeyCache', () => {
  let redis: Redis;
  let prefix: string;
  let cache: ApiKeyCache;
  const table = new Map<string, AuthenticatedKey>();
  const reads: string[] = [];
  const key = generateApiKey().key;

  beforeEach(async () => {
    redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
    prefix = uniqueName('keycache');
    table.clear();
    reads.length = 0;
    table.set(key, { keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    cache = new ApiKeyCache({
      keys: {
        authenticate: async (presented) => {
          reads.push(presented);
          return table.get(presented) ?? null;
        },
      },
      redis,
      redisPrefix: prefix,
      logger: createLogger({ level: 'silent' }),
    });
    // The cache subscribes at construction: wait until Redis counts its subscriber.
    for (let i = 0; i < 200; i += 1) {
      const [, n] = (await redis.pubsub('NUMSUB', apiKeyChangesChannel(prefix))) as [string, number];
      if (Number(n) > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
  });
  afterEach(async () => {
    await cache.close();
    redis.disconnect();
  });

  it('reads a key once, then answers from memory', async () => {
    expect(await cache.authenticate(key)).toEqual({ keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    expect(await cache.authenticate(key)).toEqual({ keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    expect(reads).toHaveLength(1);
  });

  it('never reads a malformed key, and reads an unknown one once', async () => {
    expect(await cache.authenticate('not-a-key')).toBeNull();
    const unknown = generateApiKey().key;
    expect(await cache.authenticate(unknown)).toBeNull();
    expect(await cache.authenticate(unknown)).toBeNull();
    expect(reads).toEqual([unknown]);
  });

  it("drops a key and tells its listeners when another process broadcasts the key's change", async () => {
    expect(await cache.authenticate(key)).not.toBeNull();
    const told = new Promise<string | null>((resolve) => cache.onChange(resolve));
    table.delete(key); // revoked in the store…
    const publisher = new Redis(testStoreUrls().redisUrl);
    await publishApiKeyChange(publisher, prefix, 'k1'); // …and broadcast, as keys:revoke does
    publisher.disconnect();
    expect(await told).toBe('k1');
    expect(await cache.authenticate(key)).toBeNull();
    expect(reads).toHaveLength(2);
  });

  it('does not keep what a read begun before a change returned', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let slowReads = 0;
    const slow = new ApiKeyCache({
      keys: {
        authenticate: async () => {
          slowReads += 1;
          await gate;
          return { keyId: 'k1', tenantId: 't1', scope: 'read_write' };
        },
      },
      redis,
      redisPrefix: prefix,
      logger: createLogger({ level: 'silent' }),
    });
    try {
      const before = slow.authenticate(key);
      slow.invalidate('k1'); // the revocation arrives while the store read is in flight
      release();
      expect(await before).not.toBeNull(); // that request began before the revocation
      // Had the in-flight answer been stored, this would be served from memory.
      expect(await slow.authenticate(key)).not.toBeNull();
      expect(slowReads).toBe(2);
      expect(await slow.authenticate(key)).not.toBeNull();
      expect(slowReads).toBe(2); // and that read was kept
    } finally {
      await slow.close();
    }
  });
});
