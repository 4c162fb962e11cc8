import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { type EmbeddedService } from '../../../src/runtime/services';
import { startEmbeddedRedis } from '../../../src/runtime/services/redis';
import { type LocalRedisCluster, startLocalRedisCluster } from '../../../src/runtime/services/redis-cluster';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { crashStore } from './store-crash';

/**
 * A Redis of the reliability harness's own, beside the global test stores: on its own port and
 * directory with an append-only file, so it can be crashed (SIGKILL) and restarted with what it
 * acknowledged coming back from the AOF — without touching the Redis every other test file shares.
 */
export interface PrivateRedis {
  service: EmbeddedService | LocalRedisCluster;
  /** A `redis://` URL, or a cluster's `redis-cluster://…` address (src/redis/address.ts). */
  url: string;
  /**
   * SIGKILL Redis (no shutdown, no final AOF rewrite) and start it again from its directory, after
   * `downMs` down (an outage the processes live through).
   */
  crash(downMs?: number): Promise<void>;
  /** Stops it and removes its directory. */
  close(): Promise<void>;
}

/**
 * `always`: Redis fsyncs every write before it answers, so a crash loses nothing it acknowledged (a
 * test is then about our recovery, not Redis's). `everysec` (Redis's default): up to a second of
 * acknowledged writes is lost — what the reconciler of QUEUED operations must make up for.
 */
export type Appendfsync = 'always' | 'everysec';

async function configure(url: string, appendfsync: Appendfsync): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.config('SET', 'appendfsync', appendfsync);
  } finally {
    disconnectRedis(client);
  }
}

export async function startPrivateRedis(appendfsync: Appendfsync): Promise<PrivateRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-aof-'));
  const service = await startEmbeddedRedis({ dir, persistent: true });
  const close = async () => {
    await service.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await configure(service.url, appendfsync);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    service,
    url: service.url,
    close,
    async crash(downMs = 0) {
      await crashStore(service, downMs);
      // CONFIG SET is not persisted: a restarted Redis is back on the AOF's default fsync.
      await configure(service.url, appendfsync);
    },
  };
}

/**
 * A local 3-master Redis Cluster in place of the private Redis (`REL_REDIS_CLUSTER=1`): every process
 * of the fleet gets `REDIS_CLUSTER_NODES`. Its masters keep nothing on disk, so a scenario that
 * crashes Redis does not run on it.
 */
export async function startPrivateRedisCluster(): Promise<PrivateRedis> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-cluster-'));
  const service = await startLocalRedisCluster({ dir });
  return {
    service,
    url: service.url,
    async close() {
      await service.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
    crash() {
      return Promise.reject(
        new Error('the fleet runs on a Redis Cluster (REL_REDIS_CLUSTER=1): no Redis crash'),
      );
    },
  };
}
