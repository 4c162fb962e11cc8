import { QueueFactory, QUEUES } from '../../../src/queue/queues';
import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { processJobs } from '../../../src/worker/worker';
import { connectionNamesEverywhere } from '../../support/redis-nodes';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * Closing the queue factory ends every Redis connection it opened for Bull, the blocking one a
 * processor polls with included: Bull closes none of the clients a `createClient` hands it, and one
 * left open keeps a worker process (or a Jest worker) alive after shutdown.
 */
describe('queue factory close', () => {
  const { redisUrl } = testStoreUrls();
  let observer: RedisClient;
  beforeAll(() => {
    observer = createRedisClient(redisUrl);
  });
  afterAll(() => observer.disconnect());

  /** Connections Redis still holds under this factory's prefix (the factory names each one). */
  async function openConnections(prefix: string): Promise<string[]> {
    return (await connectionNamesEverywhere(observer)).filter((name) => name.startsWith(`${prefix}:`));
  }

  async function settled(prefix: string): Promise<string[]> {
    // A closed socket leaves Redis's list a moment after the client ends it.
    for (let i = 0; i < 40; i++) {
      const open = await openConnections(prefix);
      if (open.length === 0) return open;
      await new Promise((r) => setTimeout(r, 50));
    }
    return openConnections(prefix);
  }

  it('ends the shared and the blocking connections of a queue that processed jobs', async () => {
    const prefix = uniqueName('cgwclose');
    const queues = new QueueFactory({ redisUrl, prefix });
    const queue = queues.get(QUEUES.system);
    try {
      const done = new Promise<void>((resolve) => queue.on('completed', () => resolve()));
      processJobs(queue, 2, { ping: () => Promise.resolve() });
      await queue.add('ping', {});
      await done;
      const names = (await openConnections(prefix)).map((n) => n.slice(prefix.length + 1));
      // Bull renames the blocking client after its queue (`<bull prefix>:<base64 name>`).
      expect(names).toEqual(
        expect.arrayContaining(['bull-client', expect.stringMatching(/^bull(:|-bclient)/)]),
      );
    } finally {
      await queues.close();
    }
    expect(await settled(prefix)).toEqual([]);
  });

  it('opens fresh connections for a queue asked for after close', async () => {
    const prefix = uniqueName('cgwreopen');
    const queues = new QueueFactory({ redisUrl, prefix });
    await queues.get(QUEUES.system).add('ping', {});
    await queues.close();
    const again = queues.get(QUEUES.system);
    await again.add('ping', {});
    expect(await again.getWaitingCount()).toBe(2);
    await queues.close();
    expect(await settled(prefix)).toEqual([]);
  });
});
