import Redis from 'ioredis';
import {
  type Crash,
  type EmbeddedService,
  startThrowawayStores,
  type Stores,
  superviseServices,
} from '../../../src/runtime/services';
import { testStoreUrls } from '../../support/stores';

/**
 * The supervisor `npm start` runs over its embedded stores: a killed redis-server is started again on
 * the same URL (clients reconnect by themselves), until the restart bound is reached — then it gives up
 * and says why, and the caller stops everything. This file's Redis is its own (FerretDB is the shared
 * one, untouched).
 */
describe('superviseServices', () => {
  let stores: Stores;
  let redis: EmbeddedService;
  let client: Redis;
  const restarted: Crash[] = [];
  const gaveUp: string[] = [];
  let unsupervise: () => void;

  beforeAll(async () => {
    stores = await startThrowawayStores('supervisor', { mongodbUri: testStoreUrls().mongodbUri });
    redis = stores.started.find((s) => s.name === 'redis')!;
    unsupervise = superviseServices(
      [redis],
      { maxRestarts: 1, windowMs: 60_000 },
      {
        restarted: (_service, crash) => restarted.push(crash),
        gaveUp: (_service, reason) => gaveUp.push(reason),
      },
    );
    client = new Redis(stores.redisUrl, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined); // refusals while Redis is down are what this test is about
  });
  afterAll(async () => {
    unsupervise?.();
    if (client && client.status !== 'end') client.disconnect();
    await stores?.stop();
  });

  async function until(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if (await Promise.resolve(done()).catch(() => false)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${what} did not happen within 30 s`);
  }

  it('restarts a killed store on the same URL, then gives up once the bound is reached', async () => {
    await client.set('before', '1');
    const firstPid = redis.pid!;
    process.kill(firstPid, 'SIGKILL');
    await until('the restart', () => restarted.length === 1);
    expect(restarted[0]).toMatchObject({ service: 'redis', pid: firstPid, signal: 'SIGKILL' });
    expect(redis.pid).not.toBe(firstPid);
    expect(redis.url).toBe(stores.redisUrl);
    // The same client, on the same URL, works again without being rebuilt.
    await until('the client reconnecting', async () => (await client.ping()) === 'PONG');
    expect(await client.get('before')).toBeNull(); // a throwaway Redis keeps no data; npm start's does (AOF)
    client.disconnect(); // while Redis is up, so no reconnection outlives the test

    process.kill(redis.pid!, 'SIGKILL');
    await until('giving up', () => gaveUp.length === 1);
    expect(gaveUp[0]).toMatch(/embedded redis .* after 1 restart\(s\) within 60 s; not restarting it again/);
    expect(restarted).toHaveLength(1);
    expect(redis.running).toBe(false);
  });

  it('does not take a deliberate stop for a crash', async () => {
    await redis.restart();
    await redis.stop();
    await new Promise((r) => setTimeout(r, 200));
    expect(restarted).toHaveLength(1);
    expect(gaveUp).toHaveLength(1);
  });
});
