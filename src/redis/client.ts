import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { clusterNodesOf } from './address';

/**
 * One Redis or a Redis Cluster. Every module that keeps state in Redis takes either: both run the same
 * commands, scripts, pipelines and pub/sub, provided the keys of each multi-key command share a hash
 * slot (src/redis/keys.ts; docs/redis-cluster.md).
 */
export type RedisClient = Redis | Cluster;

/**
 * The options a client of ours is made with, the same for one Redis and a cluster: on a cluster they
 * apply to the connection to each node, and those that also exist for the cluster as a whole (ready
 * check, lazy connect, retry) are given to it too.
 */
export type RedisClientOptions = Pick<
  RedisOptions,
  | 'maxRetriesPerRequest'
  | 'commandTimeout'
  | 'lazyConnect'
  | 'enableReadyCheck'
  | 'connectionName'
  | 'retryStrategy'
>;

/**
 * The one place a Redis client is made (src/config/env.ts `redisAddress`; src/redis/address.ts): a
 * `redis://` URL gives a `Redis`, a `redis-cluster://` address an ioredis `Cluster`.
 */
export function createRedisClient(address: string, options: RedisClientOptions = {}): RedisClient {
  const nodes = clusterNodesOf(address);
  if (!nodes) return new Redis(address, options);
  const { retryStrategy, ...perNode } = options;
  return new Cluster(nodes, {
    redisOptions: perNode,
    lazyConnect: options.lazyConnect,
    enableReadyCheck: options.enableReadyCheck,
    // The cluster reconnects as a whole: a client told not to retry (a start-up probe) gives up here.
    ...(retryStrategy && { clusterRetryStrategy: (times: number) => retryStrategy(times) }),
  });
}

/**
 * A second connection like `client` with some options changed (a subscriber: a connection in
 * subscribe mode can run no other command). `Cluster#duplicate` takes other arguments than
 * `Redis#duplicate`, and its per-node options live under `redisOptions`.
 */
export function duplicateClient(client: RedisClient, overrides: RedisClientOptions): RedisClient {
  if (!(client instanceof Cluster)) return client.duplicate(overrides);
  const { retryStrategy, ...perNode } = overrides;
  return client.duplicate([], {
    redisOptions: { ...client.options.redisOptions, ...perNode },
    ...('enableReadyCheck' in overrides && { enableReadyCheck: overrides.enableReadyCheck }),
    ...(retryStrategy && { clusterRetryStrategy: (times: number) => retryStrategy(times) }),
  });
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
