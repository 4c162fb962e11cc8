import { QUEUES } from '../../../src/queue/queues';
import { hubspotWebhookEvent } from '../../support/webhook-events';
import { type ReadCrm } from '../../support/read-stack';
import { UPSERT_CONTACTS } from '../../support/write-contract';
import { type GraphqlAnswer, judge, postGraphql, sleep, Tally } from '../support/answers';
import { type Fleet } from '../support/fleet';
import { acceptHubspotWebhooks, sendHubspotDelivery } from '../support/hubspot-deliveries';
import {
  mean,
  metricSum,
  type ProcessSample,
  queueDepth,
  sampleProcess,
  scrape,
  slope,
} from '../support/process-samples';
import { rel } from '../support/rel';

/**
 * Issue 23, scenario 7: a soak. Minutes of steady mixed load through both gateways — contact reads on
 * four CRMs (each answer must equal what the sandbox holds), upsertContacts writes to Salesforce and
 * signed HubSpot webhook deliveries of new events — with polling on (the fleet's SYNC_POLL_EVERY_MS).
 * Every 10 s it samples each gateway's and worker's memory and event-loop lag (their /metrics) and each
 * Bull queue's depth (waiting + delayed + active, from Redis).
 *
 * The bounds it fails on:
 * - memory flat: the run's first 20 % is warm-up; the rest is cut in thirds, and each process's
 *   average heap used in the last third is ≤ its first third's × 1.25 + 32 MiB;
 * - queues bounded: within 60 s of the load stopping, every queue holds ≤ {@link END_DEPTH_BOUND} jobs;
 * - no wrong answer (test/reliability/support/answers.ts), every delivery stored and ingested, polls
 *   run, no process restart.
 * Event-loop lag, RSS, the heap's slope and the queues' peak are reported (REL lines), not asserted.
 */
export interface SoakSize {
  minutes: number;
  /** Contact reads a second, over both gateways. */
  readsPerSecond: number;
  /** upsertContacts requests a second, each of `writeList` contacts. */
  writesPerSecond: number;
  writeList: number;
  /** Webhook deliveries a second, each of `deliveryEvents` events. */
  deliveriesPerSecond: number;
  deliveryEvents: number;
}

/**
 * What a 2-core machine shared with other work sustains beside 2 gateways, 3 workers, Redis, the
 * MongoDB-wire store and the sandboxes: about 6 requests a second, 10 contacts written and 5 webhook
 * events a second.
 */
export const SOAK_STEADY: Omit<SoakSize, 'minutes'> = {
  readsPerSecond: 4,
  writesPerSecond: 1,
  writeList: 5,
  deliveriesPerSecond: 1,
  deliveryEvents: 5,
};

/** The poll interval the soak's fleet runs with (SYNC_POLL_EVERY_MS): every connection polled all along. */
export const SOAK_POLL_EVERY_MS = 5000;

const SAMPLE_EVERY_MS = 10_000;
const WARM_UP_SHARE = 0.2;
const HEAP_GROWTH_FACTOR = 1.25;
const HEAP_GROWTH_MIB = 32;
/**
 * Jobs a queue may still hold once drained: each repeatable job's next run waits delayed (the poll
 * schedule, maintenance), and polling stays on, so up to one poll per connection (one job id each) and
 * a backfill kick may be waiting or active at any moment.
 */
const END_DEPTH_BOUND = 10;
const DRAIN_LIMIT_MS = 60_000;
/** Requests of one kind in flight at once: past it a tick is skipped and counted (the machine lags). */
const MAX_IN_FLIGHT = 16;

const READ_CRMS: ReadCrm[] = ['hubspot', 'dynamics', 'pipedrive', 'zoho'];
const CONTACTS = `query Soak($c: ID!) { contacts(connectionId: $c, first: 5) { edges { node { remoteId email firstName lastName } } } }`;

interface Steady {
  done: number;
  skipped: number;
}

/** Calls `fire(i)` `perSecond` times a second until `stopAt`, not waiting for one to end before the next. */
async function steady(
  perSecond: number,
  stopAt: number,
  fire: (i: number) => Promise<void>,
): Promise<Steady> {
  const result: Steady = { done: 0, skipped: 0 };
  const running = new Set<Promise<void>>();
  const started = Date.now();
  for (let i = 0; ; i++) {
    const due = started + (i * 1000) / perSecond;
    if (due >= stopAt) break;
    await sleep(Math.max(0, due - Date.now()));
    if (running.size >= MAX_IN_FLIGHT) {
      result.skipped += 1;
      continue;
    }
    const call = fire(i).finally(() => {
      running.delete(call);
      result.done += 1;
    });
    running.add(call);
  }
  await Promise.all(running);
  return result;
}

interface Watched {
  label: string;
  metricsUrl: string;
  samples: ProcessSample[];
}

export async function soak(fleet: Fleet, size: SoakSize): Promise<void> {
  const { connections } = fleet.tenant;
  for (const crm of ['salesforce', ...READ_CRMS] as ReadCrm[])
    await fleet.stack.unthrottle(crm, connections[crm]);
  const portalId = await acceptHubspotWebhooks(fleet, connections.hubspot);
  const key = fleet.tenant.key;
  const urls = fleet.urls;
  const pids = [...fleet.gateways, ...fleet.workers].map((p) => p.pid);

  // A right read is what the sandbox holds: its first page before the load, which nothing changes.
  const expected = new Map<ReadCrm, GraphqlAnswer['data']>();
  for (const crm of READ_CRMS) {
    const first = await postGraphql(urls[0]!, key, CONTACTS, { c: connections[crm] });
    expect(judge(first)).toBe('ok');
    expected.set(crm, first.data);
  }
  const hubspotIds = (
    expected.get('hubspot') as { contacts: { edges: { node: { remoteId: string } }[] } }
  ).contacts.edges.map((e) => Number(e.node.remoteId));
  expect(hubspotIds.length).toBeGreaterThan(0);

  const watched: Watched[] = [
    ...fleet.gateways.map((g, i) => ({ label: `gateway${i}`, metricsUrl: `${g.url}/metrics`, samples: [] })),
    ...fleet.workers.map((w, i) => {
      const metricsUrl = w.ready.metricsUrl;
      if (typeof metricsUrl !== 'string')
        throw new Error('a worker without metrics: start the fleet with WORKER_METRICS_PORT');
      return { label: `worker${i}`, metricsUrl, samples: [] as ProcessSample[] };
    }),
  ];
  const queues = Object.values(QUEUES).map((name) => ({
    name,
    queue: fleet.stack.ctx.queues.get(name),
    depths: [] as number[],
  }));

  const tally = new Tally();
  const tag = `s${Date.now().toString(36)}`;
  const started = Date.now();
  const stopAt = started + size.minutes * 60_000;
  const seconds = () => (Date.now() - started) / 1000;
  const sample = async () => {
    const t = seconds();
    await Promise.all([
      ...watched.map(async (w) => {
        const s = await sampleProcess(w.metricsUrl, t);
        if (s) w.samples.push(s);
      }),
      ...queues.map(async (q) => q.depths.push(await queueDepth(q.queue))),
    ]);
  };
  const sampler = (async () => {
    for (let next = started; next < stopAt; next += SAMPLE_EVERY_MS) {
      await sleep(Math.max(0, next - Date.now()));
      await sample();
    }
  })();

  const guard = (what: string) => (err: unknown) => {
    // A refused or reset connection is a broken answer too: nothing is killed here.
    tally.counts.broken += 1;
    if (tally.brokenSamples.length < 10) tally.brokenSamples.push(`${what}: ${String(err)}`);
  };
  const [reads, writes, deliveries] = await Promise.all([
    steady(size.readsPerSecond, stopAt, async (i) => {
      const crm = READ_CRMS[i % READ_CRMS.length]!;
      const url = urls[i % urls.length]!;
      const answer = await postGraphql(url, key, CONTACTS, { c: connections[crm] }).catch(
        guard(`read ${crm}`),
      );
      if (answer) tally.add(`read ${crm} via ${url}`, answer, judge(answer, expected.get(crm)));
    }),
    steady(size.writesPerSecond, stopAt, async (i) => {
      const url = urls[i % urls.length]!;
      const items = Array.from({ length: size.writeList }, (_, j) => ({
        input: { firstName: 'Soak', lastName: `S${i}-${j}`, email: `soak-${tag}-${i}-${j}@example.org` },
      }));
      const answer = await postGraphql(url, key, UPSERT_CONTACTS, { c: connections.salesforce, items }).catch(
        guard('write'),
      );
      if (answer) tally.add(`write via ${url}`, answer, judge(answer));
    }),
    steady(size.deliveriesPerSecond, stopAt, async (i) => {
      const url = urls[i % urls.length]!;
      const events = Array.from({ length: size.deliveryEvents }, (_, j) =>
        hubspotWebhookEvent(portalId, { objectId: hubspotIds[(i + j) % hubspotIds.length] }),
      );
      const answer = await sendHubspotDelivery(url, { body: JSON.stringify(events), kind: 'good' }).catch(
        guard('delivery'),
      );
      if (!answer) return;
      // New events each time: a delivery that is not taken, or not stored whole, is a broken promise.
      const right = answer.status === 200 && answer.json.stored === size.deliveryEvents;
      tally.counts[right ? 'ok' : 'broken'] += 1;
      if (!right && tally.brokenSamples.length < 10) {
        tally.brokenSamples.push(`delivery via ${url}: HTTP ${answer.status} ${JSON.stringify(answer.json)}`);
      }
    }),
  ]);
  await sampler;

  // The load stopped: the queues drain back to their resting depth.
  const loadEnded = Date.now();
  let endDepths = queues.map(() => 0);
  for (;;) {
    endDepths = await Promise.all(queues.map((q) => queueDepth(q.queue)));
    if (endDepths.every((d) => d <= END_DEPTH_BOUND) || Date.now() - loadEnded > DRAIN_LIMIT_MS) break;
    await sleep(2000);
  }
  const drainSeconds = (Date.now() - loadEnded) / 1000;
  // Polling was on all along, and the workers ingested every delivery's events.
  const workerMetrics = await Promise.all(
    watched.filter((w) => w.label.startsWith('worker')).map((w) => scrape(w.metricsUrl)),
  );
  const polls = workerMetrics.reduce((n, text) => n + metricSum(text ?? '', 'cgw_sync_polls_total'), 0);
  const pendingReceipts = await fleet.stack.ctx.store.conn
    .collection('webhook_receipts')
    .countDocuments({ connectionId: connections.hubspot, ingestedAt: null });
  const samePids = [...fleet.gateways, ...fleet.workers].map((p) => p.pid);

  // Memory: the samples after warm-up, in thirds.
  const warmUpUntil = size.minutes * 60 * WARM_UP_SHARE;
  const third = (size.minutes * 60 - warmUpUntil) / 3;
  const heapChecks = watched.map((w) => {
    const settled = w.samples.filter((s) => s.t >= warmUpUntil);
    const first = mean(settled.filter((s) => s.t < warmUpUntil + third).map((s) => s.heapUsedMiB));
    const last = mean(settled.filter((s) => s.t >= warmUpUntil + 2 * third).map((s) => s.heapUsedMiB));
    const bound = first * HEAP_GROWTH_FACTOR + HEAP_GROWTH_MIB;
    const p = w.label;
    rel(`soak.${p}.samples`, w.samples.length, 'samples');
    rel(`soak.${p}.rss_start`, w.samples[0]?.rssMiB ?? -1, 'MiB');
    rel(`soak.${p}.rss_end`, w.samples.at(-1)?.rssMiB ?? -1, 'MiB');
    rel(`soak.${p}.heap_first_third`, first, 'MiB');
    rel(`soak.${p}.heap_last_third`, last, 'MiB');
    rel(`soak.${p}.heap_bound`, bound, 'MiB');
    rel(`soak.${p}.heap_slope`, slope(settled.map((s) => ({ x: s.t / 60, y: s.heapUsedMiB }))), 'MiB/min');
    rel(`soak.${p}.lag_p99_max`, Math.max(0, ...w.samples.map((s) => s.lagP99Ms)), 'ms');
    return { process: p, first, last, bound, flat: last <= bound };
  });
  for (const [i, q] of queues.entries()) {
    rel(`soak.queue.${q.name}.max`, Math.max(0, ...q.depths), 'jobs');
    rel(`soak.queue.${q.name}.end`, endDepths[i]!, 'jobs');
  }
  rel('soak.minutes', size.minutes, 'min');
  rel('soak.reads', reads.done, 'requests');
  rel('soak.writes', writes.done, 'requests');
  rel('soak.deliveries', deliveries.done, 'requests');
  rel('soak.skipped', reads.skipped + writes.skipped + deliveries.skipped, 'ticks');
  rel('soak.answers_ok', tally.counts.ok, 'answers');
  rel('soak.unavailable', tally.counts.unavailable, 'answers');
  rel('soak.wrong_answers', tally.counts.broken, 'answers');
  rel('soak.polls', polls, 'polls');
  rel('soak.receipts_pending', pendingReceipts, 'receipts');
  rel('soak.drain_s', drainSeconds, 's');
  rel('soak.process_restarts', samePids.filter((pid, i) => pid !== pids[i]).length, 'processes');

  if (tally.brokenSamples.length > 0)
    console.warn(`broken answers:\n${tally.brokenSamples.join('\n')}\n${fleet.output()}`);
  expect(tally.brokenSamples).toEqual([]);
  expect(tally.counts.broken).toBe(0);
  // Nothing fails here, so nothing may answer UNAVAILABLE either.
  expect(tally.counts.unavailable).toBe(0);
  expect(samePids).toEqual(pids);
  expect(polls).toBeGreaterThan(0);
  expect(pendingReceipts).toBe(0);
  // Every process sampled in each third (else its memory was not watched).
  for (const c of heapChecks) {
    expect({ process: c.process, sampled: Number.isFinite(c.first) && Number.isFinite(c.last) }).toEqual({
      process: c.process,
      sampled: true,
    });
  }
  expect(heapChecks.filter((c) => !c.flat)).toEqual([]);
  expect(Object.fromEntries(queues.map((q, i) => [q.name, endDepths[i]! <= END_DEPTH_BOUND]))).toEqual(
    Object.fromEntries(queues.map((q) => [q.name, true])),
  );
}
