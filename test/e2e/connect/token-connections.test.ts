import {
  type ConnectionsQuery,
  ConnectionsDocument,
  ContactPageDocument,
  CreateConnectionDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

/**
 * Connecting without a browser: `createConnection` with a private-app token (HubSpot) or an app's
 * client credentials (Salesforce). The credentials are checked before anything is stored, and the
 * connection created reads records at once.
 */
let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('connect'),
    orgs: {
      salesforce: [{ id: 'default', seed: 3, counts: { Contact: 12, Opportunity: 4, Account: 3 } }],
      hubspot: [{ id: 'default', seed: 3, counts: { contacts: 12, deals: 4 } }],
    },
  });
  t = await stack.tenant('connect');
});
afterAll(() => stack?.close());

const sandbox = (crm: 'salesforce' | 'hubspot') => stack.sandboxes.sandboxes[crm]!;
const creds = (crm: 'salesforce' | 'hubspot') => sandbox(crm).credentials.default!;

async function connect(input: Record<string, unknown>) {
  return request(
    stack.url,
    CreateConnectionDocument,
    { input: { displayName: 'token connection', ...input } as never },
    { key: t.key },
  );
}

async function connectionCount(): Promise<number> {
  const res = await request(stack.url, ConnectionsDocument, {}, { key: t.key });
  return (res.body.data as ConnectionsQuery).connections.length;
}

async function firstContacts(connectionId: string): Promise<number> {
  const res = await request(stack.url, ContactPageDocument, { connectionId, first: 5 }, { key: t.key });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.contacts!.edges.length;
}

it('connects HubSpot with a private-app token and reads at once', async () => {
  const base = sandbox('hubspot').baseUrl;
  const res = await connect({
    crm: 'hubspot',
    credentials: { token: String(creds('hubspot').privateAppToken) },
    vendorUrls: { auth: base, api: base },
  });
  expect(res.body.errors).toBeUndefined();
  const created = res.body.data!.createConnection;
  // A private-app token comes with no token response: its portal is learned from the account
  // information API, and webhook routing and budget scopes depend on it.
  expect(created.externalAccountId).toBe(String(creds('hubspot').portalId));
  const stored = await stack.ctx.store.connections.getById(created.id);
  expect(stored.externalAccountId).toBe(String(creds('hubspot').portalId));
  expect(await firstContacts(created.id)).toBe(5);
});

it('learns the portal and app of a HubSpot OAuth connection, which its budgets are scoped by', async () => {
  // `t` was connected through /oauth/hubspot/start and the callback, as a browser would.
  const view = await stack.ctx.store.connections.getById(t.connections.hubspot);
  expect(view.externalAccountId).toBe(String(creds('hubspot').portalId));
  expect(view.settings).toMatchObject({ appId: String(creds('hubspot').appId) });
});

it('connects Salesforce with client credentials: a first token is fetched before the connection is stored', async () => {
  const res = await connect({
    crm: 'salesforce',
    credentials: {
      clientId: String(creds('salesforce').clientId),
      clientSecret: String(creds('salesforce').clientSecret),
    },
    vendorUrls: { auth: sandbox('salesforce').baseUrl },
  });
  expect(res.body.errors).toBeUndefined();
  const created = res.body.data!.createConnection;
  expect(created.externalAccountId).toBe(String(creds('salesforce').organizationId));
  expect(await firstContacts(created.id)).toBe(5);
});

it('refuses credentials the CRM rejects, or of the wrong shape, and stores nothing', async () => {
  const before = await connectionCount();
  const wrongSecret = await connect({
    crm: 'salesforce',
    credentials: { clientId: String(creds('salesforce').clientId), clientSecret: 'not-the-secret' },
    vendorUrls: { auth: sandbox('salesforce').baseUrl },
  });
  expect(wrongSecret.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(wrongSecret.body.errors?.[0]?.message).toMatch(/^Salesforce refused the client credentials/);

  const wrongShape = await connect({ crm: 'salesforce', credentials: { token: 'abc' } });
  expect(wrongShape.body.errors?.[0]?.message).toBe(
    'input.credentials for Salesforce must be { "clientId": "…", "clientSecret": "…" } (or connect through /oauth/salesforce/start); got an object with keys token',
  );

  const base = sandbox('hubspot').baseUrl;
  const wrongToken = await connect({
    crm: 'hubspot',
    credentials: { token: 'pat-na1-00000000-0000-0000-0000-000000000000' },
    vendorUrls: { auth: base, api: base },
  });
  expect(wrongToken.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(wrongToken.body.errors?.[0]?.message).toBe(
    'HubSpot rejected the credentials: check the token and try again',
  );

  const notAllowed = await connect({
    crm: 'hubspot',
    credentials: { token: 'pat-x' },
    vendorUrls: { api: 'http://169.254.169.254' },
  });
  expect(notAllowed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(notAllowed.body.errors?.[0]?.message).toBe(
    'HubSpot API URL http://169.254.169.254 is not in VENDOR_URL_ALLOWLIST',
  );
  expect(await connectionCount()).toBe(before);
});

describe('the gateway key (settings.gatewayKeyField), checked against the CRM when connecting', () => {
  const salesforce = () => ({
    crm: 'salesforce',
    credentials: {
      clientId: String(creds('salesforce').clientId),
      clientSecret: String(creds('salesforce').clientSecret),
    },
    vendorUrls: { auth: sandbox('salesforce').baseUrl },
  });
  const hubspot = () => ({
    crm: 'hubspot',
    credentials: { token: String(creds('hubspot').privateAppToken) },
    vendorUrls: { auth: sandbox('hubspot').baseUrl, api: sandbox('hubspot').baseUrl },
  });

  it('keeps a connection whose key fields are the CRM upsert keys', async () => {
    const sf = await connect({ ...salesforce(), settings: { gatewayKeyField: 'External_Id__c' } });
    expect(sf.body.errors).toBeUndefined();
    const hs = await connect({
      ...hubspot(),
      settings: { gatewayKeyField: { contact: 'crm_external_id', deal: 'deal_external_id' } },
    });
    expect(hs.body.errors).toBeUndefined();
    const stored = await stack.ctx.store.connections.getById(hs.body.data!.createConnection.id);
    expect(stored.settings.gatewayKeyField).toEqual({ contact: 'crm_external_id', deal: 'deal_external_id' });
  });

  it('refuses, naming each field, a key that is missing, not an upsert key or malformed, and keeps nothing', async () => {
    const before = await connectionCount();
    const notExternal = await connect({ ...salesforce(), settings: { gatewayKeyField: 'LastName' } });
    expect(notExternal.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(notExternal.body.errors?.[0]?.message).toMatch(
      /contact\.LastName is not a field the CRM upserts by/,
    );
    expect(notExternal.body.errors?.[0]?.message).toMatch(/deal has no field LastName/);

    const mixed = await connect({
      ...hubspot(),
      settings: { gatewayKeyField: { contact: 'firstname', deal: 'no_such_property', account: 'x' } },
    });
    const message = String(mixed.body.errors?.[0]?.message);
    expect(mixed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(message).toMatch(/contact\.firstname is not a field the CRM upserts by/);
    expect(message).toMatch(/deal has no field no_such_property/);
    expect(message).toMatch(/gatewayKeyField\.account: not an object/);

    const hostile = await connect({ ...hubspot(), settings: { gatewayKeyField: { contact: 'a.b$c' } } });
    expect(hostile.body.errors?.[0]?.message).toMatch(/gatewayKeyField\.contact: a native field name/);
    expect(await connectionCount()).toBe(before);
  });
});
