import { type Client } from 'graphql-ws';
import {
  type ReadCrm,
  type ReadStack,
  type ReadTenant,
  smallOrgs,
  startReadStack,
} from '../../support/read-stack';
import { sandboxAdmin } from '../../support/sync-records';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';
import { wsClient } from '../support/gateway';

/**
 * The whole webhook path as a subscriber sees it, for every CRM that delivers webhooks: a contact edited
 * in the CRM as a CRM user would → the sandbox's delivery (sent twice: its duplicate fault) → the
 * gateway's receipt, verified and routed by the account the delivery names → a worker's ingest → one
 * `syncEvents` event per change, with its field diff, pushed over the socket. Deleted (and restored,
 * where the CRM can restore) the same way. What differs per CRM is a row of {@link WEBHOOK_CRMS}.
 */

jest.setTimeout(90_000);

interface WebhookCrm {
  /** Points the sandbox's webhooks at the gateway and gives the connection what verifies them. */
  subscribe(stack: ReadStack, connectionId: string): Promise<void>;
  /** The contact's native email field. */
  email: string;
  /** The id of a record the sandbox's admin API created. */
  idOf(created: Record<string, unknown>): string;
  /** Whether the CRM restores deleted records (HubSpot's recycling bin; Dataverse deletes for good). */
  restores: boolean;
}

async function setSettings(stack: ReadStack, id: string, settings: Record<string, unknown>): Promise<void> {
  const connection = await stack.ctx.store.connections.getById(id);
  await stack.ctx.store.connections.update(id, { settings: { ...connection.settings, ...settings } });
}

/** A Web API call as the org's own admin would make it (the sandbox's demo access token). */
async function dataverse(
  stack: ReadStack,
  resource: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const sandbox = stack.sandboxes.sandboxes.dynamics!;
  const res = await fetch(`${sandbox.baseUrl}/api/data/v9.2/${resource}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${String(sandbox.credentials.default!.accessToken)}`,
      'content-type': 'application/json',
      prefer: 'return=representation',
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${resource}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

const HUBSPOT_SECRET = 'sandbox-app-secret';
const DYNAMICS_KEY = 'dyn-webhook-key';

const WEBHOOK_CRMS: Partial<Record<ReadCrm, WebhookCrm>> = {
  hubspot: {
    async subscribe(stack, connectionId) {
      await setSettings(stack, connectionId, { webhookClientSecret: HUBSPOT_SECRET });
      await sandboxAdmin(stack, 'hubspot', 'PUT', '/webhooks', {
        url: `${stack.url}/webhooks/hubspot`,
        secret: HUBSPOT_SECRET,
      });
    },
    email: 'email',
    idOf: (created) => String(created.id),
    restores: true,
  },
  dynamics: {
    // A service endpoint with WebhookKey auth and asynchronous post-operation steps, registered
    // through the Web API as an org admin would (docs/vendors/dynamics.md "Webhooks").
    async subscribe(stack, connectionId) {
      await setSettings(stack, connectionId, { webhookKey: DYNAMICS_KEY });
      const endpoint = await dataverse(stack, 'serviceendpoints', {
        name: 'gateway',
        url: `${stack.url}/webhooks/dynamics`,
        contract: 8,
        messageformat: 2,
        authtype: 4,
        authvalue: DYNAMICS_KEY,
      });
      for (const messagename of ['Create', 'Update', 'Delete']) {
        await dataverse(stack, 'sdkmessageprocessingsteps', {
          name: `gateway ${messagename}`,
          stage: 40,
          mode: 1,
          messagename,
          primaryobjecttypecode: 'contact',
          'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${String(endpoint.serviceendpointid)})`,
        });
      }
    },
    email: 'emailaddress1',
    idOf: (created) => String(created.contactid).toLowerCase(),
    restores: false,
  },
};
const CRMS = Object.keys(WEBHOOK_CRMS) as ReadCrm[];

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

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('webhook_event'),
    orgs: smallOrgs(['default'], 8),
  });
  tenant = await stack.tenant('webhook-event');
  for (const crm of CRMS) await WEBHOOK_CRMS[crm]!.subscribe(stack, tenant.connections[crm]);
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

describe.each(CRMS)('webhooks of %s', (crm) => {
  const row = WEBHOOK_CRMS[crm]!;
  const admin = (method: string, path: string, body?: unknown) =>
    sandboxAdmin(stack, crm, method, path, body);
  const kinds = (id: string) => pushed.filter((e) => e.remoteId === id).map((e) => e.kind);

  it('pushes one event per CRM-side change to subscribers, redeliveries and all', async () => {
    await admin('PATCH', '/faults', { webhookDuplicateRate: 1 });
    const created = await admin('POST', '/records/contacts', {
      firstname: 'Grace',
      lastname: 'Hopper',
      [row.email]: `grace.${Date.now()}@example.com`,
    });
    const id = row.idOf(created);
    await admin('POST', '/webhooks/flush');
    await within(30_000, async () => expect(kinds(id)).toEqual(['CREATED']));
    expect(pushed.find((e) => e.remoteId === id)).toMatchObject({ source: 'WEBHOOK' });

    await admin('PATCH', `/records/contacts/${id}`, { firstname: 'Amazing Grace' });
    await admin('POST', '/webhooks/flush');
    await within(30_000, async () => expect(kinds(id)).toEqual(['CREATED', 'UPDATED']));
    expect(pushed.filter((e) => e.remoteId === id)[1]!.changes).toEqual([
      { field: 'firstName', after: 'Amazing Grace' },
    ]);

    await admin('DELETE', `/records/contacts/${id}`);
    await admin('POST', '/webhooks/flush');
    if (row.restores) {
      await admin('POST', `/records/contacts/${id}/restore`, {});
      await admin('POST', '/webhooks/flush');
    }
    await admin('DELETE', '/faults');
    const all = ['CREATED', 'UPDATED', 'DELETED', ...(row.restores ? ['RESTORED'] : [])];
    await within(30_000, async () => expect(kinds(id)).toEqual(all));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(kinds(id)).toEqual(all);
  });
});

it('refuses a Dataverse delivery whose WebhookKey is not the connection’s, recording nothing', async () => {
  const forged = '0f8fad5b-d9cb-469f-a165-70867728950e';
  const connection = await stack.ctx.store.connections.getById(tenant.connections.dynamics);
  expect(connection.externalAccountId).toMatch(/^[0-9a-f-]{36}$/);
  const res = await fetch(`${stack.url}/webhooks/dynamics?code=not-the-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      MessageName: 'Delete',
      PrimaryEntityName: 'contact',
      PrimaryEntityId: forged,
      OrganizationId: connection.externalAccountId,
      OperationId: 'f0000000-0000-4000-8000-000000000001',
      OperationCreatedOn: `/Date(${Date.now()})/`,
    }),
  });
  expect(res.status).toBe(401);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(pushed.filter((e) => e.remoteId === forged)).toEqual([]);
});
