import { type Client } from 'graphql-ws';
import { type ReadStack, type ReadTenant, smallOrgs, startReadStack } from '../../support/read-stack';
import { sandboxAdmin } from '../../support/sync-records';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';
import { wsClient } from '../support/gateway';

/**
 * Dataverse webhooks end to end: a service endpoint registered through the Web API (WebhookKey auth) at
 * the gateway's `/webhooks/dynamics`, a contact changed as a CRM user → the sandbox's
 * RemoteExecutionContext delivery → routed by its OrganizationId to the demo connection (identified by
 * WhoAmI when it was made) → the worker's ingest → `syncEvents` pushed over the socket. A delivery with
 * the wrong key is refused and records nothing.
 */

jest.setTimeout(90_000);

const KEY = 'dyn-webhook-key';
let stack: ReadStack;
let tenant: ReadTenant;
let worker: RunningWorker;
let client: Client;
const pushed: {
  kind: string;
  source: string;
  remoteId: string;
  changes: { field: string; after: unknown }[];
}[] = [];

const admin = (method: string, path: string, body?: unknown) =>
  sandboxAdmin(stack, 'dynamics', method, path, body);

/** A Web API call as the org's own admin would make it (the demo access token). */
async function webApi(method: string, resource: string, body: unknown): Promise<Record<string, unknown>> {
  const sandbox = stack.sandboxes.sandboxes.dynamics!;
  const res = await fetch(`${sandbox.baseUrl}/api/data/v9.2/${resource}`, {
    method,
    headers: {
      authorization: `Bearer ${String(sandbox.credentials.default!.accessToken)}`,
      'content-type': 'application/json',
      prefer: 'return=representation',
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${resource}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

async function registerEndpoint(url: string, key: string): Promise<void> {
  const endpoint = await webApi('POST', 'serviceendpoints', {
    name: `gateway ${key}`,
    url,
    contract: 8,
    messageformat: 2,
    authtype: 4,
    authvalue: key,
  });
  for (const messagename of ['Create', 'Update', 'Delete']) {
    await webApi('POST', 'sdkmessageprocessingsteps', {
      name: `gateway ${messagename} ${key}`,
      stage: 40,
      mode: 1,
      messagename,
      primaryobjecttypecode: 'contact',
      'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${String(endpoint.serviceendpointid)})`,
    });
  }
}

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('dyn_webhooks'),
    orgs: smallOrgs(['default'], 19),
  });
  tenant = await stack.tenant('dyn-webhooks');
  const connection = await stack.ctx.store.connections.getById(tenant.connections.dynamics);
  expect(connection.externalAccountId).toMatch(/^[0-9a-f-]{36}$/);
  await stack.ctx.store.connections.update(connection.id, {
    settings: { ...connection.settings, webhookKey: KEY },
  });
  await registerEndpoint(`${stack.url}/webhooks/dynamics`, KEY);
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
}, 120_000);
afterAll(async () => {
  await client?.dispose();
  await worker?.close();
  await stack?.close();
});

it('turns Create, Update and Delete deliveries into one event each, routed by the organization', async () => {
  const created = await admin('POST', '/records/contacts', {
    firstname: 'Grace',
    lastname: 'Hopper',
    emailaddress1: `grace.${Date.now()}@example.com`,
  });
  const id = String(created.contactid ?? created.id).toLowerCase();
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
  await within(30_000, async () =>
    expect(pushed.filter((e) => e.remoteId === id).map((e) => e.kind)).toEqual([
      'CREATED',
      'UPDATED',
      'DELETED',
    ]),
  );
});

it('refuses a delivery whose WebhookKey is not the connection’s, recording nothing', async () => {
  const res = await fetch(`${stack.url}/webhooks/dynamics?code=not-the-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      MessageName: 'Delete',
      PrimaryEntityName: 'contact',
      PrimaryEntityId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      OrganizationId: (await stack.ctx.store.connections.getById(tenant.connections.dynamics))
        .externalAccountId,
      OperationId: 'f0000000-0000-4000-8000-000000000001',
      OperationCreatedOn: `/Date(${Date.now()})/`,
    }),
  });
  expect(res.status).toBe(401);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(pushed.filter((e) => e.remoteId === '0f8fad5b-d9cb-469f-a165-70867728950e')).toEqual([]);
});
