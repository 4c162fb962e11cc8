import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalRedisCluster, startLocalRedisCluster } from '../../../src/runtime/services/redis-cluster';

/**
 * A local 3-master Redis Cluster for one test file (src/runtime/services/redis-cluster.ts): started once
 * in `beforeAll`, stopped with its files in `afterAll`.
 */
export function useLocalCluster(): {
  readonly cluster: LocalRedisCluster;
  /** Runs `close` in `afterAll` before the cluster stops (a client closed after its nodes lingers). */
  closeFirst(close: () => unknown): void;
} {
  const holder: { cluster?: LocalRedisCluster; dir?: string } = {};
  const closers: (() => unknown)[] = [];
  beforeAll(async () => {
    holder.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-cluster-'));
    holder.cluster = await startLocalRedisCluster({ dir: holder.dir });
  }, 60_000);
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await holder.cluster?.stop();
    if (holder.dir) fs.rmSync(holder.dir, { recursive: true, force: true });
  });
  return {
    get cluster() {
      if (!holder.cluster) throw new Error('the local cluster is not started (use it inside a test)');
      return holder.cluster;
    },
    closeFirst(close) {
      closers.push(close);
    },
  };
}
