import { type Exec } from './bench-cli';
import { percentile } from './http-load';
import { OPERATIONS_BY_STATUS, OperationWatch, UPSERT_CONTACTS } from '../../test/support/write-contract';

/**
 * The gateway's phases of `bench:writes`, written against the GraphQL contract of writes: mutations in
 * lists of ≤ 500 (`upsertContacts`), completion pushed by `writeOperationUpdated`. Records per second
 * are counted where they land — in the sandbox — so nothing the gateway says about itself makes the
 * figure; the operations' own final states give the failures and any 429 that leaked to a client.
 */

export interface WritePhaseTarget {
  /** `hubspot` / `salesforce`: the BENCH line's prefix `writes.<crm>`. */
  crm: string;
  url: string;
  key: string;
  connectionId: string;
  exec: Exec;
  /** Contacts the sandbox holds now (live ones). */
  sandboxRecords(): number;
  /**
   * Vendor calls and rate-limit refusals the sandbox logged since the last clear, and its successful
   * writes as [records carried, calls] (RequestLog.writeBatchSizes).
   */
  sandboxCalls(): { calls: number; refusals: number; batchSizes: [number, number][] };
  clearSandboxLog(): void;
  /** The vendor's rate window (ms): HubSpot 10 s, Salesforce's scaled minute. */
  windowMs: number;
  /** (1 − interactive reserve) × requests per second × batch size. */
  ceilingRecordsPerS: number;
  /**
   * The least backlog the sustained phase keeps queued; default {@link MIN_BACKLOG}. A ceiling of about a
   * record a second (a daily allocation on a scaled window) needs a few dozen, not two full lists it
   * would take half an hour to drain.
   */
  minBacklog?: number;
  /** One item of a list mutation: a create, or an upsert by external id. */
  item(n: number): Record<string, unknown>;
}

const LIST_MAX = 500;

/** A rate with three significant digits at least: a daily ceiling is about half a record a second. */
const perSecond = (perS: number): string => perS.toFixed(perS < 10 ? 2 : 1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Error texts of a GraphQL answer that a rate limit caused (ours or the vendor's). */
function rateLimited(errors: unknown): number {
  const list = Array.isArray(errors) ? (errors as { extensions?: { code?: string } }[]) : [];
  return list.filter((e) => /RATE_LIMIT|429/.test(String(e.extensions?.code))).length;
}

interface Submitted {
  ids: string[];
  leaked429: number;
}

/** Sends `count` items as list mutations of ≤ 500; returns the operation ids and rate-limited answers. */
async function submit(target: WritePhaseTarget, first: number, count: number, out: Submitted): Promise<void> {
  const items = Array.from({ length: count }, (_, i) => target.item(first + i));
  for (let i = 0; i < items.length; i += LIST_MAX) {
    const body = await target.exec(UPSERT_CONTACTS, {
      c: target.connectionId,
      items: items.slice(i, i + LIST_MAX),
    });
    if (body.errors) {
      out.leaked429 += rateLimited(body.errors);
      if (!rateLimited(body.errors))
        throw new Error(`${target.crm}: ${JSON.stringify(body.errors).slice(0, 400)}`);
      continue;
    }
    const ops = (body.data as { upsertContacts: { id: string }[] }).upsertContacts;
    out.ids.push(...ops.map((o) => o.id));
  }
}

/** The median of sizes given as [size, calls] pairs in ascending size; NaN when there are none. */
function weightedMedian(sizes: readonly [number, number][]): number {
  const total = sizes.reduce((n, [, calls]) => n + calls, 0);
  let seen = 0;
  for (const [size, calls] of sizes) {
    seen += calls;
    if (seen > total / 2) return size;
  }
  return NaN;
}

/** FAILED and DEAD operations of the connection, with how many failed for a rate limit. */
async function failures(
  target: WritePhaseTarget,
): Promise<{ failed: number; dead: number; rateLimited: number }> {
  const out = { failed: 0, dead: 0, rateLimited: 0 };
  for (const status of ['FAILED', 'DEAD'] as const) {
    for (let after: string | null = null; ;) {
      const body = await target.exec(OPERATIONS_BY_STATUS, { c: target.connectionId, s: status, after });
      if (body.errors) throw new Error(`writeOperations: ${JSON.stringify(body.errors).slice(0, 400)}`);
      const page = (
        body.data as {
          writeOperations: {
            nodes: { failure: { code: string } | null }[];
            pageInfo: { hasNextPage: boolean; endCursor: string | null };
          };
        }
      ).writeOperations;
      out[status === 'FAILED' ? 'failed' : 'dead'] += page.nodes.length;
      out.rateLimited += page.nodes.filter((n) => /RATE|429|LIMIT/.test(n.failure?.code ?? '')).length;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
  }
  return out;
}

/** A backlog of this many seconds of the rate records land at is kept queued during sustained load. */
const BACKLOG_SECONDS = 10;
/** The least backlog kept queued (two full lists): what the first seconds, with no rate yet, start from. */
const MIN_BACKLOG = 2 * LIST_MAX;

/**
 * Sustained load: a backlog of about ten seconds of work is kept queued at all times, for the first
 * rate window (reported as the burst) and then `seconds` more (the sustained figure: the vendor's
 * allowance, not one burst, sets it). Ten seconds of the rate records land at over the last five
 * seconds, at least {@link MIN_BACKLOG} and at most ten seconds of the ceiling: a gateway below the
 * ceiling still always has work queued, but not a backlog it would need minutes to drain (which would
 * then be measured as the next phase's latency). Records are sampled in the sandbox every 250 ms.
 * Returns the sustained rate, after the backlog has drained.
 */
export async function sustainedPhase(target: WritePhaseTarget, seconds: number): Promise<number> {
  const p = `BENCH writes.${target.crm}`;
  const minBacklog = target.minBacklog ?? MIN_BACKLOG;
  const maxBacklog = Math.max(minBacklog, Math.round(target.ceilingRecordsPerS * BACKLOG_SECONDS));
  const start = target.sandboxRecords();
  const sent: Submitted = { ids: [], leaked429: 0 };
  const landed: { at: number; records: number }[] = [];
  let next = 0;
  let stop = false;
  target.clearSandboxLog();
  /** Ten seconds of the landing rate over the last five seconds, within [MIN_BACKLOG, maxBacklog]. */
  const backlog = (now: number, records: number): number => {
    landed.push({ at: now, records });
    while (landed.length > 1 && now - landed[0]!.at > 5000) landed.shift();
    const first = landed[0]!;
    const rate = now > first.at ? ((records - first.records) * 1000) / (now - first.at) : 0;
    return Math.min(maxBacklog, Math.max(minBacklog, Math.round(rate * BACKLOG_SECONDS)));
  };
  // A producer that fails stops the phase at the next sample and fails the bench when awaited.
  const producer = (async () => {
    while (!stop) {
      const records = target.sandboxRecords() - start;
      const want = backlog(performance.now(), records);
      const queued = next - records;
      if (queued < want) {
        const n = Math.min(LIST_MAX, want - queued);
        await submit(target, next, n, sent);
        next += n;
      } else {
        await sleep(20);
      }
    }
  })();
  let failedProducer = false;
  producer.catch(() => (failedProducer = true));
  const t0 = performance.now();
  await sleep(target.windowMs);
  if (failedProducer) await producer;
  const atWindow = target.sandboxRecords();
  const t1 = performance.now();
  await sleep(seconds * 1000);
  if (failedProducer) await producer;
  const atEnd = target.sandboxRecords();
  const t2 = performance.now();
  stop = true;
  await producer;
  const { calls, refusals, batchSizes } = target.sandboxCalls();
  const burst = (atWindow - start) / ((t1 - t0) / 1000);
  const sustained = (atEnd - atWindow) / ((t2 - t1) / 1000);
  console.log(`${p}.records_per_s ${perSecond(sustained)} records/s`);
  console.log(`${p}.ceiling_records_per_s ${perSecond(target.ceilingRecordsPerS)} records/s`);
  console.log(`${p}.share_of_ceiling ${((100 * sustained) / target.ceilingRecordsPerS).toFixed(1)} %`);
  console.log(`${p}.burst_records_per_s ${perSecond(burst)} records/s`);
  console.log(`${p}.vendor_429 ${refusals} responses`);
  console.log(`${p}.calls ${calls} calls`);
  console.log(`${p}.batch_size.p50 ${weightedMedian(batchSizes)} records`);
  // What is still queued drains before the failures are counted and before the next phase starts.
  const drainStart = performance.now();
  const pending = () => next - (target.sandboxRecords() - start);
  while (pending() > 0 && performance.now() - drainStart < DRAIN_LIMIT_MS) await sleep(250);
  console.log(`${p}.drain_s ${((performance.now() - drainStart) / 1000).toFixed(1)} s`);
  const failed = await failures(target);
  console.log(`${p}.leaked_429 ${sent.leaked429 + failed.rateLimited} operations`);
  console.log(`${p}.failed ${failed.failed} operations`);
  console.log(`${p}.dead ${failed.dead} operations`);
  if (pending() > 0) {
    // What was counted, so a shortfall is told apart from a stall: items sent, operations the gateway
    // accepted for them, records the sandbox gained.
    throw new Error(
      `${target.crm}: ${pending()} records had not landed after the drain (${next} items sent, ` +
        `${sent.ids.length} operations accepted, ${target.sandboxRecords() - start} records landed)`,
    );
  }
  return sustained;
}

/** How long the backlog left by the sustained phase may take to drain. */
const DRAIN_LIMIT_MS = 300_000;

/**
 * Latency at half the rate the gateway sustained (at most half the ceiling), after the backlog of the
 * sustained phase has drained: small lists at a steady rate, each operation timed from its mutation's
 * send to its SUCCEEDED event. Half of what was sustained, not of the ceiling, when the gateway stays
 * below the ceiling: a load it cannot carry would measure its backlog, not its latency.
 */
export async function latencyPhase(
  target: WritePhaseTarget,
  seconds: number,
  firstItem: number,
  sustainedRecordsPerS: number,
): Promise<void> {
  const p = `BENCH writes.${target.crm}`;
  const rate = Math.max(1, Math.min(target.ceilingRecordsPerS, sustainedRecordsPerS) / 2);
  console.log(`${p}.latency_load ${rate.toFixed(1)} records/s`);
  const watch = await OperationWatch.open(target.url, target.key, target.connectionId);
  try {
    const perList = 10;
    const intervalMs = (1000 * perList) / rate;
    const sentAt = new Map<string, number>();
    const deadline = performance.now() + seconds * 1000;
    let n = firstItem;
    const inFlight: Promise<void>[] = [];
    while (performance.now() < deadline) {
      const at = performance.now();
      const mine: Submitted = { ids: [], leaked429: 0 };
      const list = submit(target, n, perList, mine).then(() => {
        for (const id of mine.ids) sentAt.set(id, at);
      });
      list.catch(() => undefined); // rethrown by the Promise.all below
      inFlight.push(list);
      n += perList;
      await sleep(Math.max(0, intervalMs - (performance.now() - at)));
    }
    await Promise.all(inFlight);
    await watch.untilAll([...sentAt.keys()], 120_000);
    const latencies = [...sentAt]
      .filter(([id]) => watch.finals.get(id)?.status === 'SUCCEEDED')
      .map(([id, at]) => watch.finishedAt.get(id)! - at)
      .sort((a, b) => a - b);
    console.log(`${p}.latency_ms.p50 ${percentile(latencies, 50).toFixed(1)} ms`);
    console.log(`${p}.latency_ms.p99 ${percentile(latencies, 99).toFixed(1)} ms`);
    console.log(`${p}.latency_samples ${latencies.length} operations`);
  } finally {
    await watch.close();
  }
}

/**
 * `count` operations submitted at once (lists of 500), timed from the first mutation to the last final
 * state: the Bulk 2.0 upsert on Salesforce, and the enqueue-to-complete rate at no vendor limit.
 */
export async function drainPhase(
  target: WritePhaseTarget,
  count: number,
  firstItem: number,
): Promise<{ seconds: number; succeeded: number }> {
  const watch = await OperationWatch.open(target.url, target.key, target.connectionId);
  try {
    const sent: Submitted = { ids: [], leaked429: 0 };
    const t0 = performance.now();
    await submit(target, firstItem, count, sent);
    await watch.untilAll(sent.ids, 600_000);
    const last = Math.max(...sent.ids.map((id) => watch.finishedAt.get(id) ?? 0));
    const succeeded = sent.ids.filter((id) => watch.finals.get(id)?.status === 'SUCCEEDED').length;
    return { seconds: (last - t0) / 1000, succeeded };
  } finally {
    await watch.close();
  }
}
