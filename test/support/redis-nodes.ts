import type Redis from 'ioredis';
import { isCluster, type RedisClient } from '../../src/redis/client';

/**
 * The servers behind a client: itself for one Redis, every master of a cluster. What a test inspects
 * server-wide (KEYS, CLIENT LIST) must ask each: a cluster node answers only for its own slots and
 * connections.
 */
export function serversOf(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/** Every key matching `pattern`, on every server. */
export async function keysEverywhere(client: RedisClient, pattern: string): Promise<string[]> {
  const perNode = await Promise.all(serversOf(client).map((node) => node.keys(pattern)));
  return perNode.flat();
}

/** The names of the connections every server holds (`CLIENT LIST`'s `name=`). */
export async function connectionNamesEverywhere(client: RedisClient): Promise<string[]> {
  const lists = await Promise.all(serversOf(client).map((node) => node.client('LIST') as Promise<string>));
  return lists.flatMap((list) => list.split('\n').map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? ''));
}
