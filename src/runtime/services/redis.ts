import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { isClusterAddress } from '../../redis/address';
import { createRedisClient, isCluster } from '../../redis/client';
import { freePort } from './free-port';
import { disconnectRedis } from './redis-disconnect';
import { stopChild, tail, waitFor } from './child';
import { EmbeddedService, type Launched } from './embedded';

export interface EmbeddedRedisOptions {
  /** Directory for the AOF and the log; required when `persistent`. */
  dir: string;
  /** `npm start` keeps data (append-only file); tests throw it away. */
  persistent: boolean;
  /** More `redis-server` arguments (a cluster node's: src/runtime/services/redis-cluster.ts). */
  extraArgs?: readonly string[];
}

/** Where redis-server lives, or undefined. Debian installs it in /usr/bin. */
export function findRedisServer(): string | undefined {
  for (const candidate of ['/usr/bin/redis-server', '/usr/local/bin/redis-server']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return which.status === 0 ? which.stdout.trim() || undefined : undefined;
}

/**
 * Starts a private redis-server on a free loopback port. It can be restarted on the same port and
 * directory ({@link EmbeddedService.restart}; with `persistent`, the append-only file brings the data
 * back).
 */
export async function startEmbeddedRedis(
  options: EmbeddedRedisOptions,
  name = 'redis',
): Promise<EmbeddedService> {
  const binary = findRedisServer();
  if (!binary) {
    throw new Error(
      'redis-server was not found. Install it (Debian: `apt-get install -y redis-server`; ' +
        '`npm start` and `npm test` do this themselves when run as root), or set REDIS_URL to a Redis you run.',
    );
  }
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  return EmbeddedService.start(name, async (url) =>
    launchRedis(binary, options, url ? Number(new URL(url).port) : await freePort()),
  );
}

async function launchRedis(binary: string, options: EmbeddedRedisOptions, port: number): Promise<Launched> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', options.dir,
    '--save', '',
    '--appendonly', options.persistent ? 'yes' : 'no',
    // Bull keeps jobs in Redis: eviction would silently drop accepted writes.
    '--maxmemory-policy', 'noeviction',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--loglevel', 'warning',
    ...(options.extraArgs ?? []),
  ]; // prettier-ignore
  const child = spawn(...dieWithParent(binary, args), {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C reaches only the orchestrator, which stops Redis last, after the
    // workers have drained (they need Redis to finish their jobs).
    detached: true,
  });
  const output = tail();
  child.stdout.on('data', output.push);
  child.stderr.on('data', output.push);
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitFor('redis-server', () => pingRedis(url), {
      fatal: () => (child.exitCode !== null ? `exited with ${child.exitCode}` : undefined),
    });
  } catch (err) {
    await stopChild(child, 1000);
    throw new Error(
      `embedded Redis failed to start on port ${port}: ${(err as Error).message}\n${output.text()}`,
      {
        cause: err,
      },
    );
  }
  return { child, url };
}

/**
 * redis-server cannot watch its parent, so on Linux we start it through `setpriv --pdeathsig`: if the
 * orchestrator dies without cleaning up (SIGKILL, crash), the kernel stops Redis too.
 */
function dieWithParent(binary: string, args: string[]): [string, string[]] {
  const setpriv = '/usr/bin/setpriv';
  return fs.existsSync(setpriv) ? [setpriv, ['--pdeathsig', 'TERM', binary, ...args]] : [binary, args];
}

async function pingRedis(url: string): Promise<boolean> {
  const client = createRedisClient(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // a refused connection while starting is expected
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } finally {
    disconnectRedis(client);
  }
}

/**
 * Bull loses jobs when Redis evicts keys, so we refuse a Redis whose `maxmemory-policy` is anything
 * but `noeviction` — on a cluster, any master whose policy is. Managed Redis services sometimes hide
 * CONFIG; then we cannot tell and let it pass.
 */
export async function assertRedisKeepsJobs(url: string): Promise<void> {
  const client = createRedisClient(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // connect() rejects with the same error
  try {
    await client.connect();
    for (const node of isCluster(client) ? client.nodes('master') : [client]) {
      let policy: string | undefined;
      try {
        const reply = (await node.config('GET', 'maxmemory-policy')) as string[];
        policy = reply[1];
      } catch {
        return; // CONFIG disabled: nothing we can check.
      }
      if (policy && policy !== 'noeviction') {
        const where = isCluster(client)
          ? `${redactUrl(url)} (node ${node.options.host}:${node.options.port})`
          : redactUrl(url);
        throw new Error(
          `Redis at ${where} has maxmemory-policy=${policy}; crm-gateway needs noeviction ` +
            '(queued writes are jobs in Redis, and eviction would lose them). ' +
            'Run `CONFIG SET maxmemory-policy noeviction` or fix redis.conf.',
        );
      }
    }
  } finally {
    disconnectRedis(client);
  }
}

/** A URL with its password removed, for messages. */
export function redactUrl(url: string): string {
  if (isClusterAddress(url)) return url; // host:port list, no credentials in it
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
