import {
  hubspotDedupeKey,
  hubspotWebhookDeliveries,
} from '../../../src/connectors/hubspot/webhook-deliveries';
import { HubSpotConnector } from '../../../src/connectors/hubspot/hubspot.connector';
import { signV3 } from '../../../src/connectors/hubspot/webhooks';
import { type ConnectorContext, type WebhookRequest } from '../../../src/connectors/types';
import { createLogger } from '../../../src/logger';
import { type WebhookIngestJobData } from '../../../src/queue/webhook-ingest.producer';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import {
  type NewWebhookReceipt,
  type ReceiptInsertOutcome,
} from '../../../src/store/repositories/webhook-receipts.repo';
import { NotFoundError } from '../../../src/errors';
import {
  receiveDelivery,
  WEBHOOK_MAX_EVENTS,
  type WebhookIntakeDeps,
} from '../../../src/sync/webhooks/receive-delivery';
import { webhookEventsDropped, webhookRejected } from '../../../src/sync/webhooks/webhook-metrics';

/**
 * The webhook intake without HTTP or stores: the real HubSpot connector verifies and parses, the
 * account index, connections, receipts and queue are in-memory doubles.
 */

const URL = 'https://gw.example.com/webhooks/hubspot';
const SECRET = 'app-secret';
const NOW = 1_780_000_000_000;
const logger = createLogger({ level: 'silent' });

function connection(id: string, portal: string, tenantId: string, secret = SECRET): ConnectionView {
  return {
    id,
    tenantId,
    crm: 'hubspot',
    displayName: id,
    status: 'ACTIVE',
    statusReason: null,
    externalAccountId: portal,
    vendorUrls: {},
    settings: { webhookClientSecret: secret },
    createdAt: new Date(NOW),
    updatedAt: new Date(NOW),
  };
}

/** A HubSpot event; `over` replaces fields. */
function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: 100,
    subscriptionId: 25,
    portalId: 111,
    appId: 7,
    occurredAt: NOW - 1000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 501,
    propertyName: 'email',
    propertyValue: 'a@example.com',
    ...over,
  };
}

function signed(
  body: string,
  options: { secret?: string; timestamp?: number; receivedAt?: number } = {},
): WebhookRequest {
  const timestamp = String(options.timestamp ?? NOW);
  return {
    method: 'POST',
    url: URL,
    headers: {
      'x-hubspot-signature-v3': signV3(options.secret ?? SECRET, 'POST', URL, body, timestamp),
      'x-hubspot-request-timestamp': timestamp,
    },
    rawBody: Buffer.from(body),
    receivedAt: new Date(options.receivedAt ?? NOW + 500),
  };
}

class Doubles {
  readonly stored = new Map<string, NewWebhookReceipt>();
  readonly jobs: WebhookIngestJobData[] = [];
  /** Ids each insertMany was asked to store. */
  readonly insertedBatches: string[][] = [];
  /** Ids the Redis fast path knows stored (when set, `deps().seen` is given). */
  seen: Set<string> | null = null;
  inserts = 0;
  /** What the intake reported per connection: deliveries received, deliveries rejected. */
  readonly activity = { received: [] as string[], rejected: [] as string[] };

  constructor(readonly connections: ConnectionView[]) {}

  deps(): WebhookIntakeDeps {
    return {
      accounts: {
        connectionIdsOf: async (_crm, accountIds) => {
          const found = new Map<string, string[]>();
          for (const a of accountIds) {
            const ids = this.connections.filter((c) => c.externalAccountId === a).map((c) => c.id);
            if (ids.length > 0) found.set(a, ids);
          }
          return found;
        },
      },
      connections: {
        getById: async (id) => {
          const found = this.connections.find((c) => c.id === id);
          if (!found) throw new NotFoundError(`no connection ${id}`);
          return found;
        },
      },
      connectorFor: (view) =>
        new HubSpotConnector({
          connection: { ...view, crm: 'hubspot' },
          // verifyWebhook and parseWebhook make no call.
          http: {} as ConnectorContext['http'],
          tokens: {} as ConnectorContext['tokens'],
          logger,
        }),
      receipts: {
        insertMany: async (receipts): Promise<ReceiptInsertOutcome> => {
          this.inserts += 1;
          this.insertedBatches.push(receipts.map((r) => r.id));
          const outcome: ReceiptInsertOutcome = { inserted: [], duplicates: [] };
          for (const r of receipts) {
            if (this.stored.has(r.id)) outcome.duplicates.push(r.id);
            else {
              this.stored.set(r.id, r);
              outcome.inserted.push(r.id);
            }
          }
          return outcome;
        },
      },
      enqueue: async (data) => {
        this.jobs.push(data);
      },
      activity: {
        received: async (ids) => void this.activity.received.push(...ids),
        rejected: async (ids) => void this.activity.rejected.push(...ids),
      },
      logger,
      ...(this.seen
        ? {
            seen: {
              known: async (ids: readonly string[]) => new Set(ids.filter((id) => this.seen!.has(id))),
              remember: async (ids: readonly string[]) => {
                for (const id of ids) this.seen!.add(id);
              },
            },
          }
        : {}),
    };
  }
}

async function counter(
  metric: typeof webhookRejected,
  labels: { crm: string; reason: string },
): Promise<number> {
  const values = (await metric.get()).values;
  const hit = values.find((v) => v.labels.crm === labels.crm && v.labels.reason === labels.reason);
  return hit?.value ?? 0;
}

function deliver(d: Doubles, req: WebhookRequest) {
  return receiveDelivery(d.deps(), 'hubspot', hubspotWebhookDeliveries, req);
}

describe('webhook intake: verification', () => {
  it('stores a signed delivery: one receipt per event, one job with their ids', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    const body = JSON.stringify([event(), event({ eventId: 101, objectId: 502 })]);
    const outcome = await deliver(d, signed(body));
    expect(outcome).toEqual({ kind: 'accepted', events: 2, stored: 2, duplicates: 0, dropped: 0 });
    expect([...d.stored.keys()].sort()).toEqual([
      'c1:25:100:501:' + (NOW - 1000),
      'c1:25:101:502:' + (NOW - 1000),
    ]);
    const receipt = d.stored.get(`c1:25:100:501:${NOW - 1000}`)!;
    expect(receipt).toMatchObject({ tenantId: 't1', connectionId: 'c1', crm: 'hubspot' });
    expect(receipt.changes).toEqual([
      expect.objectContaining({
        object: 'contact',
        remoteId: '501',
        kind: 'UPSERTED',
        changedFields: ['email'],
      }),
    ]);
    expect(d.jobs).toEqual([{ connectionId: 'c1', receiptIds: [...d.stored.keys()] }]);
    expect(d.activity).toEqual({ received: ['c1'], rejected: [] });
  });

  it('refuses a bad signature, a stale and a future timestamp: nothing stored, nothing enqueued', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    const body = JSON.stringify([event()]);
    const before = await counter(webhookRejected, { crm: 'hubspot', reason: 'invalid_signature' });
    const wrongSecret = signed(body, { secret: 'not-the-app-secret' });
    const tampered = { ...signed(body), rawBody: Buffer.from(body.replace('501', '502')) };
    const stale = signed(body, { timestamp: NOW - 5 * 60_000 - 1 });
    const future = signed(body, { timestamp: NOW + 5 * 60_000 + 501 });
    const unsigned = { ...signed(body), headers: {} };
    for (const req of [wrongSecret, tampered, stale, future, unsigned]) {
      await expect(deliver(d, req)).resolves.toEqual({ kind: 'rejected', reason: 'invalid_signature' });
    }
    expect(d.inserts).toBe(0);
    expect(d.jobs).toEqual([]);
    expect(await counter(webhookRejected, { crm: 'hubspot', reason: 'invalid_signature' })).toBe(before + 5);
    // Each refusal is shown on the connection whose account the delivery named.
    expect(d.activity).toEqual({ received: [], rejected: ['c1', 'c1', 'c1', 'c1', 'c1'] });
    // Inside the window either way: accepted.
    const recent = signed(body, { timestamp: NOW - 4 * 60_000 });
    await expect(deliver(d, recent)).resolves.toMatchObject({ kind: 'accepted', stored: 1 });
  });

  it('answers a body that is not a delivery, and one with too many events, without looking further', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    for (const body of ['not json', '{"portalId":111}', '', 'null']) {
      await expect(deliver(d, signed(body))).resolves.toEqual({ kind: 'rejected', reason: 'not_a_delivery' });
    }
    const many = JSON.stringify(
      Array.from({ length: WEBHOOK_MAX_EVENTS + 1 }, (_, i) => event({ eventId: i })),
    );
    await expect(deliver(d, signed(many))).resolves.toEqual({ kind: 'rejected', reason: 'too_many_events' });
    expect(d.inserts).toBe(0);
  });
});

describe('webhook intake: routing', () => {
  it('routes a multi-portal delivery to every connection of each portal, and drops unknown portals', async () => {
    const d = new Doubles([
      connection('a1', '111', 'tenant-1'),
      connection('a2', '111', 'tenant-2'), // a second tenant connected the same portal
      connection('b1', '222', 'tenant-1'),
    ]);
    const body = JSON.stringify([
      event({ portalId: 111, objectId: 1 }),
      event({ portalId: 222, objectId: 2 }),
      event({ portalId: 333, objectId: 3 }), // no connection knows portal 333
      event({ portalId: 111, objectId: 4, eventId: 200 }),
    ]);
    const droppedBefore = await counter(webhookEventsDropped, { crm: 'hubspot', reason: 'unknown_account' });
    const outcome = await deliver(d, signed(body));
    expect(outcome).toEqual({ kind: 'accepted', events: 4, stored: 5, duplicates: 0, dropped: 1 });
    const byConnection = (id: string) => [...d.stored.values()].filter((r) => r.connectionId === id);
    expect(byConnection('a1').map((r) => r.changes[0]!.remoteId)).toEqual(['1', '4']);
    expect(byConnection('a2').map((r) => r.changes[0]!.remoteId)).toEqual(['1', '4']);
    expect(byConnection('a2').every((r) => r.tenantId === 'tenant-2')).toBe(true);
    expect(byConnection('b1').map((r) => r.changes[0]!.remoteId)).toEqual(['2']);
    expect(d.jobs.map((j) => [j.connectionId, j.receiptIds.length]).sort()).toEqual([
      ['a1', 2],
      ['a2', 2],
      ['b1', 1],
    ]);
    expect(await counter(webhookEventsDropped, { crm: 'hubspot', reason: 'unknown_account' })).toBe(
      droppedBefore + 1,
    );
  });

  it('gives a portal connected through two apps each app’s deliveries on that app’s connections only', async () => {
    const d = new Doubles([
      connection('app1', '111', 't1'),
      connection('app2', '111', 't2', 'other-app-secret'),
    ]);
    await deliver(d, signed(JSON.stringify([event()])));
    expect([...d.stored.values()].map((r) => r.connectionId)).toEqual(['app1']);
    // A delivery of the other app is no rejection of this connection.
    expect(d.activity).toEqual({ received: ['app1'], rejected: [] });
  });

  it('answers 2xx for a portal no connection knows, storing nothing', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    const outcome = await deliver(
      d,
      signed(JSON.stringify([event({ portalId: 999 })]), { secret: 'whoever' }),
    );
    expect(outcome).toEqual({ kind: 'accepted', events: 1, stored: 0, duplicates: 0, dropped: 1 });
    expect(d.stored.size).toBe(0);
    expect(d.jobs).toEqual([]);
  });

  it('drops events of objects we do not sync and events that name no portal', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    const body = JSON.stringify([
      event({ subscriptionType: 'company.creation' }),
      event({ portalId: undefined }),
      'garbage',
      42,
      event({ objectId: 9 }),
    ]);
    const outcome = await deliver(d, signed(body));
    expect(outcome).toEqual({ kind: 'accepted', events: 3, stored: 1, duplicates: 0, dropped: 2 });
  });
});

describe('webhook intake: dedupe', () => {
  it('keys an event by subscription, event id, object and time: redeliveries collide, distinct events do not', () => {
    const first = event();
    const redelivered = event({ attemptNumber: 3 });
    const otherSubscription = event({ subscriptionId: 26, propertyName: 'firstname' });
    expect(hubspotDedupeKey(redelivered)).toBe(hubspotDedupeKey(first));
    expect(hubspotDedupeKey(otherSubscription)).not.toBe(hubspotDedupeKey(first));
    expect(hubspotDedupeKey(event({ objectId: 502 }))).not.toBe(hubspotDedupeKey(first));
  });

  it('stores a redelivered event once, and both of two events sharing an eventId', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    const body = JSON.stringify([event(), event({ subscriptionId: 26, propertyName: 'firstname' })]);
    await expect(deliver(d, signed(body))).resolves.toMatchObject({ stored: 2, duplicates: 0 });
    const again = JSON.stringify([
      event({ attemptNumber: 1 }),
      event({ subscriptionId: 26, propertyName: 'firstname', attemptNumber: 1 }),
    ]);
    await expect(deliver(d, signed(again))).resolves.toMatchObject({ stored: 0, duplicates: 2 });
    expect(d.stored.size).toBe(2);
    // The redelivery still enqueues its receipts: if the first attempt's job was lost, this one ingests them.
    expect(d.jobs).toHaveLength(2);
    expect(d.jobs[1]!.receiptIds.sort()).toEqual([...d.stored.keys()].sort());
  });

  it('stores an event repeated within one delivery once, without sending the repeat to the store', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    const e = event();
    const outcome = await deliver(d, signed(JSON.stringify([e, e, event({ eventId: 5 })])));
    expect(outcome).toMatchObject({ stored: 2, duplicates: 1 });
    expect(d.insertedBatches).toEqual([[...d.stored.keys()]]);
    expect(d.jobs[0]!.receiptIds).toHaveLength(2);
  });

  it('skips the store for receipts the Redis fast path knows, and remembers what it stored', async () => {
    const d = new Doubles([connection('c1', '111', 't1')]);
    d.seen = new Set();
    const body = JSON.stringify([event(), event({ eventId: 5 })]);
    await expect(deliver(d, signed(body))).resolves.toMatchObject({ stored: 2, duplicates: 0 });
    expect([...d.seen].sort()).toEqual([...d.stored.keys()].sort());
    const again = JSON.stringify([event({ attemptNumber: 1 }), event({ eventId: 6 })]);
    await expect(deliver(d, signed(again))).resolves.toMatchObject({ stored: 1, duplicates: 1 });
    expect(d.insertedBatches[1]).toEqual([`c1:25:6:501:${NOW - 1000}`]);
    // Still enqueued: the first job may have been lost.
    expect(d.jobs[1]!.receiptIds).toHaveLength(2);
  });
});
