import Redis from 'ioredis';
import { clusterNodesOf } from '../../../src/redis/address';
import { createRedisClient, type RedisClient } from '../../../src/redis/client';
import { createGatewayPubSub, type GatewayPubSub } from '../../../src/events/pubsub';
import { createLogger } from '../../../src/logger';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { StoreChangeFeed, storeChangesChannel, type StoreChange } from '../../../src/store/changes';
import { uniqueName } from '../../support/stores';
import { useLocalCluster } from './cluster';

/**
 * Redis Cluster forwards every PUBLISH over its bus to all nodes, so a subscriber connected to any node
 * (ioredis puts a cluster's subscriptions on one node it picks) hears what is published on any other:
 * the store-change broadcast and the gateway's subscriptions work unchanged.
 */
const local = useLocalCluster();
const logger = createLogger({ level: 'silent' });
const opened: { close(): unknown }[] = [];
// After each test: the cluster itself stops in an afterAll, and a client must close before its node.
afterEach(async () => {
  for (const c of opened.splice(0).reverse()) await c.close();
});

/** One plain client per master, each bound to its node: a publish on it starts there. */
function nodeClients(): Redis[] {
  const clients = clusterNodesOf(local.cluster.url)!.map((n) => new Redis(n.port, n.host));
  opened.push({ close: () => clients.forEach((c) => disconnectRedis(c)) });
  return clients;
}

function clusterClient(): RedisClient {
  const client = createRedisClient(local.cluster.url, { maxRetriesPerRequest: 1 });
  opened.push({ close: () => disconnectRedis(client) });
  return client;
}

function until<T>(what: string, list: T[], n: number): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (list.length >= n) return resolve(list);
      if (Date.now() - started > 10_000) return reject(new Error(`${what}: got ${list.length} of ${n}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}

it('delivers a pattern subscription on one node what is published on each of the others', async () => {
  const [a, b, c] = nodeClients();
  const sub = a!.duplicate();
  opened.push({ close: () => disconnectRedis(sub) });
  const got: string[] = [];
  sub.on('pmessage', (_p: string, channel: string, message: string) => got.push(`${channel}=${message}`));
  await sub.psubscribe('probe:*');
  await b!.publish('probe:b', '1');
  await c!.publish('probe:c', '2');
  await a!.publish('probe:a', '3');
  expect((await until('pattern messages', got, 3)).sort()).toEqual(['probe:a=3', 'probe:b=1', 'probe:c=2']);
});

it('brings a store change published on any node to a feed on the cluster client', async () => {
  const prefix = uniqueName('cgwcl');
  const feed = new StoreChangeFeed({ redis: clusterClient(), redisPrefix: prefix, logger });
  opened.push(feed);
  const changes: (StoreChange | null)[] = [];
  feed.onChange((c) => changes.push(c));
  for (let i = 0; i < 100 && !feed.live; i++) await new Promise((r) => setTimeout(r, 20));
  expect(feed.live).toBe(true);
  changes.length = 0; // the reset a (re)subscription dispatches
  const nodes = nodeClients();
  for (const [i, node] of nodes.entries())
    await node.publish(
      storeChangesChannel(prefix),
      JSON.stringify({ kind: 'connection', id: `c${i}`, origin: 'x' }),
    );
  // Another feed's publish goes through its own cluster client, whichever node that picks.
  const other = new StoreChangeFeed({ redis: clusterClient(), redisPrefix: prefix, logger });
  opened.push(other);
  await other.publish({ kind: 'api-key', id: 'k1' });
  const received = await until('store changes', changes, 4);
  expect(received).toEqual(
    expect.arrayContaining([
      { kind: 'connection', id: 'c0' },
      { kind: 'connection', id: 'c1' },
      { kind: 'connection', id: 'c2' },
      { kind: 'api-key', id: 'k1' },
    ]),
  );
});

it("carries a tenant's connection events from every node to the gateway's subscription, and no other tenant's", async () => {
  const prefix = uniqueName('cgwcl');
  const pubsub: GatewayPubSub = createGatewayPubSub({ redis: clusterClient(), redisPrefix: prefix, logger });
  opened.push(pubsub);
  const iterator = pubsub.connectionEvents('t1')[Symbol.asyncIterator]();
  const got: string[] = [];
  const reading = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      got.push(next.value.connectionId);
    }
  })();
  // The subscription is made on the first read; publish until it hears (messages before it are lost).
  const publishers = nodeClients().map((node) =>
    createGatewayPubSub({ redis: node, redisPrefix: prefix, logger }),
  );
  opened.push(...publishers);
  const event = (id: string) => ({
    type: 'STATUS_CHANGED' as const,
    connectionId: id,
    crm: 'hubspot',
    status: 'ACTIVE' as const,
    reason: null,
    occurredAt: new Date(),
  });
  for (let round = 0; round < 100 && got.length === 0; round++) {
    await publishers[0]!.publishConnectionEvent('t1', event('warm-up'));
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const [i, p] of publishers.entries()) {
    await p.publishConnectionEvent('t2', event(`other-tenant-${i}`));
    await p.publishConnectionEvent('t1', event(`node-${i}`));
  }
  const fromNodes = got.filter((id) => id !== 'warm-up');
  for (let i = 0; i < 500 && fromNodes.length < 3; i++) {
    await new Promise((r) => setTimeout(r, 20));
    fromNodes.splice(0, fromNodes.length, ...got.filter((id) => id !== 'warm-up'));
  }
  await iterator.return?.();
  await reading;
  expect(fromNodes).toEqual(['node-0', 'node-1', 'node-2']);
});
