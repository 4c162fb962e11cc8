import 'reflect-metadata';
import {
  type AuditEventsQuery,
  AuditEventsDocument,
  type AuditEventFilter,
  CreateConnectionDocument,
  CreateContactWriteDocument,
  DeleteConnectionDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { mint } from '../auth/support';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

jest.setTimeout(60_000);

/**
 * The audit log as a tenant reads it: every mutation (allowed or refused), every OAuth connect, with
 * who did it — and as an attacker would try it: another tenant's log, a token, forged cursors, and
 * values or secrets that must never reach it.
 */

type AuditNode = AuditEventsQuery['auditEvents']['nodes'][number];

let stack: ReadStack;
let a: ReadTenant;
let b: ReadTenant;
let aKeyId: string;
/** The key `npm start`'s connect step made for tenant a's OAuth flows (src/runtime/demo-connections.ts). */
let aConnectKeyId: string;
const SECRET_EMAIL = `audit-secret-${Date.now()}@example.org`;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('audit'),
    orgs: { hubspot: [{ id: 'default', seed: 5, counts: { contacts: 2, deals: 1 } }] },
  });
  a = await stack.tenant('alice');
  b = await stack.tenant('bob');
  const keys = await stack.ctx.store.apiKeys.listForTenant(a.tenantId);
  aKeyId = keys.find((k) => k.name === 'alice key')!.id;
  aConnectKeyId = keys.find((k) => k.name !== 'alice key')!.id;
});

afterAll(async () => {
  await stack?.close();
});

/** Every event `key` may list for `filter`, paged to the end `first` at a time. */
async function allEvents(key: string, filter: AuditEventFilter = {}, first = 3): Promise<AuditNode[]> {
  const nodes: AuditNode[] = [];
  let after: string | null = null;
  for (;;) {
    const res = await request(stack.url, AuditEventsDocument, { filter, first, after }, { key });
    expect(res.body.errors).toBeUndefined();
    const page: AuditEventsQuery['auditEvents'] = res.body.data!.auditEvents;
    nodes.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return nodes;
    after = page.pageInfo.endCursor!;
  }
}

/** Every stored audit document, as the store holds it. */
async function storedDocuments(): Promise<string> {
  return JSON.stringify(await stack.ctx.store.conn.collection('audit_events').find({}).toArray());
}

it('records the OAuth connects of a tenant with the key that started them', async () => {
  const events = await allEvents(a.key, { action: 'oauthConnect' });
  expect(events.map((e) => e.connectionId).sort()).toEqual(Object.values(a.connections).sort());
  for (const e of events) {
    expect(e).toMatchObject({
      actor: { kind: 'API_KEY', keyId: aConnectKeyId, subject: null },
      targetIds: [e.connectionId],
      outcome: 'SUCCEEDED',
    });
  }
});

it('records a mutation with the ids it touched, never its input or credentials', async () => {
  const token = String(stack.sandboxes.sandboxes.hubspot!.credentials.default!.privateAppToken);
  const base = stack.sandboxes.sandboxes.hubspot!.baseUrl;
  const input = {
    crm: 'hubspot',
    displayName: 'Audited',
    credentials: { token },
    vendorUrls: { auth: base, api: base },
  };
  const made = await request(stack.url, CreateConnectionDocument, { input }, { key: a.key });
  expect(made.body.errors).toBeUndefined();
  const connectionId = made.body.data!.createConnection.id;
  const write = await request(
    stack.url,
    CreateContactWriteDocument,
    { connectionId, input: { lastName: 'Audit', email: SECRET_EMAIL } },
    { key: a.key },
  );
  expect(write.body.errors).toBeUndefined();
  const opId = write.body.data!.createContact.id;

  const events = await allEvents(a.key, { connectionId });
  expect(events.map((e) => e.action)).toEqual(['createContact', 'createConnection']);
  expect(events[0]).toMatchObject({ targetIds: [connectionId, opId], targetCount: 1, errorCode: null });
  expect(events[1]).toMatchObject({ targetIds: [connectionId], outcome: 'SUCCEEDED' });
  const stored = await storedDocuments();
  expect(stored).not.toContain(SECRET_EMAIL);
  expect(stored).not.toContain(token);
});

it('records a refused attempt: a read key deleting a connection is FAILED FORBIDDEN, and the connection stays', async () => {
  const reader = await stack.ctx.store.apiKeys.create(a.tenantId, 'auditor', 'read');
  const res = await request(
    stack.url,
    DeleteConnectionDocument,
    { id: a.connections.hubspot },
    { key: reader.key },
  );
  expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  const [event] = await allEvents(reader.key, { keyId: reader.info.id });
  expect(event).toMatchObject({
    action: 'deleteConnection',
    actor: { kind: 'API_KEY', keyId: reader.info.id, subject: null },
    connectionId: a.connections.hubspot,
    outcome: 'FAILED',
    errorCode: 'FORBIDDEN',
  });
  expect((await stack.ctx.store.connections.getById(a.connections.hubspot)).id).toBe(a.connections.hubspot);
});

it("records an access token's write with its subject; a token cannot read the log", async () => {
  const token = await mint(stack.url, a.key, {
    connectionIds: [a.connections.hubspot],
    scope: 'READ_WRITE',
    subject: 'user-7',
  });
  const write = await request(
    stack.url,
    CreateContactWriteDocument,
    { connectionId: a.connections.hubspot, input: { lastName: 'Token' } },
    { authorization: `Bearer ${token}` },
  );
  expect(write.body.errors).toBeUndefined();
  const [event] = await allEvents(a.key, { action: 'createContact', connectionId: a.connections.hubspot });
  expect(event).toMatchObject({ actor: { kind: 'ACCESS_TOKEN', keyId: aKeyId, subject: 'user-7' } });
  expect((await allEvents(a.key, { action: 'createAccessToken' }))[0]).toMatchObject({
    targetIds: [a.connections.hubspot],
    outcome: 'SUCCEEDED',
  });
  const denied = await request(
    stack.url,
    AuditEventsDocument,
    { first: 5 },
    { authorization: `Bearer ${token}` },
  );
  expect(denied.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
});

it("pages a tenant's whole log once, newest first, and nothing of another tenant's", async () => {
  const every = await allEvents(a.key, {}, 100);
  for (const first of [1, 2, 7]) expect(await allEvents(a.key, {}, first)).toEqual(every);
  const times = every.map((e) => Date.parse(e.at));
  expect([...times].sort((x, y) => y - x)).toEqual(times);
  const theirs = await allEvents(b.key, {}, 100);
  expect(theirs.map((e) => e.connectionId).sort()).toEqual(Object.values(b.connections).sort());
  expect(theirs.some((e) => every.some((mine) => mine.id === e.id))).toBe(false);
});

it('refuses a forged cursor, another tenant’s, another filter’s and another list’s as BAD_USER_INPUT', async () => {
  const page = await request(stack.url, AuditEventsDocument, { first: 1 }, { key: a.key });
  const cursor = page.body.data!.auditEvents.pageInfo.endCursor!;
  const attempts: [string, AuditEventFilter, string][] = [
    [a.key, {}, cursor.slice(0, -2) + (cursor.endsWith('A') ? 'BB' : 'AA')],
    [b.key, {}, cursor],
    [a.key, { action: 'createContact' }, cursor],
    [a.key, {}, 'x'.repeat(600)],
  ];
  for (const [key, filter, after] of attempts) {
    const res = await request(stack.url, AuditEventsDocument, { filter, first: 1, after }, { key });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  }
});
