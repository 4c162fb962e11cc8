import 'reflect-metadata';
import {
  CancelWriteDocument,
  CreateContactWriteDocument,
  DeleteContactWriteDocument,
  LinkContactToDealWriteDocument,
  RetryWriteDocument,
  UpdateContactWriteDocument,
  UpsertContactsWriteDocument,
  type WriteOpFragment,
  WriteOperationByIdDocument,
  WriteOperationPageDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { encodeRecordId } from '../../../src/reads/ids';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { dataOf, errorOf, post, UpdateLog } from './support';

jest.setTimeout(60_000);

/**
 * The write API against hostile and mistaken callers. No worker runs: operations stay QUEUED, so what
 * a test sees is the API's doing alone.
 */

let stack: ReadStack;
let a: ReadTenant;
let b: ReadTenant;
let readOnly: ReadTenant;
/** Tenant A's operation, which B must never see. */
let secret: WriteOpFragment;
const SECRET_EMAIL = `secret-${Date.now()}@example.org`;

const bearer = (t: ReadTenant) => ({ authorization: `Bearer ${t.key}` });
/** cancelWriteOperation and retryWriteOperation of `id` as `t`. */
const CONTROLS = [
  (id: string, t: ReadTenant) => post(stack.url, CancelWriteDocument, { id }, bearer(t)),
  (id: string, t: ReadTenant) => post(stack.url, RetryWriteDocument, { id }, bearer(t)),
];

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('wsec'),
    gateway: { corsOrigins: ['https://app.example'] },
    orgs: {
      salesforce: [{ id: 'default', seed: 3, counts: { Contact: 2, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 3, counts: { contacts: 2, deals: 1 } }],
    },
  });
  a = await stack.tenant('alice');
  b = await stack.tenant('bob');
  readOnly = await stack.tenant('reader', 'read');
  secret = dataOf(
    await post(
      stack.url,
      CreateContactWriteDocument,
      { connectionId: a.connections.hubspot, input: { lastName: 'Secret', email: SECRET_EMAIL } },
      bearer(a),
    ),
  ).createContact;
});

afterAll(() => stack?.close());

describe('authorization', () => {
  it('refuses every write mutation to a read-only key with FORBIDDEN, and lets it read', async () => {
    const c = readOnly.connections.hubspot;
    const attempts = [
      post(
        stack.url,
        CreateContactWriteDocument,
        { connectionId: c, input: { lastName: 'X' } },
        bearer(readOnly),
      ),
      post(
        stack.url,
        UpsertContactsWriteDocument,
        { connectionId: c, items: [{ input: {} }] },
        bearer(readOnly),
      ),
      post(stack.url, DeleteContactWriteDocument, { id: 'wop_x' }, bearer(readOnly)),
      post(stack.url, LinkContactToDealWriteDocument, { contactId: 'a', dealId: 'b' }, bearer(readOnly)),
      post(stack.url, CancelWriteDocument, { id: 'wop_x' }, bearer(readOnly)),
      post(stack.url, RetryWriteDocument, { id: 'wop_x' }, bearer(readOnly)),
    ];
    for (const result of await Promise.all(attempts))
      expect(errorOf(result)).toMatchObject({ code: 'FORBIDDEN' });
    const page = await request(stack.url, WriteOperationPageDocument, { first: 5 }, { key: readOnly.key });
    expect(dataOf(page).writeOperations.nodes).toEqual([]);
  });

  it('answers 401 to a write without a key', async () => {
    const result = await post(
      stack.url,
      CreateContactWriteDocument,
      { connectionId: a.connections.hubspot, input: { lastName: 'X' } },
      {},
    );
    expect(result.status).toBe(401);
  });
});

describe("another tenant's operations", () => {
  it('read as null and act as NOT_FOUND, never with their data', async () => {
    const read = await request(stack.url, WriteOperationByIdDocument, { id: secret.id }, { key: b.key });
    expect(dataOf(read).writeOperation).toBeNull();
    for (const control of CONTROLS) {
      const result = await control(secret.id, b);
      expect(errorOf(result)).toMatchObject({ code: 'NOT_FOUND' });
      expect(JSON.stringify(result.body)).not.toContain(a.connections.hubspot);
    }
    // Updating, deleting or linking through A's wop_ id refuses it as unknown: nothing of A leaks.
    const attempts = [
      await post(
        stack.url,
        UpdateContactWriteDocument,
        { id: secret.id, input: { lastName: 'Hijack' } },
        bearer(b),
      ),
      await post(stack.url, DeleteContactWriteDocument, { id: secret.id }, bearer(b)),
      await post(
        stack.url,
        LinkContactToDealWriteDocument,
        { contactId: secret.id, dealId: secret.id },
        bearer(b),
      ),
    ];
    for (const result of attempts) {
      expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(errorOf(result).code);
      const text = JSON.stringify(result.body);
      expect(text).not.toContain(a.connections.hubspot);
      expect(text).not.toContain(SECRET_EMAIL);
    }
    // A's own view is unchanged.
    const mine = dataOf(
      await request(stack.url, WriteOperationByIdDocument, { id: secret.id }, { key: a.key }),
    );
    expect(mine.writeOperation).toMatchObject({ id: secret.id, status: 'QUEUED' });
  });

  it("refuses a record id of another tenant's connection as unknown", async () => {
    const id = encodeRecordId({ object: 'contact', connectionId: a.connections.hubspot, remoteId: '1' });
    const result = await post(
      stack.url,
      UpdateContactWriteDocument,
      { id, input: { lastName: 'X' } },
      bearer(b),
    );
    expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(errorOf(result).code);
    const create = await post(
      stack.url,
      CreateContactWriteDocument,
      { connectionId: a.connections.hubspot, input: { lastName: 'X' } },
      bearer(b),
    );
    expect(errorOf(create)).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('hostile input', () => {
  it('answers null for unknown and malformed operation ids, and BAD_USER_INPUT for oversized ones', async () => {
    for (const id of ['wop_doesnotexist', 'nope', '../../etc', '{"$gt":""}']) {
      const result = await request(stack.url, WriteOperationByIdDocument, { id }, { key: a.key });
      expect(result.body.errors ?? []).toEqual([]);
      expect(result.body.data?.writeOperation).toBeNull();
    }
    const long = await request(
      stack.url,
      WriteOperationByIdDocument,
      { id: 'w'.repeat(5000) },
      { key: a.key },
    );
    expect(errorOf(long)).toMatchObject({ code: 'BAD_USER_INPUT' });
    const garbage = await post(
      stack.url,
      UpdateContactWriteDocument,
      { id: 'not-an-id', input: { lastName: 'X' } },
      bearer(a),
    );
    expect(errorOf(garbage)).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it("refuses a forged cursor, another tenant's cursor and one of another filter", async () => {
    const c = a.connections.hubspot;
    const more = Array.from({ length: 3 }, (_, i) => ({ input: { lastName: `More${i}` } }));
    await post(stack.url, UpsertContactsWriteDocument, { connectionId: c, items: more }, bearer(a));
    const first = dataOf(
      await request(
        stack.url,
        WriteOperationPageDocument,
        { filter: { connectionId: c }, first: 1 },
        { key: a.key },
      ),
    ).writeOperations;
    const cursor = first.pageInfo.endCursor!;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const forged = `${cursor.slice(0, -4)}AAAA`;
    const cases = [
      { key: a.key, filter: { connectionId: c }, after: forged },
      { key: a.key, filter: { connectionId: c }, after: 'eyJpZCI6IndvcF8xIn0' },
      { key: b.key, filter: { connectionId: c }, after: cursor },
      { key: a.key, filter: { status: 'FAILED' as const }, after: cursor },
    ];
    for (const { key, filter, after } of cases) {
      const result = await request(
        stack.url,
        WriteOperationPageDocument,
        { filter, first: 5, after },
        { key },
      );
      expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it('gives an explicit null and an absent field their own meanings (clear vs untouched)', async () => {
    const op = dataOf(
      await post(
        stack.url,
        CreateContactWriteDocument,
        { connectionId: a.connections.salesforce, input: { lastName: 'Nulls', title: null } },
        bearer(a),
      ),
    ).createContact;
    const stored = await stack.ctx.writes.get(a.tenantId, op.id);
    expect(stored?.input).toEqual({ fields: { lastName: 'Nulls', title: null }, customFields: {} });
  });
});

describe('writeOperationUpdated', () => {
  async function subscriptionError(variables: { ids?: string[]; connectionId?: string }): Promise<unknown> {
    const log = new UpdateLog(stack.url, a.key, variables);
    await within(10_000, async () => expect(log.errors.length + (log.completed ? 1 : 0)).toBeGreaterThan(0));
    await log.close();
    return log.errors;
  }

  it('takes exactly one of ids and connectionId, and at most 500 ids', async () => {
    for (const variables of [
      {},
      { ids: [secret.id], connectionId: a.connections.hubspot },
      { ids: Array.from({ length: 501 }, (_, i) => `wop_${i}`) },
    ]) {
      const errors = await subscriptionError(variables);
      expect(JSON.stringify(errors)).toContain('BAD_USER_INPUT');
    }
  });

  it("pushes nothing of another tenant's operations, by id or by connection, while the owner sees them", async () => {
    const owner = new UpdateLog(stack.url, a.key, { ids: [secret.id] });
    const byIds = new UpdateLog(stack.url, b.key, { ids: [secret.id] });
    const byConnection = new UpdateLog(stack.url, b.key, { connectionId: a.connections.hubspot });
    await within(10_000, async () => expect(owner.updates).toHaveLength(1));
    await new Promise((r) => setTimeout(r, 300));
    const cancelled = dataOf(await post(stack.url, CancelWriteDocument, { id: secret.id }, bearer(a)));
    expect(cancelled.cancelWriteOperation.status).toBe('CANCELLED');
    await within(10_000, async () => expect(owner.statuses(secret.id)).toEqual(['QUEUED', 'CANCELLED']));
    await new Promise((r) => setTimeout(r, 300));
    expect(byIds.updates).toEqual([]);
    expect(byConnection.updates).toEqual([]);
    expect([...byIds.errors, ...byConnection.errors]).toEqual([]);
    await Promise.all([owner.close(), byIds.close(), byConnection.close()]);

    // Final now: cancelling again or retrying a CANCELLED operation is CONFLICT.
    for (const control of CONTROLS) {
      expect(errorOf(await control(secret.id, a))).toMatchObject({
        code: 'CONFLICT',
      });
    }
  });
});

describe('CORS', () => {
  it('lets a browser send the Idempotency-Key header', async () => {
    const res = await fetch(`${stack.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(res.headers.get('access-control-allow-headers')).toMatch(/\bIdempotency-Key\b/);
  });
});
