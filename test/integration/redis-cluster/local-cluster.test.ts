import { clusterNodesOf } from '../../../src/redis/address';
import { createRedisClient, isCluster, type RedisClient } from '../../../src/redis/client';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { useLocalCluster } from './cluster';

const local = useLocalCluster();

let redis: RedisClient;
beforeAll(() => {
  redis = createRedisClient(local.cluster.url, { maxRetriesPerRequest: 1 });
});
afterAll(() => disconnectRedis(redis));

it('starts three masters that share the 16384 slots, reached through one cluster client', async () => {
  expect(clusterNodesOf(local.cluster.url)).toHaveLength(3);
  expect(isCluster(redis)).toBe(true);
  const slots = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, ...unknown[]][];
  const owned = slots.reduce((n, [from, to]) => n + to - from + 1, 0);
  expect(owned).toBe(16384);
  expect(new Set(slots.map((s) => JSON.stringify(s[2]))).size).toBe(3);
  // Keys land on all three nodes; each is read back through the client, wherever it is.
  await Promise.all(Array.from({ length: 30 }, (_, i) => redis.set(`probe:${i}`, String(i))));
  expect(await redis.get('probe:17')).toBe('17');
});
