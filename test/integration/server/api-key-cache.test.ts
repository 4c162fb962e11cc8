import Redis from 'ioredis';
import { createLogger } from '../../../src/logger';
import { generateApiKey } from '../../../src/security/api-keys';
import { ApiKeyCache } from '../../../src/server/api-key-cache';
import { StoreChangeFeed, storeChangesChannel } from '../../../src/store/changes';
import { type AuthenticatedKey } from '../../../src/store/repositories/api-keys.repo';
import { testStoreUrls, uniqueName } from '../../support/stores';

/** Waits until Redis counts `n` subscribers of the prefix's change channel. */
async function subscribers(redis: Redis, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    const [, count] = (await redis.pubsub('NUMSUB', storeChangesChannel(prefix))) as [string, number];
    if (Number(count) >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`expected ${n} subscribers of ${storeChangesChannel(prefix)}`);
}

/**
 * The per-process key cache against real Redis pub/sub. The store side is a table the test edits, so
 * what the cache read from it, and when, is visible.
 */
describe('ApiKeyCache', () => {
  let redis: Redis;
  let prefix: string;
  let feed: StoreChangeFeed;
  let cache: ApiKeyCache;
  let clock: number;
  const table = new Map<string, AuthenticatedKey>();
  const reads: string[] = [];
  const key = generateApiKey().key;
  const logger = createLogger({ level: 'silent' });
  const lookup = {
    authenticate: async (presented: string) => {
      reads.push(presented);
      return table.get(presented) ?? null;
    },
    findLive: async (id: string) => {
      reads.push(`id:${id}`);
      return [...table.values()].find((k) => k.keyId === id) ?? null;
    },
  };

  beforeEach(async () => {
    redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
    prefix = uniqueName('keycache');
    table.clear();
    reads.length = 0;
    clock = 1_000_000;
    table.set(key, { keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    feed = new StoreChangeFeed({
      redis,
      redisPrefix: prefix,
      logger,
      maxAgeMs: 60_000,
      outageMaxAgeMs: 1000,
    });
    cache = new ApiKeyCache({ keys: lookup, changes: feed, now: () => clock });
    await subscribers(redis, prefix, 1);
    for (let i = 0; i < 200 && !feed.live; i += 1) await new Promise((r) => setTimeout(r, 10));
  });
  afterEach(async () => {
    await cache.close();
    await feed.close();
    redis.disconnect();
  });

  it('reads a key once, then answers from memory', async () => {
    expect(await cache.authenticate(key)).toEqual({ keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    expect(await cache.authenticate(key)).toEqual({ keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    expect(reads).toHaveLength(1);
  });

  it("answers a key by id (an access token's minting key) from memory until the key changes", async () => {
    expect(await cache.live('k1')).toEqual({ keyId: 'k1', tenantId: 't1', scope: 'read_write' });
    expect(await cache.live('k1')).not.toBeNull();
    expect(reads).toEqual(['id:k1']);
    table.delete(key); // revoked in the store
    cache.invalidate('k1'); // and announced
    expect(await cache.live('k1')).toBeNull();
    expect(reads).toEqual(['id:k1', 'id:k1']);
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
    const other = new StoreChangeFeed({ redis, redisPrefix: prefix, logger });
    try {
      await other.publish({ kind: 'api-key', id: 'k1' }); // …and announced, as the key repository does
    } finally {
      await other.close();
    }
    expect(await told).toBe('k1');
    expect(await cache.authenticate(key)).toBeNull();
    expect(reads).toHaveLength(2);
  });

  it('trusts an answer for the outage bound only while the broadcast is down, and forgets all once back', async () => {
    expect(await cache.authenticate(key)).not.toBeNull();
    clock += 30_000; // live: a minute's trust
    expect(await cache.authenticate(key)).not.toBeNull();
    expect(reads).toHaveLength(1);

    // Cut this feed's subscriber (only it: by its connection name) and hold the clock while it is down.
    const told: (string | null)[] = [];
    cache.onChange((id) => told.push(id));
    const clients = (await redis.client('LIST')) as string;
    const line = clients.split('\n').find((l) => l.includes(` name=${prefix}:store-changes `));
    await redis.client('KILL', 'ID', /\bid=(\d+)/.exec(line ?? '')![1]!);
    // ioredis waits ≥ 50 ms before reconnecting: the feed is seen down in between.
    for (let i = 0; i < 100 && feed.live; i += 1) await new Promise((r) => setTimeout(r, 2));
    expect(feed.live).toBe(false);
    expect(feed.maxAgeMs).toBe(1000);
    // The entry read 30 s ago is past the outage bound: the store is asked again.
    expect(await cache.authenticate(key)).not.toBeNull();
    expect(reads).toHaveLength(2);
    // ioredis reconnects by itself; on resubscribing the feed drops everything and says so.
    for (let i = 0; i < 400 && !feed.live; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(feed.live).toBe(true);
    expect(told).toContain(null);
    expect(feed.maxAgeMs).toBe(60_000);
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
        findLive: async () => null,
      },
      changes: feed,
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
