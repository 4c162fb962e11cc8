import { hubspotWebhookEvent, hubspotWebhookHeaders } from '../../support/webhook-events';
import { type Fleet } from '../support/fleet';
import { rel } from '../support/rel';
import { sleep } from '../support/write-checks';

/**
 * Issue 23, scenario 5: a HubSpot webhook storm across every gateway — deliveries of signed events,
 * a share of them redeliveries of events already sent (to any gateway, concurrently), a share signed
 * with the wrong secret or altered after signing. Each good event is recorded once (one receipt,
 * whichever gateway took it first), every bad delivery is refused and records nothing, and the
 * workers ingest every receipt.
 */
export interface WebhookStormSize {
  /** Events in all, duplicates and bad ones included. */
  events: number;
  /** Events per delivery (HubSpot batches up to 100). */
  perDelivery: number;
  /** Deliveries in flight at once. */
  concurrency: number;
}

export const WEBHOOK_STORM_FULL: WebhookStormSize = { events: 10_000, perDelivery: 10, concurrency: 16 };
export const WEBHOOK_STORM_SMALL: WebhookStormSize = { events: 600, perDelivery: 10, concurrency: 8 };

const DUPLICATE_SHARE = 0.2;
const BAD_SHARE = 0.05;
const SECRET = 'fleet-app-client-secret';
/** What HubSpot was told to call: the load balancer's URL, the same whichever gateway answers. */
const WEBHOOK_URL = 'https://gateway.fleet.example/webhooks/hubspot';
const CONTACT_IDS = `query Ids($c: ID!) { contacts(connectionId: $c, first: 5) { edges { node { remoteId } } } }`;
const ACTIVITY = `query Activity($id: ID!) { connection(id: $id) { sync { webhooks { rejected } } } }`;

interface Delivery {
  body: string;
  /** `good`: signed right; `forged`: the wrong secret; `tampered`: signed, then an event changed. */
  kind: 'good' | 'forged' | 'tampered';
}

type Event = Record<string, unknown>;
const keyOf = (e: Event) =>
  `${String(e.subscriptionId)}:${String(e.eventId)}:${String(e.objectId)}:${String(e.occurredAt)}`;

/**
 * The storm's deliveries in a shuffled order: unique good events, redeliveries of good ones (a new
 * attemptNumber, as HubSpot retries), and whole bad deliveries of events never sent signed.
 */
function plan(portalId: number, objectIds: string[], size: WebhookStormSize) {
  const badDeliveries = Math.round((size.events * BAD_SHARE) / size.perDelivery);
  const duplicates = Math.round(size.events * DUPLICATE_SHARE);
  const unique = size.events - duplicates - badDeliveries * size.perDelivery;
  const event = (i: number) =>
    hubspotWebhookEvent(portalId, { objectId: Number(objectIds[i % objectIds.length]) });
  const good = Array.from({ length: unique }, (_, i) => event(i));
  const redelivered = Array.from({ length: duplicates }, (_, i) => ({
    ...good[(i * 7919) % unique]!,
    attemptNumber: 1 + Math.floor(i / unique),
  }));
  const goodEvents = shuffle([...good, ...redelivered]);
  const deliveries: Delivery[] = [];
  for (let i = 0; i < goodEvents.length; i += size.perDelivery) {
    deliveries.push({ body: JSON.stringify(goodEvents.slice(i, i + size.perDelivery)), kind: 'good' });
  }
  const badKeys = new Set<string>();
  for (let d = 0; d < badDeliveries; d++) {
    const events = Array.from({ length: size.perDelivery }, (_, i) => event(i));
    for (const e of events) badKeys.add(keyOf(e));
    deliveries.push({ body: JSON.stringify(events), kind: d % 2 === 0 ? 'forged' : 'tampered' });
  }
  return {
    deliveries: shuffle(deliveries),
    unique,
    duplicates,
    badDeliveries,
    goodKeys: new Set(good.map(keyOf)),
    badKeys,
  };
}

function shuffle<T>(list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** Sends one delivery to `gatewayUrl`: its status and answer. */
async function send(
  gatewayUrl: string,
  delivery: Delivery,
): Promise<{ status: number; json: Record<string, number> }> {
  const secret = delivery.kind === 'forged' ? 'not-the-app-secret' : SECRET;
  const headers = hubspotWebhookHeaders(delivery.body, WEBHOOK_URL, secret);
  // Tampered: the signature is of the body as sent by HubSpot; an attacker changed an object id since.
  const body =
    delivery.kind === 'tampered'
      ? delivery.body.replace(/"objectId":(\d+)/, '"objectId":9$1')
      : delivery.body;
  const res = await fetch(`${gatewayUrl}/webhooks/hubspot`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, number> };
}

export async function webhookStorm(fleet: Fleet, size: WebhookStormSize): Promise<void> {
  const c = fleet.tenant.connections.hubspot;
  await fleet.stack.unthrottle('hubspot', c);
  const connections = fleet.stack.ctx.store.connections;
  const connection = await connections.getById(c);
  await connections.update(c, {
    settings: { ...connection.settings, webhookClientSecret: SECRET, webhookUrl: WEBHOOK_URL },
  });
  const ids = await fleet.exec(CONTACT_IDS, { c });
  const objectIds = (
    ids.data as { contacts: { edges: { node: { remoteId: string } }[] } }
  ).contacts.edges.map((e) => e.node.remoteId);
  expect(objectIds.length).toBeGreaterThan(0);
  const rejectedBefore = await rejected(fleet, c);
  const storm = plan(Number(connection.externalAccountId), objectIds, size);

  // The deliveries, round-robin over the gateways, `concurrency` at a time.
  const answers: { kind: Delivery['kind']; status: number; json: Record<string, number> }[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: size.concurrency }, async () => {
      for (let i = next++; i < storm.deliveries.length; i = next++) {
        const delivery = storm.deliveries[i]!;
        answers.push({ kind: delivery.kind, ...(await send(fleet.urls[i % fleet.urls.length]!, delivery)) });
      }
    }),
  );
  const sendMs = Date.now() - started;

  // The workers take every receipt (bounded wait).
  const receipts = fleet.stack.ctx.store.conn.collection('webhook_receipts');
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; await sleep(1000)) {
    if ((await receipts.countDocuments({ connectionId: c, ingestedAt: null })) === 0) break;
  }
  const ingestMs = Date.now() - started;
  const stored = await receipts
    .find({ connectionId: c }, { projection: { _id: 1, ingestedAt: 1 } })
    .toArray();
  const storedKeys = stored.map((r) => String(r._id).slice(c.length + 1));
  const good = answers.filter((a) => a.kind === 'good');
  const bad = answers.filter((a) => a.kind !== 'good');
  const sum = (field: string) => good.reduce((n, a) => n + (a.json[field] ?? 0), 0);
  const recordedGood = storedKeys.filter((k) => storm.goodKeys.has(k)).length;
  const recordedBad = storedKeys.filter((k) => storm.badKeys.has(k)).length;
  const pending = stored.filter((r) => r.ingestedAt === null).length;
  const rejectedCount = bad.filter((a) => a.status === 401 || a.status === 403).length;
  const activityRejected = (await rejected(fleet, c)) - rejectedBefore;
  rel('webhooks.events', size.events, 'events');
  rel('webhooks.deliveries', storm.deliveries.length, 'deliveries');
  rel('webhooks.unique', storm.unique, 'events');
  rel('webhooks.recorded', recordedGood, 'events');
  rel(
    'webhooks.dup_recorded',
    stored.length - new Set(storedKeys).size + (sum('stored') - storm.unique),
    'events',
  );
  rel('webhooks.duplicates_answered', sum('duplicates'), 'events');
  rel('webhooks.rejected', rejectedCount, 'deliveries');
  rel('webhooks.bad_recorded', recordedBad, 'events');
  rel('webhooks.pending', pending, 'receipts');
  rel('webhooks.send_s', Number((sendMs / 1000).toFixed(1)), 's');
  rel('webhooks.ingested_s', Number((ingestMs / 1000).toFixed(1)), 's');
  // Every good delivery taken, every bad one refused; each good event stored once, none of the bad.
  expect(good.filter((a) => a.status !== 200)).toEqual([]);
  expect(bad.filter((a) => a.status !== 401 && a.status !== 403)).toEqual([]);
  expect(rejectedCount).toBe(storm.badDeliveries);
  expect({ recordedGood, recordedBad, stored: stored.length }).toEqual({
    recordedGood: storm.unique,
    recordedBad: 0,
    stored: storm.unique,
  });
  // The answers agree: each event counted stored by exactly one delivery, its redeliveries as duplicates.
  expect({ stored: sum('stored'), duplicates: sum('duplicates'), dropped: sum('dropped') }).toEqual({
    stored: storm.unique,
    duplicates: storm.duplicates,
    dropped: 0,
  });
  expect(pending).toBe(0);
  expect(activityRejected).toBe(storm.badDeliveries);
}

async function rejected(fleet: Fleet, connectionId: string): Promise<number> {
  const body = await fleet.exec(ACTIVITY, { id: connectionId });
  if (body.errors) throw new Error(`connection.sync.webhooks: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return (body.data as { connection: { sync: { webhooks: { rejected: number } } } }).connection.sync.webhooks
    .rejected;
}
