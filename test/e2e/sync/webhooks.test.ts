import { mongo } from 'mongoose';
import { loadEnv } from '../../../src/config/env';
import { QUEUES } from '../../../src/queue/queues';
import { WEBHOOK_INGEST_JOB, type WebhookIngestJobData } from '../../../src/queue/webhook-ingest.producer';
import { WEBHOOK_MAX_BODY_BYTES } from '../../../src/server/webhooks';
import { hubspotWebhookEvent, hubspotWebhookHeaders } from '../../support/webhook-events';
import { type TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { request, startTestGateway, type TestGateway } from '../support/gateway';

/**
 * `POST /webhooks/hubspot` through the real gateway HTTP server, MongoDB (FerretDB) and Redis (Bull):
 * what a delivery stores and enqueues, what it refuses, and that nothing hostile crashes it. No worker
 * runs, so enqueued jobs stay waiting where the test reads them.
 */

const PUBLIC_URL = 'https://gw.example.com';
const SIGNED_URL = `${PUBLIC_URL}/webhooks/hubspot`;
const SECRET = 'the-app-client-secret';
const PORTAL = 7_000_001;

/** A HubSpot contact property-change event of `PORTAL`, unique unless `over` says otherwise. */
const event = (over: Record<string, unknown> = {}) => hubspotWebhookEvent(PORTAL, over);

describe('POST /webhooks/:crm (HubSpot), end to end', () => {
  let gw: TestGateway;
  let connectionIds: string[];
  let keyA: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      env: loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL }),
    });
    const a = await gw.tenant('webhooks-a');
    keyA = a.key;
    const b = await gw.tenant('webhooks-b');
    // Two tenants connected the same portal through the same app: both get its events.
    connectionIds = [];
    for (const tenantId of [a.tenantId, b.tenantId]) {
      const c = await gw.ctx.store.connections.create({
        tenantId,
        crm: 'hubspot',
        displayName: 'HubSpot',
        credentials: { authKind: 'static_token', accessToken: 'pat-na1-test' },
        externalAccountId: String(PORTAL),
        settings: { webhookClientSecret: SECRET },
      });
      connectionIds.push(c.id);
    }
  });
  afterAll(async () => {
    await gw.close();
  });

  const receipts = () => gw.ctx.store.conn.collection('webhook_receipts');
  const queue = () => gw.ctx.queues.get(QUEUES.sync);

  async function post(
    body: string | Buffer,
    options: { secret?: string; timestamp?: number; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const timestamp = options.timestamp ?? Date.now();
    const res = await fetch(`${gw.url}/webhooks/hubspot`, {
      method: 'POST',
      headers: {
        ...hubspotWebhookHeaders(body, SIGNED_URL, options.secret ?? SECRET, timestamp),
        ...options.headers,
      },
      body,
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function jobsFor(receiptId: string): Promise<WebhookIngestJobData[]> {
    const jobs = await queue().getJobs(['waiting', 'delayed', 'active']);
    return jobs
      .filter((j) => j.name === WEBHOOK_INGEST_JOB)
      .map((j) => j.data as WebhookIngestJobData)
      .filter((d) => d.receiptIds.includes(receiptId));
  }

  it('stores a signed delivery for every connection of the portal and enqueues one job per connection', async () => {
    const events = [event(), event({ subscriptionType: 'deal.creation', propertyName: undefined })];
    const res = await post(JSON.stringify(events));
    expect(res).toEqual({ status: 200, json: { received: 2, stored: 4, duplicates: 0, dropped: 0 } });
    for (const connectionId of connectionIds) {
      const id = `${connectionId}:25:${String(events[0]!.eventId)}:${String(events[0]!.objectId)}:${String(events[0]!.occurredAt)}`;
      const doc = await receipts().findOne({ _id: id as never });
      expect(doc).toMatchObject({ connectionId, crm: 'hubspot', ingestedAt: null });
      expect(JSON.parse(String(doc!.changes))).toEqual([
        expect.objectContaining({
          object: 'contact',
          remoteId: String(events[0]!.objectId),
          kind: 'UPSERTED',
        }),
      ]);
      // No secret and no raw body in the receipt.
      expect(JSON.stringify(doc)).not.toContain(SECRET);
      const jobs = await jobsFor(id);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toEqual({
        connectionId,
        receiptIds: [id, expect.stringContaining(`${connectionId}:25:`)],
      });
    }
  });

  it('keeps one receipt per event when a delivery arrives three times', async () => {
    const events = [event(), event()];
    const before = await receipts().countDocuments();
    const first = await post(JSON.stringify(events));
    expect(first.json).toMatchObject({ stored: 4, duplicates: 0 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      // HubSpot's redelivery: same events, attemptNumber grown, a fresh signature and timestamp.
      const again = await post(JSON.stringify(events.map((e) => ({ ...e, attemptNumber: attempt }))));
      expect(again).toEqual({ status: 200, json: { received: 2, stored: 0, duplicates: 4, dropped: 0 } });
    }
    expect(await receipts().countDocuments()).toBe(before + 4);
  });

  it('keeps both of two distinct events that share an eventId', async () => {
    const shared = event();
    const other = { ...shared, subscriptionId: 26, propertyName: 'firstname', propertyValue: 'Ada' };
    const before = await receipts().countDocuments();
    const res = await post(JSON.stringify([shared, other]));
    expect(res.json).toMatchObject({ stored: 4, duplicates: 0 });
    expect(await receipts().countDocuments()).toBe(before + 4);
  });

  it('refuses a bad signature and a stale timestamp with 401, storing and enqueuing nothing', async () => {
    const before = { receipts: await receipts().countDocuments(), jobs: await queue().count() };
    const body = JSON.stringify([event()]);
    const bad = await post(body, { secret: 'someone-else' });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const stale = await post(body, { timestamp: Date.now() - 6 * 60_000 });
    expect(stale.status).toBe(401);
    const unsigned = await fetch(`${gw.url}/webhooks/hubspot`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    expect(await receipts().countDocuments()).toBe(before.receipts);
    expect(await queue().count()).toBe(before.jobs);
  });

  it('shows on the connection when its webhooks last arrived and how many naming its portal were refused', async () => {
    type Activity = { lastReceivedAt: string | null; rejected: number };
    const SYNC: TypedDocumentNode<
      { connection: { sync: { state: string; webhooks: Activity } } },
      { id: string }
    > = parse(
      'query ($id: ID!) { connection(id: $id) { sync { state webhooks { lastReceivedAt rejected } } } }',
    );
    const activity = async (): Promise<Activity> => {
      const res = await request(gw.url, SYNC, { id: connectionIds[0]! }, { key: keyA });
      expect(res.body.errors).toBeUndefined();
      return res.body.data!.connection.sync.webhooks;
    };
    const before = await activity();
    expect(await post(JSON.stringify([event()]), { secret: 'someone-else' })).toMatchObject({ status: 401 });
    expect(await activity()).toEqual({ ...before, rejected: before.rejected + 1 });
    const sentAt = Date.now();
    expect((await post(JSON.stringify([event()]))).status).toBe(200);
    const after = await activity();
    expect(after.rejected).toBe(before.rejected + 1);
    expect(Date.parse(after.lastReceivedAt!)).toBeGreaterThanOrEqual(sentAt);
    // The other tenant's connection of the same portal: its own view, nothing of tenant A's key.
    const other = await request(gw.url, SYNC, { id: connectionIds[1]! }, { key: keyA });
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('shows no notification channel for a CRM whose webhooks are set up on its app', async () => {
    const CHANNEL: TypedDocumentNode<
      {
        connection: {
          sync: { notifications: { expiresAt: string | null; lastError: string | null } | null };
        };
      },
      { id: string }
    > = parse('query ($id: ID!) { connection(id: $id) { sync { notifications { expiresAt lastError } } } }');
    const res = await request(gw.url, CHANNEL, { id: connectionIds[0]! }, { key: keyA });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.connection.sync.notifications).toBeNull();
  });

  it('answers 2xx to events of a portal no connection knows, and stores nothing', async () => {
    const before = await receipts().countDocuments();
    const res = await post(JSON.stringify([event({ portalId: 123 }), event({ portalId: 456 })]), {
      secret: 'unknown-app',
    });
    expect(res).toEqual({ status: 200, json: { received: 2, stored: 0, duplicates: 0, dropped: 2 } });
    expect(await receipts().countDocuments()).toBe(before);
  });

  it('answers hostile bodies clearly and keeps serving', async () => {
    const before = await receipts().countDocuments();
    const notJson = await post('this is not json');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const huge = await post(Buffer.alloc(WEBHOOK_MAX_BODY_BYTES + 1, 'a'));
    expect(huge.status).toBe(413);
    const garbage = await post(JSON.stringify([1, 'two', null, [3], { portalId: { $gt: '' } }, {}]));
    expect(garbage).toEqual({ status: 200, json: { received: 2, stored: 0, duplicates: 0, dropped: 2 } });
    const tenThousand = await post(JSON.stringify(Array.from({ length: 10_000 }, () => event())));
    expect(tenThousand.status).toBe(413);
    expect(tenThousand.json).toMatchObject({ error: { code: 'BAD_USER_INPUT' } });
    const unknownCrm = await fetch(`${gw.url}/webhooks/nocrm`, { method: 'POST', body: '[]' });
    expect(unknownCrm.status).toBe(404);
    const salesforce = await fetch(`${gw.url}/webhooks/salesforce`, { method: 'POST', body: '[]' });
    expect(salesforce.status).toBe(404);
    expect(await receipts().countDocuments()).toBe(before);
    // Still serving.
    const ok = await post(JSON.stringify([event()]));
    expect(ok.status).toBe(200);
  });

  it('answers 503 when the receipts cannot be stored or the job cannot be enqueued, so the vendor redelivers', async () => {
    const store = jest
      .spyOn(gw.ctx.store.webhookReceipts, 'insertMany')
      .mockRejectedValueOnce(new mongo.MongoNetworkError('connection reset'));
    const down = await post(JSON.stringify([event()]));
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ error: { code: 'UNAVAILABLE' } });
    store.mockRestore();

    const add = jest.spyOn(queue(), 'add').mockImplementationOnce(() => new Promise(() => undefined));
    const e = event();
    const stuck = await post(JSON.stringify([e]));
    expect(stuck.status).toBe(503);
    add.mockRestore();
    // The redelivery finds the receipts stored and enqueues them again.
    const redelivered = await post(JSON.stringify([{ ...e, attemptNumber: 1 }]));
    expect(redelivered.json).toMatchObject({ stored: 0, duplicates: 2 });
    const id = `${connectionIds[0]!}:25:${String(e.eventId)}:${String(e.objectId)}:${String(e.occurredAt)}`;
    expect((await jobsFor(id)).length).toBeGreaterThanOrEqual(1);
  });
});
