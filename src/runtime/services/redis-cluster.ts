import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { clusterAddress } from '../../redis/address';
import { createRedisClient } from '../../redis/client';
import { tail, waitFor } from './child';
import { type EmbeddedService } from './embedded';
import { findRedisServer, startEmbeddedRedis } from './redis';
import { disconnectRedis } from './redis-disconnect';
import { type RunningService } from './types';

export interface LocalRedisClusterOptions {
  /** Each node keeps its `nodes.conf` (the cluster's membership) in a folder of its own under this. */
  dir: string;
  /** @defaultValue 3, the fewest masters `redis-cli --cluster create` accepts */
  masters?: number;
}

/** A local Redis Cluster: its address (`redis-cluster://…`, src/redis/address.ts) and its nodes. */
export interface LocalRedisCluster extends RunningService {
  /** One embedded redis-server per master, each restartable on its port (it rejoins from nodes.conf). */
  nodes: EmbeddedService[];
}

/**
 * Starts a Redis Cluster of `masters` masters and no replicas on free loopback ports — for tests and
 * the reliability harness, with the installed `redis-server` and `redis-cli` (no docker). Each master
 * is an embedded Redis ({@link startEmbeddedRedis}: same process handling, no persistence) with
 * cluster mode on; `redis-cli --cluster create` splits the 16384 slots between them, and the cluster is
 * returned once every node reports `cluster_state:ok`.
 */
export async function startLocalRedisCluster(options: LocalRedisClusterOptions): Promise<LocalRedisCluster> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error(`a Redis Cluster needs at least 3 masters, got ${masters}`);
  const cli = findRedisCli();
  const nodes: EmbeddedService[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  };
  try {
    const started = await Promise.all(
      Array.from({ length: masters }, (_, i) => {
        const dir = path.join(options.dir, `node-${i}`);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        return startEmbeddedRedis(
          {
            dir,
            persistent: false,
            extraArgs: [
              '--cluster-enabled',
              'yes',
              '--cluster-config-file',
              'nodes.conf',
              '--cluster-node-timeout',
              '5000',
            ],
          },
          `redis-cluster-${i}`,
        );
      }),
    );
    nodes.push(...started);
    const hostPorts = nodes.map((n) => new URL(n.url).host);
    await createCluster(cli, hostPorts);
    await Promise.all(nodes.map((n) => waitFor(`cluster state of ${n.url}`, () => clusterOk(n.url))));
    return { name: 'redis-cluster', url: clusterAddress(hostPorts), nodes, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** redis-cli ships beside redis-server (Debian's redis-tools, a dependency of redis-server). */
function findRedisCli(): string {
  const server = findRedisServer();
  const cli = server && path.join(path.dirname(server), 'redis-cli');
  if (!cli || !fs.existsSync(cli))
    throw new Error('redis-cli was not found beside redis-server (Debian: `apt-get install -y redis-tools`)');
  return cli;
}

async function createCluster(cli: string, hostPorts: readonly string[]): Promise<void> {
  const child = spawn(
    cli,
    ['--cluster', 'create', ...hostPorts, '--cluster-replicas', '0', '--cluster-yes'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = tail();
  child.stdout.on('data', output.push);
  child.stderr.on('data', output.push);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`redis-cli --cluster create exited with ${code}:\n${output.text()}`);
}

async function clusterOk(url: string): Promise<boolean> {
  const client = createRedisClient(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return /cluster_state:ok/.test(String(await client.call('CLUSTER', 'INFO')));
  } finally {
    disconnectRedis(client);
  }
}
