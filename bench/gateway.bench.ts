/**
 * `npm run bench:gateway`: what one gateway process sustains on this machine.
 * - `gateway.health.rps` / `gateway.viewer.rps`: GraphQL over HTTP, `{ health }` (no key, no store) and
 *   `viewer` (API-key lookup in MongoDB + tenant read), with p50/p99 latency under that load;
 * - `gateway.event.p50_ms` / `p99_ms`: a connection event published to Redis until a graphql-ws
 *   subscriber receives it, one event at a time.
 * The gateway runs in a child process so the load generator does not share its event loop; stores are
 * the embedded ones (or MONGODB_URI / REDIS_URL), traffic stays on loopback, bounded in count and time.
 *   --connections=N  concurrent HTTP clients (default 16)   --seconds=N  measured time (default 5)
 *   --events=N       events for the latency figure (default 200)
 */
import { fork } from 'node:child_process';
import { createClient } from 'graphql-ws/client';
import Redis from 'ioredis';
import WebSocket from 'ws';
import { loadEnv } from '../src/config/env';
import { connectionEventsChannel, createConnectionEventPublisher } from '../src/events/connection-events';
import { createLogger } from '../src/logger';
import { createAppContext } from '../src/runtime/context';
import { startThrowawayStores } from '../src/runtime/services';
import { KeyRing } from '../src/security/credentials-cipher';
import { startGatewayServer } from '../src/server/http-server';
import { percentile, postLoad } from './support/http-load';
import { REQUEST_LIMITS_OFF } from './support/request-limits';

interface Target {
  url: string;
  key: string;
  tenantId: string;
  redisPrefix: string;
}

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/** Child side: a gateway with a tenant and a key; reports them and waits to be killed. */
async function serve(): Promise<void> {
  const env = loadEnv({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ...REQUEST_LIMITS_OFF,
  });
  const ctx = await createAppContext({
    env,
    logger: createLogger({ level: 'silent' }),
    keyRing: new KeyRing([{ kid: 'bench', key: Buffer.alloc(32, 3) }]),
    dbName: `bench_${process.pid}`,
  });
  const tenant = await ctx.store.tenants.create(`bench-${Date.now()}`);
  const { key } = await ctx.store.apiKeys.create(tenant.id, 'bench', 'read');
  const gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port: 0 });
  process.send?.({
    url: gateway.url,
    key,
    tenantId: tenant.id,
    redisPrefix: env.REDIS_PREFIX,
  } satisfies Target);
}

async function eventLatency(
  target: Target,
  redisUrl: string,
  count: number,
): Promise<{ p50: number; p99: number }> {
  const client = createClient({
    url: `${target.url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${target.key}` },
  });
  const redis = new Redis(redisUrl);
  const publisher = createConnectionEventPublisher({ redis, redisPrefix: target.redisPrefix });
  let received: (() => void) | undefined;
  const stop = client.subscribe(
    { query: 'subscription { connectionEvents { type connectionId } }' },
    { next: () => received?.(), error: (e) => console.error(e), complete: () => undefined },
  );
  try {
    const channel = connectionEventsChannel(target.redisPrefix, target.tenantId);
    for (let i = 0; i < 200; i++) {
      const [, n] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(n) > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const arrived = new Promise<void>((resolve) => (received = resolve));
      const started = performance.now();
      await publisher.publishConnectionEvent(target.tenantId, {
        type: 'STATUS_CHANGED',
        connectionId: `c${i}`,
        crm: 'hubspot',
        status: 'ACTIVE',
        reason: null,
        occurredAt: new Date(),
      });
      await Promise.race([
        arrived,
        new Promise((_, reject) => setTimeout(() => reject(new Error('event lost')), 5000)),
      ]);
      latencies.push(performance.now() - started);
    }
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    stop();
    await client.dispose();
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const connections = arg('connections', 16);
  const seconds = arg('seconds', 5);
  const events = arg('events', 200);
  const stores = await startThrowawayStores('bench-gateway', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  const child = fork(__filename, ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, MONGODB_URI: stores.mongodbUri, REDIS_URL: stores.redisUrl },
  });
  try {
    const target = await new Promise<Target>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Target));
      child.once('exit', (code) => reject(new Error(`gateway child exited with ${String(code)}`)));
    });
    const f = (n: number) => n.toFixed(2);
    const health = await postLoad(
      `${target.url}/graphql`,
      JSON.stringify({ query: '{ health }' }),
      {},
      connections,
      seconds,
    );
    console.log(`BENCH gateway.health.rps ${Math.round(health.rps)} req/s`);
    console.log(`BENCH gateway.health.p50_ms ${f(health.p50)} ms`);
    console.log(`BENCH gateway.health.p99_ms ${f(health.p99)} ms`);
    const viewer = await postLoad(
      `${target.url}/graphql`,
      JSON.stringify({
        query: 'query Viewer { viewer { tenant { id name } scope } }',
        operationName: 'Viewer',
      }),
      { authorization: `Bearer ${target.key}` },
      connections,
      seconds,
    );
    console.log(`BENCH gateway.viewer.rps ${Math.round(viewer.rps)} req/s`);
    console.log(`BENCH gateway.viewer.p50_ms ${f(viewer.p50)} ms`);
    console.log(`BENCH gateway.viewer.p99_ms ${f(viewer.p99)} ms`);
    if (health.failed + viewer.failed > 0) console.error(`${health.failed + viewer.failed} requests failed`);
    const event = await eventLatency(target, stores.redisUrl, events);
    console.log(`BENCH gateway.event.p50_ms ${f(event.p50)} ms`);
    console.log(`BENCH gateway.event.p99_ms ${f(event.p99)} ms`);
  } finally {
    child.kill();
    await stores.stop();
  }
}

if (process.argv.includes('--serve')) {
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
