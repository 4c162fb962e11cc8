import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { type BudgetDeclaration } from '../../../src/config/crms';
import { loadEnv } from '../../../src/config/env';
import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { BudgetSamples } from '../../../src/ratelimit/budget-samples';
import { RedisBudgetGate } from '../../../src/ratelimit/budget-gate';
import { ConcurrencyGate } from '../../../src/ratelimit/concurrency-gate';
import { clusterNodesOf } from '../../../src/redis/address';
import { isCluster } from '../../../src/redis/client';
import { hashTagOf } from '../../../src/redis/keys';
import { Heartbeat } from '../../../src/redis/heartbeat';
import { LuaScript } from '../../../src/redis/lua-script';
import { OwnedLock } from '../../../src/redis/owned-lock';
import { createAppContext, type AppContext } from '../../../src/runtime/context';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { ReconcileSeen } from '../../../src/sync/backfill/reconcile-deletions';
import { ChangeLog } from '../../../src/sync/change-log';
import { SyncLock } from '../../../src/sync/poll/sync-lock';
import { SeenReceipts } from '../../../src/sync/webhooks/seen-receipts';
import { WebhookActivity } from '../../../src/sync/webhooks/webhook-activity';
import { processJobs } from '../../../src/worker/worker';
import { InFlightWrites } from '../../../src/writes/in-flight';
import { type NewChangeEvent } from '../../../src/store/repositories/change-events.repo';
import { insertOperations } from '../../support/writes/operations';
import { keysEverywhere } from '../../support/redis-nodes';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { useLocalCluster } from './cluster';

/**
 * The guard of the cluster key layout (docs/redis-cluster.md). A smoke run drives every Lua script and
 * every multi-key command of the product on a local 3-master cluster while MONITOR records what each
 * node executes; then:
 * - every script under src/**\/lua ran (so none escaped the check);
 * - each command's keys (as the server itself names them: COMMAND GETKEYS), each MULTI … EXEC block's
 *   and the keys each script touched from inside, share one hash slot — Redis refuses some of these
 *   with CROSSSLOT, but a pipeline over two slots that one node happens to serve goes through today
 *   and breaks after a resharding;
 * - every key of a family used together carries its group's hash tag.
 */
const local = useLocalCluster();
const logger = createLogger({ level: 'silent' });
const SRC = path.resolve(__dirname, '../../../src');

interface Seen {
  node: number;
  source: string;
  args: string[];
}

let ctx: AppContext;
let monitors: Redis[] = [];
const seen: Seen[] = [];

beforeAll(async () => {
  monitors = await Promise.all(
    clusterNodesOf(local.cluster.url)!.map(async (n, node) => {
      // monitor() opens a connection of its own; the lazy client it is made from never connects.
      const monitor = await new Redis(n.port, n.host, { lazyConnect: true }).monitor();
      monitor.on('monitor', (_time: string, args: string[], source: string) =>
        seen.push({ node, source, args }),
      );
      return monitor;
    }),
  );
  ctx = await createAppContext({
    env: loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
    logger,
    keyRing: new KeyRing([{ kid: 'test', key: Buffer.alloc(32, 7) }]),
    mongodbUri: testStoreUrls().mongodbUri,
    redisUrl: local.cluster.url,
    dbName: uniqueName('cluster'),
    redisPrefix: uniqueName('cgwcl'),
  });
}, 60_000);

local.closeFirst(async () => {
  for (const m of monitors) disconnectRedis(m);
  await ctx?.store.conn.dropDatabase().catch(() => undefined);
  await ctx?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const budget = (over: Partial<BudgetDeclaration>): BudgetDeclaration => ({
  name: 'daily',
  scope: 'account',
  limit: 25,
  windowMs: 60_000,
  interactiveReserve: 0,
  ...over,
});

async function budgets(): Promise<void> {
  const connection = {
    id: 'conn-b',
    tenantId: 't1',
    crm: 'hubspot',
    externalAccountId: 'portal-1',
    vendorUrls: {},
    settings: {},
  };
  const headers = { style: 'remaining', remaining: 'x-left', limit: 'x-limit' } as const;
  const gate = new RedisBudgetGate({
    redis: ctx.redis,
    prefix: ctx.redisPrefix,
    connection,
    budgets: [
      budget({ name: 'daily', headers }),
      budget({ name: 'burst', scope: 'connection', limit: 2, headers }),
    ],
    probeFirstMs: 50,
  });
  await gate.acquire('background'); // budget-take-1 on both budgets
  await gate.headroom('background'); // a dry take
  await gate.acquire('background');
  // The burst (2) is spent: a third call takes from the daily budget first, then gives it back.
  await expect(gate.tryAcquire('background', 1)).resolves.toBeGreaterThan(0); // budget-refund-1
  await gate.observe({ 'x-left': '20', 'x-limit': '30' }); // budget-correct-1
  await gate.exhausted(50, { budgets: ['daily'] }); // budget-block-1
  await gate.backOff({ budgets: ['daily'], probe: false }); // budget-backoff-1
  await sleep(120);
  expect((await gate.take(gate.effectiveBudgets[0]!, 'background', 1)).probe).toBe(true); // the probe slot
  await gate.reopen({ 'x-left': '10' }, { budgets: ['daily'] }); // budget-reopen-1
  const concurrency = new ConcurrencyGate({
    redis: ctx.redis,
    prefix: ctx.redisPrefix,
    crm: 'hubspot',
    scopeId: 'portal-1',
    limit: 2,
  });
  const release = await concurrency.acquire('interactive'); // concurrency-acquire-1
  await release();
  await new BudgetSamples(ctx.redis, ctx.redisPrefix).record('conn-b', new Date(), await gate.readings());
}

async function locks(): Promise<void> {
  const lock = new OwnedLock(ctx.redis, `${ctx.redisPrefix}:lock:smoke`, 5000, 'holder-1');
  const owner = (await lock.tryAcquire('a'))!;
  expect(await lock.renew('a', owner)).toBe(true); // lock-renew-1
  const taken = (await lock.takeOver('a', owner))!; // lock-take-over-1
  expect(await lock.release('a', taken)).toBe(true); // lock-release-1
  const heartbeat = new Heartbeat(ctx.redis, ctx.redisPrefix, 'holder-1', logger);
  await heartbeat.start();
  expect(await Heartbeat.isAlive(ctx.redis, ctx.redisPrefix, 'holder-1')).toBe(true);
  heartbeat.stop();
  const sync = new SyncLock(ctx.redis, ctx.redisPrefix, 'poll');
  const lease = (await sync.tryAcquire('conn-s', 'contact', 7))!; // fence-next-1
  expect(lease.fence).toBe(8);
  await sync.release(lease);
}

let n = 0;
function entry(tenantId: string) {
  const at = new Date();
  const remoteId = `r${++n}`;
  const event: NewChangeEvent = {
    tenantId,
    connectionId: 'conn-s',
    object: 'contact',
    remoteId,
    kind: 'UPDATED',
    source: 'POLL',
    changes: [{ field: 'email', before: null, after: `${remoteId}@example.com` }],
    occurredAt: at,
    observedAt: at,
    hard: false,
    writeOperationId: null,
  };
  const snapshot = {
    tenantId,
    connectionId: 'conn-s',
    object: 'contact' as const,
    remoteId,
    fields: [{ field: 'email', value: `${remoteId}@example.com` }],
    isDeleted: false,
    remoteUpdatedAt: at,
    writeOperationId: null,
  };
  return { event, snapshot, isNew: true };
}

async function syncSequence(): Promise<void> {
  const deps = {
    events: ctx.store.changeEvents,
    snapshots: ctx.store.recordSnapshots,
    redis: ctx.redis,
    redisPrefix: ctx.redisPrefix,
    logger,
    leaseMs: 200,
  };
  const log = new ChangeLog(deps);
  await log.record('t-seq', [entry('t-seq'), entry('t-seq')]); // seq-allocate-3
  expect(await log.watermark('t-seq')).toBe(2); // seq-watermark-2
  // Redis loses the counter: the next numbers collide with stored ones and the floor is raised.
  await ctx.redis.del(`${ctx.redisPrefix}:sync:seq:{tenant:t-seq}`);
  const [again] = await log.record('t-seq', [entry('t-seq')]); // seq-floor-1
  expect(again!.seq).toBeGreaterThan(2);
  // A writer dies after its numbers were leased: the reaper reads its stash and releases the lease.
  const dying = new ChangeLog({
    ...deps,
    events: { ...ctx.store.changeEvents, insert: () => Promise.reject(new Error('killed')) } as never,
  });
  await expect(dying.record('t-seq', [entry('t-seq')])).rejects.toThrow('killed');
  await sleep(300);
  expect(await log.watermark('t-seq')).toBe(again!.seq + 1);
}

async function writePath(): Promise<void> {
  const a = { id: uniqueName('conn-w'), tenantId: 't-w', crm: 'salesforce' };
  const b = { id: uniqueName('conn-w'), tenantId: 't-w', crm: 'salesforce' };
  // The accept path's index writes: one pipeline per connection (two here).
  const ids = [
    ...(await insertOperations(ctx, a, [{ kind: 'CREATE', fields: { LastName: 'a' } }])),
    ...(await insertOperations(ctx, b, [{ kind: 'CREATE', fields: { LastName: 'b' } }])),
  ];
  const ops = (await ctx.store.writeOperations.findByIds('t-w', ids)).filter((o) => o !== null);
  await ctx.openIndex.apply(ops);
  const scan = await ctx.store.writeBatches.reconcileScan(new Date(), 10_000);
  await ctx.openIndex.reconcile(a.id, scan.open.get(a.id) ?? [], Date.now()); // open-index-reconcile-2
  expect((await ctx.openIndex.read(a.id))!.map((o) => o._id)).toEqual([ids[0]]); // MULTI over two keys
  const inFlight = new InFlightWrites(ctx.redis, ctx.redisPrefix);
  await inFlight.mark(a.id, 'contact', ['r1', 'r2', 'r3']);
  expect(await inFlight.which(a.id, 'contact', ['r1', 'r9', 'r3'])).toEqual(new Set(['r1', 'r3']));
  await inFlight.clear(a.id, 'contact', ['r1', 'r2', 'r3']);
}

async function webhooks(): Promise<void> {
  const receipts = new SeenReceipts(ctx.redis, ctx.redisPrefix, logger);
  await receipts.remember(['hubspot:1', 'hubspot:2', 'zoho:9']);
  expect(await receipts.known(['hubspot:1', 'hubspot:3', 'zoho:9'])).toEqual(
    new Set(['hubspot:1', 'zoho:9']),
  );
  const activity = new WebhookActivity(ctx.redis, ctx.redisPrefix, logger);
  await activity.received(['conn-1', 'conn-2', 'conn-3', 'conn-4'], new Date());
  expect((await activity.of('conn-3')).lastReceivedAt).not.toBeNull();
  const reconcileSeen = new ReconcileSeen(ctx.redis, ctx.redisPrefix);
  const startedAt = new Date();
  await reconcileSeen.add('conn-1', 'contact', startedAt, ['x', 'y']);
  expect(await reconcileSeen.unseen('conn-1', 'contact', startedAt, ['x', 'z'])).toEqual(['z']);
}

async function queues(): Promise<void> {
  const queue = ctx.queues.get(QUEUES.system);
  const done: string[] = [];
  processJobs(queue, 2, {
    ping: async (job) => {
      done.push(String(job.data.n));
    },
  });
  await queue.add('ping', { n: 1 });
  await queue.add('ping', { n: 2 }, { delay: 50 });
  await queue.add('ping', { n: 3 }, { repeat: { every: 200 }, jobId: 'smoke-repeat' });
  for (let i = 0; i < 200 && !(done.includes('1') && done.includes('2') && done.includes('3')); i++)
    await sleep(20);
  expect(done).toEqual(expect.arrayContaining(['1', '2', '3']));
  const repeatable = await queue.getRepeatableJobs();
  expect(repeatable).toHaveLength(1);
  await queue.removeRepeatableByKey(repeatable[0]!.key);
}

/** Every script under src/**\/lua, by the SHA1 EVALSHA names it by. */
function allScripts(): Map<string, string> {
  const scripts = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.lua')) {
        const luaDir = path.relative(SRC, dir);
        const script = LuaScript.load(e.name.replace(/\.lua$/, ''), luaDir);
        scripts.set(script.sha, `${luaDir}/${e.name}`);
      }
    }
  };
  walk(SRC);
  return scripts;
}

/** Waits until each node's MONITOR has shown a marker sent after the smoke run: nothing is still in flight. */
async function drainMonitors(): Promise<void> {
  const marker = uniqueName('smoke-end');
  const clients = clusterNodesOf(local.cluster.url)!.map((n) => new Redis(n.port, n.host));
  try {
    await Promise.all(clients.map((c) => c.echo(marker)));
    for (let i = 0; i < 250; i++) {
      if (new Set(seen.filter((s) => s.args[1] === marker).map((s) => s.node)).size === clients.length)
        return;
      await sleep(20);
    }
    throw new Error('MONITOR did not show the end marker on every node');
  } finally {
    for (const c of clients) disconnectRedis(c);
  }
}

it('runs every script and multi-key command of the product with the keys of each in one slot', async () => {
  expect(isCluster(ctx.redis)).toBe(true);
  await budgets();
  await locks();
  await syncSequence();
  await writePath();
  await webhooks();
  await queues();
  await drainMonitors();

  // 1. Every script of ours ran (by EVALSHA, or EVAL the first time a node met it).
  const scripts = allScripts();
  expect(scripts.size).toBe(15);
  const ran = new Set<string>();
  for (const s of seen) {
    const name = s.args[0]?.toLowerCase();
    if (name === 'evalsha') ran.add(s.args[1]!);
    if (name === 'eval') ran.add(crypto.createHash('sha1').update(s.args[1]!).digest('hex'));
  }
  expect([...scripts].filter(([sha]) => !ran.has(sha)).map(([, file]) => file)).toEqual([]);

  // 2. The keys of each command, MULTI block and script share a slot (the server names the keys).
  for (const m of monitors.splice(0)) disconnectRedis(m); // the checks below are not part of the run
  const log = seen.filter((s) => !['monitor', 'echo'].includes(s.args[0]!.toLowerCase()));
  const probe = new Redis(clusterNodesOf(local.cluster.url)![0]!.port, '127.0.0.1');
  try {
    // One pipeline each: thousands of commands (Bull polls), one round trip.
    const keyLists = (await probe.pipeline(log.map((s) => ['command', 'getkeys', ...s.args])).exec())!.map(
      ([err, keys]) => (err ? [] : (keys as string[])), // a command without keys (PING, PUBLISH, CLIENT …)
    );
    const groups: { what: string; keys: string[] }[] = [];
    const multi = new Map<string, string[]>(); // per connection (MONITOR's source): keys queued since MULTI
    let script: { what: string; keys: string[] } | undefined;
    for (const [i, s] of log.entries()) {
      const name = s.args[0]!.toLowerCase();
      const keys = keyLists[i]!;
      if (s.source.includes('lua')) {
        // A command the running script made: its keys belong to that script's slot.
        if (script) script.keys.push(...keys);
        continue;
      }
      script = undefined;
      const client = `${s.node}/${s.source}`;
      if (name === 'multi') multi.set(client, []);
      else if (name === 'exec') {
        groups.push({ what: `MULTI on ${client}`, keys: multi.get(client) ?? [] });
        multi.delete(client);
      } else if (multi.has(client)) multi.get(client)!.push(...keys);
      else {
        const group = { what: s.args.slice(0, 3).join(' '), keys };
        groups.push(group);
        if (name === 'evalsha' || name === 'eval') script = group;
      }
    }
    const multiKey = groups.filter((g) => g.keys.length > 1);
    const allKeys = [...new Set(multiKey.flatMap((g) => g.keys))];
    const slots = (await probe.pipeline(allKeys.map((k) => ['cluster', 'keyslot', k])).exec())!.map(
      ([, v]) => v,
    );
    const slotOf = new Map(allKeys.map((k, i) => [k, slots[i]]));
    const crossSlot = multiKey
      .filter((g) => new Set(g.keys.map((k) => slotOf.get(k))).size > 1)
      .map((g) => `${g.what}: ${g.keys.join(' ')}`);
    expect(multiKey.length).toBeGreaterThan(20);
    expect(crossSlot).toEqual([]);
  } finally {
    disconnectRedis(probe);
  }

  // 3. Keys of families used together carry their group's tag (pipelines: no server-side check).
  const keys = await keysEverywhere(ctx.redis, `${ctx.redisPrefix}:*`);
  const expected: [RegExp, RegExp][] = [
    [/:sync:(seq|pending|stash):/, /^tenant:/],
    [/:(writes:open|writes:open-ready|write-in-flight|sync:write-back|webhook:activity):/, /^conn:/],
    [/:webhook:seen:/, /^receipts$/],
    [/:bull:/, /^(system|writes|sync)$/],
  ];
  const untagged = keys.filter((k) =>
    expected.some(([family, tag]) => family.test(k) && !tag.test(hashTagOf(k) ?? '')),
  );
  expect(keys.filter((k) => k.includes(':sync:stash:') || k.includes(':bull:')).length).toBeGreaterThan(0);
  expect(untagged).toEqual([]);
});
