import { type Client } from 'graphql-ws';
import { UPSERT_CONTACTS } from '../../support/write-contract';
import { wsClient } from '../../e2e/support/gateway';
import { judge, postGraphql, readyzStatus, sleep } from '../support/answers';
import { type Fleet } from '../support/fleet';
import { rel } from '../support/rel';

/**
 * Issue 23, scenario 4: gateway 0 is SIGTERMed while it serves slow HTTP requests (the sandbox holds
 * each vendor call `slowMs`) and WebSocket subscribers of `syncEvents`, and while writes through
 * gateway 1 keep the workers recording change events. The gateway says "draining" on /readyz for its
 * DRAIN_DELAY_MS, finishes every request in flight with its full answer, closes each WebSocket with
 * 1001 (going away: reconnect); each subscriber reconnects to gateway 1 with `after:` its last cursor
 * and, with what it had, holds exactly the change history's events from its first one on — no gap,
 * no duplicate. The fleet's gateways need DRAIN_DELAY_MS (e.g. 1000).
 */
export interface GatewayDrainSize {
  /** Slow HTTP requests in flight when SIGTERM lands. */
  inFlight: number;
  /** How long the sandbox holds each of them. */
  slowMs: number;
  /** WebSocket subscribers on the stopping gateway. */
  subscribers: number;
  /** Contacts per write while events are produced. */
  list: number;
}

export const GATEWAY_DRAIN_FULL: GatewayDrainSize = { inFlight: 20, slowMs: 3000, subscribers: 5, list: 5 };

const CONTACTS = `query Drain($c: ID!, $n: Int!) { contacts(connectionId: $c, first: $n) { edges { node { remoteId email } } } }`;
const SYNC_EVENTS = `subscription Drain($after: String) { syncEvents(after: $after) { id cursor } }`;

interface Seen {
  id: string;
  cursor: string;
}

/** One syncEvents subscriber: every event it received over each of its connections, in order. */
class Subscriber {
  readonly seen: Seen[] = [];
  readonly errors: unknown[] = [];
  closeCode: number | undefined;
  private client: Client | undefined;

  connect(url: string, key: string, after: string | null): void {
    this.client = wsClient(url, `Bearer ${key}`, (code) => {
      this.closeCode ??= code;
    });
    this.client.subscribe<{ syncEvents: Seen }>(
      { query: SYNC_EVENTS, variables: { after } },
      {
        next: (r) => {
          if (r.data) this.seen.push(r.data.syncEvents);
          if (r.errors) this.errors.push(...r.errors);
        },
        error: (e) => {
          // A close by the server ends the subscription with its CloseEvent: counted by `closeCode`.
          if (!(e && typeof e === 'object' && 'code' in e)) this.errors.push(e);
        },
        complete: () => undefined,
      },
    );
  }

  dispose(): Promise<void> {
    return Promise.resolve(this.client?.dispose());
  }
}

/** The tenant's change number of an event id (`<tenantId>:<seq>`). */
const seqOf = (id: string) => Number(id.slice(id.lastIndexOf(':') + 1));

export async function gatewayDrain(fleet: Fleet, size: GatewayDrainSize): Promise<void> {
  const { hubspot, salesforce } = fleet.tenant.connections;
  await fleet.stack.unthrottle('hubspot', hubspot);
  await fleet.stack.unthrottle('salesforce', salesforce);
  const key = fleet.tenant.key;
  const [stopping, staying] = fleet.urls as [string, string];
  const tag = `d${Date.now().toString(36)}`;
  let written = 0;
  const writeOnce = async () => {
    const items = Array.from({ length: size.list }, () => {
      written += 1;
      return {
        input: { firstName: 'Drain', lastName: `D${written}`, email: `drain-${tag}-${written}@example.org` },
      };
    });
    const answer = await postGraphql(staying, key, UPSERT_CONTACTS, { c: salesforce, items });
    if (judge(answer) !== 'ok')
      throw new Error(`a write through gateway 1 failed: ${answer.text.slice(0, 300)}`);
  };

  // Subscribers on the gateway that will stop, live once each has an event of the writes.
  const subscribers = Array.from({ length: size.subscribers }, () => new Subscriber());
  for (const s of subscribers) s.connect(stopping, key, null);
  for (const deadline = Date.now() + 60_000; subscribers.some((s) => s.seen.length === 0);) {
    if (Date.now() > deadline) throw new Error('the subscribers got no event within 60 s');
    await writeOnce();
    await sleep(500);
  }

  // Slow requests in flight, each a page size of its own (n of 1..5, cycled) with its expected answer.
  const expected = new Map<number, unknown>();
  for (let n = 1; n <= 5; n++)
    expected.set(n, (await postGraphql(stopping, key, CONTACTS, { c: hubspot, n })).data);
  await fleet.stack.setFaults('hubspot', { latencyMs: size.slowMs });
  const slow = Array.from({ length: size.inFlight }, async (_, i) => {
    const n = (i % 5) + 1;
    try {
      return judge(await postGraphql(stopping, key, CONTACTS, { c: hubspot, n }), expected.get(n));
    } catch {
      return 'broken' as const;
    }
  });
  let producing = true;
  const producer = (async () => {
    while (producing) {
      await writeOnce();
      await sleep(200);
    }
  })();
  await sleep(Math.min(1000, size.slowMs / 3));

  // SIGTERM; /readyz says draining during DRAIN_DELAY_MS while the listener still answers.
  const terminated = fleet.gateways[0]!.stop();
  // Polled until the listener closes: once it has said draining, it never says ready again.
  const polls: string[] = [];
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const r = await readyzStatus(stopping);
    if (r.status === 0) break;
    polls.push(`${r.status} ${r.state}`);
    await sleep(50);
  }
  const firstDraining = polls.indexOf('503 draining');
  const drainingPolls = polls.filter((p) => p === '503 draining').length;
  const readyAfterDraining =
    firstDraining < 0 ? 0 : polls.slice(firstDraining).filter((p) => !p.startsWith('503')).length;
  const answers = await Promise.all(slow);
  await terminated;
  await fleet.stack.setFaults('hubspot', null);

  // Each subscriber, once closed, resumes on the other gateway after the last event it saw.
  for (const deadline = Date.now() + 30_000; subscribers.some((s) => s.closeCode === undefined);) {
    if (Date.now() > deadline) break;
    await sleep(50);
  }
  for (const s of subscribers) s.connect(staying, key, s.seen[s.seen.length - 1]!.cursor);
  await sleep(2000);
  producing = false;
  await producer;

  // Every event the workers record for the writes, then compare each subscriber's with the history.
  const changeEvents = fleet.stack.ctx.store.changeEvents;
  const tenantId = fleet.tenant.tenantId;
  let last = -1;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    const max = await changeEvents.maxSeq(tenantId);
    const caughtUp = subscribers.every((s) => seqOf(s.seen[s.seen.length - 1]!.id) >= max);
    if (caughtUp && max === last) break;
    last = max;
    await sleep(2000);
  }
  const max = await changeEvents.maxSeq(tenantId);
  let missed = 0;
  let duplicated = 0;
  for (const s of subscribers) {
    const seqs = s.seen.map((e) => seqOf(e.id));
    const stored = (await changeEvents.range(tenantId, seqs[0]!, max))
      .filter((n) => !n.gap)
      .map((n) => n.seq);
    const got = new Set(seqs);
    missed += stored.filter((seq) => !got.has(seq)).length;
    duplicated += seqs.length - got.size;
    // In order, too: the seam must not reorder.
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }
  await Promise.all(subscribers.map((s) => s.dispose()));

  const completed = answers.filter((v) => v === 'ok').length;
  const codes = [...new Set(subscribers.map((s) => s.closeCode ?? 0))];
  rel('drain.in_flight_completed', completed, 'requests');
  rel('drain.in_flight_failed', answers.length - completed, 'requests');
  rel('drain.ws_close_code', codes.join(','), 'code');
  rel('drain.readyz_draining', drainingPolls, 'polls');
  rel('drain.readyz_ready_after_draining', readyAfterDraining, 'polls');
  rel(
    'drain.events_seen',
    subscribers.reduce((n, s) => n + s.seen.length, 0),
    'events',
  );
  rel('drain.events_missed', missed, 'events');
  rel('drain.events_duplicated', duplicated, 'events');

  expect(completed).toBe(size.inFlight);
  expect(codes).toEqual([1001]);
  expect(drainingPolls).toBeGreaterThan(0);
  expect(readyAfterDraining).toBe(0);
  expect(subscribers.flatMap((s) => s.errors)).toEqual([]);
  expect(missed).toBe(0);
  expect(duplicated).toBe(0);
  // The switch happened while events were produced: each subscriber saw events from both gateways.
  expect(written).toBeGreaterThan(0);
}
