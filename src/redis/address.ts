/**
 * Where Redis is, as one string that every process passes on the same way (runtime.json, a child's
 * environment, the test setup): a `redis://` (or `rediss://`) URL of one server, or
 * `redis-cluster://host:port,host:port…` naming seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES).
 * Only src/redis/client.ts turns it into a client.
 */

const CLUSTER_SCHEME = 'redis-cluster://';

export interface ClusterNode {
  host: string;
  port: number;
}

/** The address of a cluster from its seed nodes (`host:port` each). */
export function clusterAddress(nodes: readonly string[]): string {
  if (nodes.length === 0) throw new Error('a Redis Cluster address needs at least one host:port seed node');
  return `${CLUSTER_SCHEME}${nodes.join(',')}`;
}

/** The seed nodes of a cluster address; null for the URL of one Redis. */
export function clusterNodesOf(address: string): ClusterNode[] | null {
  if (!address.startsWith(CLUSTER_SCHEME)) return null;
  const nodes = address
    .slice(CLUSTER_SCHEME.length)
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((node) => {
      const m = /^([^\s,:/]+):(\d{1,5})$/.exec(node);
      if (!m || Number(m[2]) > 65535)
        throw new Error(`Redis Cluster node ${JSON.stringify(node)} is not host:port (in ${address})`);
      return { host: m[1]!, port: Number(m[2]) };
    });
  if (nodes.length === 0) throw new Error(`Redis Cluster address ${JSON.stringify(address)} names no node`);
  return nodes;
}

export function isClusterAddress(address: string): boolean {
  return address.startsWith(CLUSTER_SCHEME);
}

/**
 * The variables that hand an address to a child process: REDIS_URL or REDIS_CLUSTER_NODES, the other
 * left out (the two are exclusive; an undefined variable is not passed to a child).
 */
export function redisEnvOf(address: string): { REDIS_URL?: string; REDIS_CLUSTER_NODES?: string } {
  const nodes = clusterNodesOf(address);
  return nodes
    ? { REDIS_URL: undefined, REDIS_CLUSTER_NODES: nodes.map((n) => `${n.host}:${n.port}`).join(',') }
    : { REDIS_URL: address, REDIS_CLUSTER_NODES: undefined };
}
