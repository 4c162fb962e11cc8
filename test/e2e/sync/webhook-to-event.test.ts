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
  /** The sandbox admin API's name of the contact object. */
  adminObject: string;
  /** A contact as a CRM user creates it: Grace Hopper with `email`. */
  created(email: string): Record<string, unknown>;
  /** The user's rename of that contact, and the canonical changes it makes. */
  rename: { body: Record<string, unknown>; changes: { field: string; after: unknown }[] };
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
const PIPEDRIVE_PASSWORD = 'pd-webhook-password';
/** A first-name edit where the CRM keeps first and last name apart. */
const FIRST_NAME_EDIT = {
  body: { firstname: 'Amazing Grace' },
  changes: [{ field: 'firstName', after: 'Amazing Grace' }],
};
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
    adminObject: 'contacts',
    created: (email) => ({ firstname: 'Grace', lastname: 'Hopper', email }),
    rename: FIRST_NAME_EDIT,
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
    adminObject: 'contacts',
    created: (email) => ({ firstname: 'Grace', lastname: 'Hopper', emailaddress1: email }),
    rename: FIRST_NAME_EDIT,
    idOf: (created) => String(created.contactid).toLowerCase(),
    restores: false,
  },
  pipedrive: {
    // A webhook made through the API with HTTP Basic credentials, as a company admin would
    // (docs/vendors/pipedrive.md "Webhooks"); the connection holds the same pair.
    async subscribe(stack, connectionId) {
      await setSettings(stack, connectionId, { webhookUser: 'gateway', webhookPassword: PIPEDRIVE_PASSWORD });
      const sandbox = stack.sandboxes.sandboxes.pipedrive!;
      const res = await fetch(`${sandbox.baseUrl}/v1/webhooks`, {
        method: 'POST',
        headers: {
          'x-api-token': String(sandbox.credentials.default!.apiToken),
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          subscription_url: `${stack.url}/webhooks/pipedrive`,
          event_action: '*',
          event_object: 'person',
          http_auth_user: 'gateway',
          http_auth_password: PIPEDRIVE_PASSWORD,
        }),
      });
      if (!res.ok) throw new Error(`POST /v1/webhooks: ${res.status} ${await res.text()}`);
    },
    adminObject: 'persons',
    created: (email) => ({ name: 'Grace Hopper', emails: [{ value: email, primary: true, label: 'work' }] }),
    // Pipedrive writes the whole name; its parts follow it.
    rename: {
      body: { name: 'Amazing Grace' },
      changes: [
        { field: 'firstName', after: 'Amazing' },
        { field: 'lastName', after: 'Grace' },
      ],
    },
    idOf: (created) => String(created.id),
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
  // Each new connection's backfill runs on this worker; a contact created while it lists would reach
  // subscribers as a BACKFILL event, not the webhook's. Changes start once every backfill is done.
  await within(60_000, async () => {
    for (const crm of CRMS) {
      const connection = await stack.ctx.store.connections.getById(tenant.connections[crm]);
      expect({ crm, ...(await stack.ctx.syncControl.status(connection)).backfill }).toMatchObject({
        crm,
        state: 'DONE',
      });
    }
  });
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
    const created = await admin(
      'POST',
      `/records/${row.adminObject}`,
      row.created(`grace.${Date.now()}@example.com`),
    );
    const id = row.idOf(created);
    await admin('POST', '/webhooks/flush');
    await within(30_000, async () => expect(kinds(id)).toEqual(['CREATED']));
    expect(pushed.find((e) => e.remoteId === id)).toMatchObject({ source: 'WEBHOOK' });

    await admin('PATCH', `/records/${row.adminObject}/${id}`, row.rename.body);
    await admin('POST', '/webhooks/flush');
    await within(30_000, async () => expect(kinds(id)).toEqual(['CREATED', 'UPDATED']));
    expect(pushed.filter((e) => e.remoteId === id)[1]!.changes).toEqual(row.rename.changes);

    await admin('DELETE', `/records/${row.adminObject}/${id}`);
    await admin('POST', '/webhooks/flush');
    if (row.restores) {
      await admin('POST', `/records/${row.adminObject}/${id}/restore`, {});
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
