import { createLogger } from '../../../src/logger';
import { backgroundMetadata } from '../../../src/reads/background-metadata';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { createIngest } from '../../../src/sync/ingest';
import { type IngestBatch, type IngestChanges } from '../../../src/sync/types';
import { InFlightWrites } from '../../../src/writes/in-flight';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The ingest core against the real sandboxes and stores: records edited as a CRM user would (the
 * sandboxes' admin API), observed as webhooks (ids only) and polls (records carried), become exactly
 * one change event per real change.
 */

let stack: ReadStack;
let tenant: ReadTenant;
let ingest: IngestChanges;
let inFlight: InFlightWrites;
let hubspot: ConnectionView;
let salesforce: ConnectionView;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('ingest'),
    orgs: {
      salesforce: [{ id: 'default', seed: 41, counts: { Contact: 7, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 41, counts: { contacts: 4, deals: 1 } }],
    },
  });
  tenant = await stack.tenant('ingest');
  hubspot = await stack.ctx.store.connections.getById(tenant.connections.hubspot);
  salesforce = await stack.ctx.store.connections.getById(tenant.connections.salesforce);
  inFlight = new InFlightWrites(stack.ctx.redis, stack.ctx.redisPrefix);
  ingest = createIngest({
    store: stack.ctx.store,
    crm: stack.ctx.crm,
    changeLog: stack.ctx.changeLog,
    inFlight,
    redis: stack.ctx.redis,
    redisPrefix: stack.ctx.redisPrefix,
    logger: createLogger({ level: 'silent' }),
  });
}, 120_000);
afterAll(async () => {
  await stack.close();
});

async function admin(crm: 'hubspot' | 'salesforce', method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.sandboxes.sandboxes[crm]!.baseUrl}/__sandbox/orgs/default${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

function webhook(remoteId: string, kind: 'UPSERTED' | 'DELETED' = 'UPSERTED'): IngestBatch {
  return {
    connection: hubspot,
    object: 'contact',
    changes: [{ object: 'contact', remoteId, kind, occurredAt: new Date().toISOString() }],
    source: 'WEBHOOK',
    observedAt: new Date(),
  };
}

async function history(connection: ConnectionView, remoteId: string) {
  return stack.ctx.store.changeEvents.forRecord(connection.id, 'contact', remoteId);
}

async function newHubSpotContact(): Promise<string> {
  const created = await admin('hubspot', 'POST', '/records/contacts', {
    firstname: 'Ada',
    lastname: 'Lovelace',
    email: `ada.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`,
  });
  return String(created.id);
}

it('records a webhook change once, however often it is delivered, and a CRM edit as a field diff', async () => {
  const id = await newHubSpotContact();
  expect(await ingest(webhook(id))).toMatchObject({ events: 1, fetched: 1 });
  expect(await ingest(webhook(id))).toMatchObject({ events: 0, unchanged: 1 });

  await admin('hubspot', 'PATCH', `/records/contacts/${id}`, { firstname: 'Augusta' });
  expect(await ingest(webhook(id))).toMatchObject({ events: 1 });
  const events = await history(hubspot, id);
  expect(events.map((e) => [e.kind, e.source])).toEqual([
    ['CREATED', 'WEBHOOK'],
    ['UPDATED', 'WEBHOOK'],
  ]);
  expect(events[1]!.changes).toEqual([{ field: 'firstName', before: 'Ada', after: 'Augusta' }]);
  expect(events[1]!.seq).toBeGreaterThan(events[0]!.seq);
});

it('records a delete and a restore (derived from the snapshot), and not the deletion twice', async () => {
  const id = await newHubSpotContact();
  await ingest(webhook(id));
  await admin('hubspot', 'DELETE', `/records/contacts/${id}`);
  expect(await ingest(webhook(id, 'DELETED'))).toMatchObject({ events: 1 });
  expect(await ingest(webhook(id, 'DELETED'))).toMatchObject({ events: 0 });
  await admin('hubspot', 'POST', `/records/contacts/${id}/restore`, {});
  expect(await ingest(webhook(id))).toMatchObject({ events: 1 });
  expect((await history(hubspot, id)).map((e) => e.kind)).toEqual(['CREATED', 'DELETED', 'RESTORED']);
});

it('records one event when the same change is ingested by many workers at once', async () => {
  const id = await newHubSpotContact();
  const outcomes = await Promise.all(Array.from({ length: 6 }, () => ingest(webhook(id))));
  expect(outcomes.reduce((n, o) => n + o.events, 0)).toBe(1);
  expect(await history(hubspot, id)).toHaveLength(1);
});

it('leaves a record alone while a write of ours is changing it', async () => {
  const id = await newHubSpotContact();
  await inFlight.mark(hubspot.id, 'contact', [id]);
  expect(await ingest(webhook(id))).toMatchObject({ events: 0, skipped: 1, fetched: 0 });
  await inFlight.clear(hubspot.id, 'contact', [id]);
  expect(await ingest(webhook(id))).toMatchObject({ events: 1 });
});

it('records a poll page with its records, skips the overlap re-read and an observation older than the snapshot', async () => {
  // Polls read with the connection's mapped fields, as reads do.
  const connector = await (await backgroundMetadata(stack.ctx, salesforce)).reading('contact');
  const page = await connector.listChanges('contact', { since: new Date(Date.now() - 14 * 86_400_000) });
  expect(page.items.length).toBeGreaterThanOrEqual(2);
  const batch: IngestBatch = {
    connection: salesforce,
    object: 'contact',
    changes: page.items,
    source: 'POLL',
    observedAt: new Date(),
  };
  expect(await ingest(batch)).toMatchObject({ events: page.items.length, fetched: 0 });
  expect(await ingest(batch)).toMatchObject({ events: 0, unchanged: page.items.length });

  const first = page.items[0]!;
  const older = {
    ...first,
    record: {
      ...first.record!,
      updatedAt: new Date(Date.parse(first.record!.updatedAt!) - 60_000).toISOString(),
      fields: {},
    },
  };
  const out = await ingest({ ...batch, changes: [older] });
  expect(out).toMatchObject({ events: 0 });
});

it('erases what it kept of a record on a privacy deletion, then records the deletion as hard', async () => {
  const id = await newHubSpotContact();
  await ingest(webhook(id));
  await admin('hubspot', 'PATCH', `/records/contacts/${id}`, { firstname: 'Private' });
  await ingest(webhook(id));
  expect(await history(hubspot, id)).toHaveLength(2);
  await admin('hubspot', 'DELETE', `/records/contacts/${id}`);
  const at = new Date().toISOString();
  expect(
    await ingest({
      ...webhook(id, 'DELETED'),
      changes: [
        { object: 'contact', remoteId: id, kind: 'DELETED', occurredAt: at, privacyErasure: true },
        { object: 'contact', remoteId: id, kind: 'DELETED', occurredAt: at },
      ],
    }),
  ).toMatchObject({ events: 1 });
  const events = await history(hubspot, id);
  expect(events.map((e) => [e.kind, e.hard, e.changes])).toEqual([['DELETED', true, []]]);
  const snapshot = (await stack.ctx.store.recordSnapshots.findMany(hubspot.id, 'contact', [id])).get(id);
  expect(snapshot?.fields).toEqual([]);
});
