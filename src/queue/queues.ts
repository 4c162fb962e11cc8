import Bull, { type Queue } from 'bull';
import type Redis from 'ioredis';
import { isClusterAddress } from '../redis/address';
import { createRedisClient, type RedisClient, type RedisClientOptions } from '../redis/client';
import { hashTag, redisKey } from '../redis/keys';
import { disconnectRedis } from '../runtime/services/redis-disconnect';

/** Every queue this product runs, by name. Producers and processors refer to these constants only. */
export const QUEUES = {
  /** Operational jobs: worker liveness, maintenance. */
  system: 'system',
  /** Write flushes (src/queue/writes.producer.ts): their own queue, so their concurrency is their own. */
  writes: 'writes',
  /** Sync work: webhook ingest (src/queue/webhook-ingest.producer.ts) and polling. */
  sync: 'sync',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface QueueFactoryOptions {
  /** A Redis URL or a Redis Cluster address (src/redis/address.ts). */
  redisUrl: string;
  /** Key prefix of this deployment (REDIS_PREFIX); tests pass a fresh one each. */
  prefix: string;
}

/**
 * Creates Bull queues that share one client and one subscriber connection per process (Bull would
 * otherwise open three connections per queue). Bull requires its blocking client to have no retry
 * limit and no ready check.
 *
 * With `createClient` given, Bull closes none of the clients it got from it (it only closes those it
 * made itself), so every client made here is closed in {@link close} — the blocking ones included,
 * which Bull even reconnects while it pauses a queue on close.
 */
export class QueueFactory {
  private readonly shared: { client?: RedisClient; subscriber?: RedisClient } = {};
  private readonly blocking: RedisClient[] = [];
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly options: QueueFactoryOptions) {}

  get(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Bull(name, {
        prefix: bullPrefix(this.options, name),
        // Bull's types name only `Redis`; a Cluster runs every command Bull sends (docs/redis-cluster.md).
        createClient: (type) => this.redis(type) as Redis,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private redis(type: 'client' | 'subscriber' | 'bclient'): RedisClient {
    const opts: RedisClientOptions = {
      maxRetriesPerRequest: null,
      enableReadyCheck: false,
      // Named so `CLIENT LIST` shows whose connection it is (and a test can see that close ends it).
      connectionName: `${this.options.prefix}:bull-${type}`,
    };
    if (type === 'bclient') {
      const client = createRedisClient(this.options.redisUrl, opts);
      this.blocking.push(client);
      return client;
    }
    this.shared[type] ??= createRedisClient(this.options.redisUrl, opts);
    return this.shared[type];
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
    const { client, subscriber } = this.shared;
    this.shared.client = this.shared.subscriber = undefined;
    for (const c of [client, subscriber, ...this.blocking.splice(0)]) if (c) disconnectRedis(c);
  }
}

/**
 * Bull's key prefix for a queue (its keys are `<prefix>:<queue>:…`). Bull's scripts use several keys of
 * one queue at once, so on a Redis Cluster the prefix is a hash tag, one per queue (the queues spread
 * over the nodes). On one Redis it stays `<REDIS_PREFIX>:bull`, so the jobs queued before an upgrade
 * are still found.
 */
export function bullPrefix(options: QueueFactoryOptions, queue: string): string {
  return isClusterAddress(options.redisUrl)
    ? redisKey(options.prefix, 'bull', hashTag(queue))
    : `${options.prefix}:bull`;
}
