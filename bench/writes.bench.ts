/**
 * `npm run bench:writes`: the write path against the sandboxes, printed as `BENCH` lines (issue 17,
 * "Benchmark"). `BENCH_QUICK=1` shortens every phase for a smoke run; the full run takes ~10 minutes.
 *
 * Peers (always run):
 * - `writes.naive.hubspot.*` / `.salesforce.*` / `.pipedrive.*`: 500 records, one per call, through the
 *   vendor's official client with its own retries (bench/support/naive-writers.ts), in a sandbox org of
 *   their own at the same rate tiers as the gateway: HubSpot 190 requests / 10 s (private app),
 *   Salesforce `--sf-per-minute` requests per minute (the allocation's window scaled from 24 h to one
 *   minute: `apiWindowMs` in the sandbox, `settings.budgets.daily.windowMs` on the connection),
 *   Pipedrive at the gateway's plan through an API token (40 per 2 s; the official client retries nothing).
 * - `writes.queue.noop_jobs_per_s`: Bull's own enqueue-to-complete rate with a no-op processor on the
 *   same Redis (bench/support/noop-queue.ts).
 * Gateway (bench/support/write-phases.ts; only when the schema has the write API — otherwise one line
 * says they were skipped, and no figure is printed for them):
 * - per CRM (HubSpot, Salesforce, Dynamics — Dataverse's 6,000 requests per 5 minutes as 1,200 per
 *   minute on a 1-minute window, in the sandbox and on the connection): sustained `records_per_s` over `--seconds` after the first rate window (whose rate is
 *   `burst_records_per_s`), `ceiling_records_per_s` = (1 − interactive reserve) × requests/s × batch
 *   size, `share_of_ceiling`, `vendor_429`, `leaked_429`, `calls`, `batch_size`, `drain_s`
 *   (Pipedrive: one record per call at a stated plan, PIPEDRIVE_PLAN, against its 2-second burst with
 *   the daily token budget lifted; both ceilings are printed, and which binds at that plan),
 *   (the backlog left at the end), then `latency_ms.p50/.p99` at half of what was sustained, at most
 *   half the ceiling (`latency_load`); Salesforce's 10,000-record upsert timed to the last
 *   SUCCEEDED (`writes.salesforce.bulk10k_s`);
 * - `writes.queue.jobs_per_s`: operations enqueue-to-complete on HubSpot with every limit lifted, and
 *   `writes.queue.share_of_noop`.
 * A gateway phase that fails fails the bench: no figure comes from a run that did not do the work.
 *   --seconds=N (sustained, default 60; quick 15)   --sf-per-minute=N (default 1200)
 *   --crms=hubspot,salesforce,dynamics,pipedrive (default all: the CRMs whose sustained and latency phases run; the
 *   Salesforce bulk phase runs with Salesforce) and --peers=0 (no peers) — a shorter loop while
 *   profiling one CRM's flushes
 */
import 'reflect-metadata';
import crypto from 'node:crypto';
import { DEFAULT_INTERACTIVE_RESERVE } from '../src/config/crms';
import { TOKEN_COSTS } from '../src/connectors/pipedrive/declaration';
import { CRMS } from '../src/connectors/registry';
import { budgetKey } from '../src/ratelimit/budget-gate';
import { freePort, startThrowawayStores, type Stores } from '../src/runtime/services';
import { KeyRing } from '../src/security/credentials-cipher';
import { type ReadCrm, type ReadStack, smallOrgs, startReadStack } from '../test/support/read-stack';
import { startWorkerProcess, workerEnv } from '../test/support/worker-process';
import { writeApiMissing } from '../test/support/write-contract';
import { type NaiveResult, naiveHubSpot, naivePipedrive, naiveSalesforce } from './support/naive-writers';
import { arg, execOn, listArg, runBench } from './support/bench-cli';
import { cpuMeter } from './support/process-cpu';
import { perOperation, readStoreCounters } from './support/store-metrics';
import { NOOP_WORKER_FLAG, noopJobsPerSecond, serveNoopWorker } from './support/noop-queue';
import { drainPhase, latencyPhase, sustainedPhase, type WritePhaseTarget } from './support/write-phases';

const QUICK = process.env.BENCH_QUICK === '1';
const NAIVE_RECORDS = 500;
/** In flight at once in a naive client: a backend firing writes from a loop with a small pool. */
const NAIVE_CONCURRENCY = 8;
/** The worker's default WORKER_CONCURRENCY (src/config/env.ts). */
const WORKER_CONCURRENCY = 8;
const HUBSPOT_BURST = 190;
const HUBSPOT_WINDOW_MS = 10_000;
const MINUTE = 60_000;
/** Dataverse's service protection allocation, 6,000 requests per 5 minutes, per minute. */
const DYNAMICS_PER_MINUTE = 1200;
/**
 * Pipedrive at a stated plan: Growth, 5 seats, connected through OAuth — 160 requests per 2 s per token
 * and 30,000 × 2 × 5 = 300,000 tokens a day for the company (docs/vendors/pipedrive.md "Rate limits").
 */
const PIPEDRIVE_PLAN = { plan: 'growth', seats: 5, burst: 160, dailyTokens: 300_000 } as const;
const PIPEDRIVE_WINDOW_MS = 2000;
/** The plan's daily tokens per minute: its day scaled to a minute at the same allocation per minute. */
const PIPEDRIVE_DAILY_PER_MINUTE = Math.floor(PIPEDRIVE_PLAN.dailyTokens / (24 * 60));
/** The backlog of the scaled-day phase: about half a minute of its ceiling (~0.55 records/s). */
const PIPEDRIVE_DAILY_BACKLOG = 20;

/** The share of a budget background work may use (src/ratelimit/budget-gate.ts). */
function backgroundShare(crm: ReadCrm, budget: string): number {
  const decl = CRMS[crm].budgets.find((b) => b.name === budget);
  return 1 - (decl?.interactiveReserve ?? DEFAULT_INTERACTIVE_RESERVE);
}

function printNaive(crm: string, r: NaiveResult & { clientRetries?: number }): void {
  const p = `BENCH writes.naive.${crm}`;
  console.log(`${p}.records_per_s ${(r.written / r.seconds).toFixed(1)} records/s`);
  console.log(`${p}.records ${r.written} records`);
  console.log(`${p}.seconds ${r.seconds.toFixed(1)} s`);
  console.log(`${p}.calls ${r.calls} calls`);
  console.log(`${p}.vendor_429 ${r.vendorRefusals} responses`);
  console.log(`${p}.errors ${r.clientErrors} records`);
  if (r.clientRetries !== undefined) console.log(`${p}.client_retries ${r.clientRetries} retries`);
  if (r.firstError) console.log(`# writes.naive.${crm}: first error reaching the client: ${r.firstError}`);
}

async function peers(stack: ReadStack, sfPerMinute: number, redisUrl: string, name: string): Promise<number> {
  const { hubspot, salesforce } = stack.sandboxes.sandboxes;
  hubspot!.server.patchSettings('naive', { burst: HUBSPOT_BURST, daily: 1_000_000 });
  salesforce!.server.patchSettings('naive', { dailyApiRequests: sfPerMinute, apiWindowMs: MINUTE });
  const tag = crypto.randomBytes(3).toString('hex');
  const common = { org: 'naive', records: NAIVE_RECORDS, concurrency: NAIVE_CONCURRENCY, tag };
  printNaive('hubspot', await naiveHubSpot({ ...common, sandbox: hubspot! }));
  printNaive('salesforce', await naiveSalesforce({ ...common, sandbox: salesforce! }));
  // Pipedrive at the gateway's plan, through an API token (what a simple backend holds): 40 per 2 s.
  const { pipedrive } = stack.sandboxes.sandboxes;
  pipedrive!.server.patchSettings('naive', {
    plan: PIPEDRIVE_PLAN.plan,
    seats: PIPEDRIVE_PLAN.seats,
    dailyTokenBudget: 1_000_000_000,
  });
  printNaive('pipedrive', await naivePipedrive({ ...common, sandbox: pipedrive! }));

  const noop = await noopJobsPerSecond(__filename, {
    redisUrl,
    prefix: `${name}_noop`,
    concurrency: WORKER_CONCURRENCY,
    jobs: QUICK ? 2000 : 20_000,
    adders: 16,
  });
  console.log(`BENCH writes.queue.noop_jobs_per_s ${noop.toFixed(0)} jobs/s`);
  return noop;
}

async function gatewayPhases(
  stack: ReadStack,
  stores: Pick<Stores, 'mongodbUri' | 'redisUrl' | 'started'>,
  name: string,
  keySpec: string,
  sfPerMinute: number,
  noopJobsPerS: number,
): Promise<void> {
  const seconds = arg('seconds', QUICK ? 15 : 60);
  const tenant = await stack.tenant('benchwrites');
  const workerMetricsPort = await freePort();
  const worker = await startWorkerProcess({
    ...workerEnv(stack.gatewayEnv(await freePort()), { ...stores, name, credentialsKeys: keySpec }),
    WORKER_METRICS_PORT: String(workerMetricsPort),
  });
  const workerMetrics = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  try {
    const exec = execOn(stack.url, tenant.key);
    const { hubspot, salesforce } = stack.sandboxes.sandboxes;
    // HubSpot at 190 / 10 s. The stack connects through OAuth, whose burst is the sandbox's oauthBurst.
    hubspot!.server.patchSettings('default', {
      burst: HUBSPOT_BURST,
      oauthBurst: HUBSPOT_BURST,
      daily: 10_000_000,
    });
    salesforce!.server.patchSettings('default', { dailyApiRequests: sfPerMinute, apiWindowMs: MINUTE });
    // Dataverse's 6,000 requests per 5 minutes is 1,200 a minute: the same rate on a 1-minute window.
    const { dynamics } = stack.sandboxes.sandboxes;
    dynamics!.server.patchSettings('default', {
      requestsPerWindow: DYNAMICS_PER_MINUTE,
      limitWindowMs: MINUTE,
    });
    await setBudgets(stack, tenant.connections.dynamics, {
      requests: { limit: DYNAMICS_PER_MINUTE, windowMs: MINUTE },
    });
    await setBudgets(stack, tenant.connections.hubspot, {
      burst: { limit: HUBSPOT_BURST },
      daily: { limit: 10_000_000 },
    });
    await setBudgets(stack, tenant.connections.salesforce, {
      daily: { limit: sfPerMinute, windowMs: MINUTE },
    });
    // The burst is what a minute can show; the daily budget is lifted in the sandbox and on the
    // connection, and its ceiling printed from the plan (below): at this plan it is what binds.
    stack.sandboxes.sandboxes.pipedrive!.server.patchSettings('default', {
      plan: PIPEDRIVE_PLAN.plan,
      seats: PIPEDRIVE_PLAN.seats,
      dailyTokenBudget: 1_000_000_000,
    });
    await setBudgets(stack, tenant.connections.pipedrive, {
      burst: { limit: PIPEDRIVE_PLAN.burst },
      daily: { limit: 1_000_000_000 },
    });
    const tag = crypto.randomBytes(3).toString('hex');
    const target = (
      crm: ReadCrm,
      windowMs: number,
      requestsPerS: number,
      budget: string,
    ): WritePhaseTarget => {
      const org = stack.sandboxes.sandboxes[crm]!.server.org('default');
      const batch = CRMS[crm].batch.write;
      return {
        crm,
        url: stack.url,
        key: tenant.key,
        connectionId: tenant.connections[crm],
        exec,
        sandboxRecords: () => stack.liveCount(crm, 'contact'),
        sandboxCalls: () => ({
          calls: stack.calls(crm),
          refusals: org.log.countStatus(crm === 'salesforce' ? 403 : 429),
          batchSizes: org.log.writeBatchSizes(),
        }),
        clearSandboxLog: () => org.log.clear(),
        windowMs,
        ceilingRecordsPerS: backgroundShare(crm, budget) * requestsPerS * batch,
        // HubSpot: an upsert by email (unique there); Salesforce and Dynamics: a create.
        item: (n) =>
          crm === 'hubspot'
            ? {
                externalId: { field: 'email', value: `bench-${tag}-${n}@example.org` },
                input: { firstName: 'Bench', lastName: `W${n}` },
              }
            : {
                input: {
                  firstName: 'Bench',
                  lastName: `W${tag}-${n}`,
                  email: `bench-${tag}-${n}@example.org`,
                },
              },
      };
    };
    const hs = target('hubspot', HUBSPOT_WINDOW_MS, HUBSPOT_BURST / (HUBSPOT_WINDOW_MS / 1000), 'burst');
    const sf = target('salesforce', MINUTE, sfPerMinute / 60, 'daily');
    const dyn = target('dynamics', MINUTE, DYNAMICS_PER_MINUTE / 60, 'requests');
    const pd = target('pipedrive', PIPEDRIVE_WINDOW_MS, PIPEDRIVE_PLAN.burst / 2, 'burst');
    console.log(`BENCH writes.salesforce.allocation_per_min ${sfPerMinute} requests`);
    console.log(`BENCH writes.dynamics.allocation_per_min ${DYNAMICS_PER_MINUTE} requests`);
    // Pipedrive's two ceilings for creates (5 tokens each, one record per call): the daily token
    // budget binds at this plan by far; the burst is what the sustained phase measures.
    const createTokens = TOKEN_COSTS['v2.create'];
    const dailyCeiling =
      (backgroundShare('pipedrive', 'daily') * PIPEDRIVE_PLAN.dailyTokens) / createTokens / 86_400;
    console.log(`BENCH writes.pipedrive.ceiling_daily_records_per_s ${dailyCeiling.toFixed(2)} records/s`);
    console.log(
      `BENCH writes.pipedrive.ceiling_burst_records_per_s ${pd.ceilingRecordsPerS.toFixed(1)} records/s`,
    );
    console.log(
      `# writes.pipedrive: ${PIPEDRIVE_PLAN.plan}, ${PIPEDRIVE_PLAN.seats} seats, OAuth — the ${dailyCeiling < pd.ceilingRecordsPerS ? 'daily token budget' : '2-second burst'} binds; writes.pipedrive.* run with the daily budget lifted, against the burst; writes.pipedrive_daily.* against the daily budget on its day scaled to a minute`,
    );
    let item = 0;
    const crms = listArg('crms', ['hubspot', 'salesforce', 'dynamics', 'pipedrive']);
    for (const t of [hs, sf, dyn, pd].filter((x) => crms.includes(x.crm))) {
      const sustained = await sustainedPhase(t, seconds);
      // The backlog has drained; the vendor's window refills before latency is measured.
      await new Promise((r) => setTimeout(r, t.windowMs));
      await latencyPhase(t, QUICK ? 5 : 30, (item += 1_000_000), sustained);
    }
    if (crms.includes('pipedrive'))
      await pipedriveDailyPhase(stack, tenant.connections.pipedrive, pd, seconds);
    if (crms.includes('salesforce')) {
      const bulk = await drainPhase(sf, QUICK ? 1000 : 10_000, (item += 1_000_000));
      console.log(`BENCH writes.salesforce.bulk${QUICK ? '1k' : '10k'}_s ${bulk.seconds.toFixed(1)} s`);
      console.log(`BENCH writes.salesforce.bulk_succeeded ${bulk.succeeded} operations`);
    }

    await stack.unthrottle('hubspot', tenant.connections.hubspot);
    const jobs = QUICK ? 2000 : 20_000;
    const cpu = cpuMeter({
      store: stores.started.find((s) => s.name === 'mongodb')?.pid,
      worker: worker.pid,
      gateway_and_sandboxes: process.pid,
    });
    const storeBefore = {
      worker: await readStoreCounters(workerMetrics),
      gateway: await readStoreCounters(),
    };
    const drained = await drainPhase(hs, jobs, (item += 1_000_000));
    const jobsPerS = drained.succeeded / drained.seconds;
    console.log(`BENCH writes.queue.jobs_per_s ${jobsPerS.toFixed(0)} operations/s`);
    // What each process spent per operation in that phase: steady under a shared machine's noise.
    for (const [part, ms] of Object.entries(cpu.perOp(drained.succeeded))) {
      if (Number.isFinite(ms)) console.log(`BENCH writes.queue.cpu_ms_per_op.${part} ${ms.toFixed(3)} ms`);
    }
    // Where the store's work comes from: each process's commands and returned documents per operation
    // (a comment line each, not figures: which collection leads is what they are for).
    for (const [part, url] of [
      ['worker', workerMetrics],
      ['gateway', undefined],
    ] as const) {
      const rows = perOperation(storeBefore[part], await readStoreCounters(url), drained.succeeded);
      console.log(
        `# store work per operation, ${part}: ${rows.map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`,
      );
    }
    if (Number.isFinite(noopJobsPerS)) {
      console.log(`BENCH writes.queue.share_of_noop ${((100 * jobsPerS) / noopJobsPerS).toFixed(1)} %`);
    }
  } finally {
    await worker.stop();
  }
}

/**
 * Pipedrive against the budget that binds at its plan, the daily tokens, on a scaled window: the plan's
 * day compressed to a minute at the same allocation per minute, in the sandbox (`dailyWindowMs`,
 * `dailyTokenBudget`) and on the connection (`settings.budgets.daily`) alike, the burst at the plan's
 * value. Sustained only: its latency would be the budget's wait, which the burst phase's latency is not.
 */
async function pipedriveDailyPhase(
  stack: ReadStack,
  connectionId: string,
  burstTarget: WritePhaseTarget,
  seconds: number,
): Promise<void> {
  stack.sandboxes.sandboxes.pipedrive!.server.patchSettings('default', {
    dailyTokenBudget: PIPEDRIVE_DAILY_PER_MINUTE,
    dailyWindowMs: MINUTE,
  });
  await setBudgets(stack, connectionId, {
    burst: { limit: PIPEDRIVE_PLAN.burst },
    daily: { limit: PIPEDRIVE_DAILY_PER_MINUTE, windowMs: MINUTE },
  });
  // A new scaled day on both sides: the sandbox's period starts over with the setting, and our count of
  // the lifted day (with the allocation the vendor's headers stated for it) is dropped.
  const connection = await stack.ctx.store.connections.getById(connectionId);
  const daily = CRMS.pipedrive.budgets.find((b) => b.name === 'daily')!;
  await stack.ctx.redis.del(budgetKey(stack.ctx.redisPrefix, connection, daily));
  const createTokens = TOKEN_COSTS['v2.create'];
  const ceiling = (backgroundShare('pipedrive', 'daily') * PIPEDRIVE_DAILY_PER_MINUTE) / createTokens / 60;
  console.log(`BENCH writes.pipedrive_daily.allocation_per_min ${PIPEDRIVE_DAILY_PER_MINUTE} tokens`);
  await sustainedPhase(
    {
      ...burstTarget,
      crm: 'pipedrive_daily',
      windowMs: MINUTE,
      ceilingRecordsPerS: ceiling,
      minBacklog: PIPEDRIVE_DAILY_BACKLOG,
    },
    seconds,
  );
}

async function setBudgets(
  stack: ReadStack,
  connectionId: string,
  budgets: Record<string, unknown>,
): Promise<void> {
  const connection = await stack.ctx.store.connections.getById(connectionId);
  await stack.ctx.store.connections.update(connectionId, { settings: { ...connection.settings, budgets } });
}

async function main(): Promise<void> {
  const sfPerMinute = arg('sf-per-minute', 1200);
  const stores = await startThrowawayStores('bench-writes', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  const name = `benchwrites_${process.pid}`;
  const keySpec = KeyRing.generateSpec('bench');
  let stack: ReadStack | undefined;
  try {
    stack = await startReadStack({
      mongodbUri: stores.mongodbUri,
      redisUrl: stores.redisUrl,
      name,
      orgs: smallOrgs(['default', 'naive'], 7),
      keyRing: KeyRing.parse(keySpec),
    });
    // --peers=0: the gateway's phases alone (profiling); no share of the no-op rate is then printed.
    const noop = arg('peers', 1) === 0 ? NaN : await peers(stack, sfPerMinute, stores.redisUrl, name);
    const missing = await writeApiMissing();
    if (missing) {
      console.log(
        `# writes: gateway phases SKIPPED — ${missing} (the write API and the write worker are not on this build); ` +
          'no writes.hubspot.*, writes.salesforce.* or writes.queue.jobs_per_s figures were measured',
      );
      return;
    }
    await gatewayPhases(stack, stores, name, keySpec, sfPerMinute, noop);
  } finally {
    await stack?.close();
    await stores.stop();
  }
}

if (process.argv.includes(NOOP_WORKER_FLAG)) {
  serveNoopWorker();
} else {
  runBench(main);
}
