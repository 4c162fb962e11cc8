import { type Job } from 'bull';
import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { WEBHOOK_INGEST_JOB, type WebhookIngestJobData } from '../../../src/queue/webhook-ingest.producer';
import { type IngestBatch, type IngestOutcome } from '../../../src/sync/types';
import { processWebhookIngest } from '../../../src/worker/sync/webhook-ingest.processor';
import { type ReadStack, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The HubSpot sandbox delivering real signed webhooks (its app's subscriptions, its batching, its
 * duplicate fault) to the gateway's `/webhooks/hubspot`, and the ingest processor taking the stored
 * receipts — the ingest core itself replaced by a recorder. A record created as a CRM user would
 * fires one event per matching subscription, and those share event ids across subscriptions.
 */

const SECRET = 'sandbox-app-secret';
let stack: ReadStack;
let connectionId: string;
let sandboxUrl: string;

async function admin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${sandboxUrl}/__sandbox/orgs/default${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('webhooks_sandbox'),
    orgs: {
      salesforce: [{ id: 'default', seed: 5, counts: { Contact: 1, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 5, counts: { contacts: 1, deals: 1 } }],
    },
  });
  sandboxUrl = stack.sandboxes.sandboxes.hubspot!.baseUrl;
  const tenant = await stack.tenant('webhooks-sandbox');
  connectionId = tenant.connections.hubspot;
  const connection = await stack.ctx.store.connections.getById(connectionId);
  // The portal was learned when the connection was made; the app's client secret is the operator's.
  expect(connection.externalAccountId).not.toBeNull();
  await stack.ctx.store.connections.update(connectionId, {
    settings: { ...connection.settings, webhookClientSecret: SECRET },
  });
  await admin('PUT', '/webhooks', { url: `${stack.url}/webhooks/hubspot`, secret: SECRET });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

async function waitingJobs(): Promise<WebhookIngestJobData[]> {
  const jobs = await stack.ctx.queues.get(QUEUES.sync).getJobs(['waiting']);
  return jobs.filter((j) => j.name === WEBHOOK_INGEST_JOB).map((j) => j.data as WebhookIngestJobData);
}

it('takes the sandbox’s signed deliveries, duplicates included, once each, and ingests them', async () => {
  await admin('PATCH', '/faults', { webhookDuplicateRate: 1 });
  const created = await admin('POST', '/records/contacts', {
    firstname: 'Grace',
    lastname: 'Hopper',
    email: `grace.${Date.now()}@example.com`,
  });
  const { stats } = (await admin('POST', '/webhooks/flush')) as {
    stats: { delivered: number; failed: number; duplicated: number };
  };
  await admin('DELETE', '/faults');
  expect(stats.failed).toBe(0);
  expect(stats.duplicated).toBeGreaterThan(0);

  const receipts = stack.ctx.store.conn.collection('webhook_receipts');
  const stored = await receipts.find({ connectionId }).toArray();
  // Every event was sent twice; each is stored once. Creation and property changes share event ids.
  expect(stored.length).toBe(stats.delivered / 2);
  expect(stored.length).toBeGreaterThanOrEqual(4); // creation + email, firstname, lastname
  const eventIds = stored.map((r) => String(r._id).split(':')[2]);
  expect(new Set(eventIds).size).toBeLessThan(eventIds.length);

  const batches: IngestBatch[] = [];
  const process = processWebhookIngest({
    receipts: stack.ctx.store.webhookReceipts,
    ingest: async (batch): Promise<IngestOutcome> => {
      batches.push(batch);
      return { events: 0, unchanged: batch.changes.length, fetched: 0 } as IngestOutcome;
    },
    connections: stack.ctx.store.connections,
    logger: createLogger({ level: 'silent' }),
  });
  for (const data of await waitingJobs()) await process({ data } as Job<WebhookIngestJobData>);
  const ingested = batches.flatMap((b) => b.changes);
  expect(ingested.length).toBe(stored.length);
  expect(new Set(ingested.map((c) => c.remoteId))).toEqual(new Set([String(created.id)]));
  expect(batches.every((b) => b.source === 'WEBHOOK' && b.connection.id === connectionId)).toBe(true);
  const after = await receipts.find({ connectionId, ingestedAt: null }).toArray();
  expect(after).toEqual([]);
});
