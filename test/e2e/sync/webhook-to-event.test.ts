import { type Client } from 'graphql-ws';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';
import { wsClient } from '../support/gateway';

/**
 * The whole webhook path as a subscriber sees it: a contact edited in HubSpot as a CRM user would → the
 * sandbox's signed delivery (sent twice: its duplicate fault) → the gateway's receipt → a worker's
 * ingest → one `syncEvents` event per change, with its field diff, pushed over the socket. Deleted and
 * restored the same way.
 */

jest.setTimeout(90_000);

const SECRET = 'sandbox-app-secret';
let stack: ReadStack;
let tenant: ReadTenant;
let worker: RunningWorker;
let client: Client;
let sandboxUrl: string;
const pushed: {
  kind: string;
  source: string;
  remoteId: string;
  changes: { field: string; after: unknown }[];
}[] = [];

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
    name: uniqueName('webhook_event'),
    orgs: {
      salesforce: [{ id: 'default', seed: 8, counts: { Contact: 1, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 8, counts: { contacts: 1, deals: 1 } }],
    },
  });
  sandboxUrl = stack.sandboxes.sandboxes.hubspot!.baseUrl;
  tenant = await stack.tenant('webhook-event');
  const connection = await stack.ctx.store.connections.getById(tenant.connections.hubspot);
  await stack.ctx.store.connections.update(connection.id, {
    settings: { ...connection.settings, webhookClientSecret: SECRET },
  });
  await admin('PUT', '/webhooks', { url: `${stack.url}/webhooks/hubspot`, secret: SECRET });
  worker = await startWorker(stack.ctx);
  client = wsClient(stack.url, `Bearer ${tenant.key}`);
  client.subscribe<{ syncEvents: (typeof pushed)[number] }>(
    { query: 'subscription { syncEvents { kind source remoteId changes { field after } } }' },
    {
      next: (r) => r.data && pushed.push(r.data.syncEvents),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await within(10_000, async () => {
    const [, n] = (await stack.ctx.redis.pubsub(
      'NUMSUB',
      `${stack.ctx.redisPrefix}:events:sync:${tenant.tenantId}`,
    )) as [string, number];
    expect(Number(n)).toBe(1);
  });
  await new Promise((r) => setTimeout(r, 300));
}, 120_000);
afterAll(async () => {
  await client?.dispose();
  await worker?.close();
  await stack?.close();
});

it('pushes one event per CRM-side change to subscribers, redeliveries and all', async () => {
  await admin('PATCH', '/faults', { webhookDuplicateRate: 1 });
  const created = await admin('POST', '/records/contacts', {
    firstname: 'Grace',
    lastname: 'Hopper',
    email: `grace.${Date.now()}@example.com`,
  });
  const id = String(created.id);
  await admin('POST', '/webhooks/flush');
  await within(30_000, async () =>
    expect(pushed.filter((e) => e.remoteId === id).map((e) => e.kind)).toEqual(['CREATED']),
  );
  expect(pushed.find((e) => e.remoteId === id)).toMatchObject({ source: 'WEBHOOK' });

  await admin('PATCH', `/records/contacts/${id}`, { firstname: 'Amazing Grace' });
  await admin('POST', '/webhooks/flush');
  await within(30_000, async () =>
    expect(pushed.filter((e) => e.remoteId === id).map((e) => e.kind)).toEqual(['CREATED', 'UPDATED']),
  );
  expect(pushed.filter((e) => e.remoteId === id)[1]!.changes).toEqual([
    { field: 'firstName', after: 'Amazing Grace' },
  ]);

  await admin('DELETE', `/records/contacts/${id}`);
  await admin('POST', '/webhooks/flush');
  await admin('POST', `/records/contacts/${id}/restore`, {});
  await admin('POST', '/webhooks/flush');
  await admin('DELETE', '/faults');
  await within(30_000, async () =>
    expect(pushed.filter((e) => e.remoteId === id).map((e) => e.kind)).toEqual([
      'CREATED',
      'UPDATED',
      'DELETED',
      'RESTORED',
    ]),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  expect(pushed.filter((e) => e.remoteId === id)).toHaveLength(4);
});
