import 'reflect-metadata';
import {
  ContactByIdDocument,
  CreateContactWriteDocument,
  DeleteContactWriteDocument,
  UpdateContactWriteDocument,
  UpsertContactsWriteDocument,
  type WriteOpFragment,
  WriteOperationPageDocument,
  type WriteOperationPageQuery,
  WriteOperationStatusUpdatedDocument,
  type WriteOperationStatusUpdatedSubscription,
} from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant } from '../../support/read-stack';
import { startWriteStack, type WriteStack } from '../../support/writes/write-stack';
import { within } from '../../support/within';
import { dataOf, errorOf, FINAL, movesForward, post, UpdateLog } from './support';

jest.setTimeout(90_000);

/**
 * The write API end to end: mutations over HTTP to a real gateway, a real worker (Bull on the test
 * Redis, the store on FerretDB) flushing to the sandboxes over sockets, and `writeOperationUpdated`
 * over a WebSocket.
 */

let stack: ReadStack;
let tenant: ReadTenant;

let writes: WriteStack;
beforeAll(async () => {
  writes = await startWriteStack('wapi', 7, 'writes');
  ({ stack, tenant } = writes);
});

afterAll(async () => {
  await writes?.close();
});

const auth = () => ({ authorization: `Bearer ${tenant.key}` });

/** The operations of `ids` once every one is final, read through writeOperations (pages of 100). */
async function settled(ids: readonly string[], ms = 45_000): Promise<WriteOpFragment[]> {
  const wanted = new Set(ids);
  let byId = new Map<string, WriteOpFragment>();
  const deadline = Date.now() + ms;
  for (;;) {
    byId = new Map();
    let after: string | null = null;
    for (;;) {
      const page: WriteOperationPageQuery['writeOperations'] = dataOf(
        await request(
          stack.url,
          WriteOperationPageDocument,
          { filter: {}, first: 100, after },
          { key: tenant.key },
        ),
      ).writeOperations;
      for (const op of page.nodes) if (wanted.has(op.id)) byId.set(op.id, op);
      if (!page.pageInfo.hasNextPage || byId.size === wanted.size) break;
      after = page.pageInfo.endCursor!;
    }
    const open = ids.filter((id) => !FINAL.has(byId.get(id)?.status ?? ''));
    if (open.length === 0) return ids.map((id) => byId.get(id)!);
    if (Date.now() > deadline) {
      throw new Error(
        `${open.length} of ${ids.length} operations not final: ${JSON.stringify(byId.get(open[0]!))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('createContact', () => {
  it('is pushed QUEUED → RUNNING → SUCCEEDED with its record id, and contact(id) reads it back', async () => {
    const connectionId = tenant.connections.hubspot;
    const log = new UpdateLog(stack.url, tenant.key, { connectionId });
    // The subscription sends nothing until a change: give it a moment to be listening.
    await new Promise((r) => setTimeout(r, 500));
    const email = `ada-${Date.now()}@example.org`;
    const created = dataOf(
      await post(
        stack.url,
        CreateContactWriteDocument,
        { connectionId, input: { firstName: 'Ada', lastName: 'Lovelace', email } },
        auth(),
      ),
    ).createContact;
    expect(created).toMatchObject({ status: 'QUEUED', kind: 'CREATE', object: 'CONTACT', recordId: null });
    expect(created.id).toMatch(/^wop_/);

    await within(30_000, async () => expect(log.statuses(created.id).at(-1)).toBe('SUCCEEDED'));
    const statuses = log.statuses(created.id);
    expect(statuses[0]).toBe('QUEUED');
    expect(statuses).toContain('RUNNING');
    expect(movesForward(statuses)).toBe(true);
    expect(log.errors).toEqual([]);
    const done = log.updates.filter((u) => u.id === created.id).at(-1)!;
    expect(done).toMatchObject({ created: true, failure: null, connectionId });
    expect(done.recordId).toEqual(expect.any(String));
    expect(done.record).toMatchObject({ id: done.recordId, fields: { firstName: 'Ada', email } });
    await log.close();

    const read = dataOf(
      await request(stack.url, ContactByIdDocument, { id: done.recordId! }, { key: tenant.key }),
    );
    expect(read.contact).toMatchObject({ id: done.recordId, firstName: 'Ada', lastName: 'Lovelace', email });
  });

  it('pushes a status-only subscription from the events alone, with no read of the operations', async () => {
    const connectionId = tenant.connections.hubspot;
    const reads = jest.spyOn(stack.ctx.writes, 'getMany');
    try {
      const log = new UpdateLog<WriteOperationStatusUpdatedSubscription['writeOperationUpdated']>(
        stack.url,
        tenant.key,
        { connectionId },
        WriteOperationStatusUpdatedDocument,
      );
      await new Promise((r) => setTimeout(r, 500));
      const created = dataOf(
        await post(
          stack.url,
          CreateContactWriteDocument,
          { connectionId, input: { lastName: 'Somerville', email: `mary-${Date.now()}@example.org` } },
          auth(),
        ),
      ).createContact;
      await within(30_000, async () => expect(log.statuses(created.id).at(-1)).toBe('SUCCEEDED'));
      await log.close();
      expect(reads).not.toHaveBeenCalled();
      const statuses = log.statuses(created.id);
      expect(statuses[0]).toBe('QUEUED');
      expect(movesForward(statuses)).toBe(true);
      expect(log.errors).toEqual([]);
      const [final] = await settled([created.id]);
      // The event's state is the operation's: what a read of it answers.
      expect(log.updates.filter((u) => u.id === created.id).at(-1)).toEqual({
        id: created.id,
        status: 'SUCCEEDED',
        recordId: final!.recordId,
        created: true,
        attempts: final!.attempts,
        updatedAt: final!.updatedAt,
      });
    } finally {
      reads.mockRestore();
    }
  });

  it('sends the current state of each requested operation first when subscribed by ids', async () => {
    const connectionId = tenant.connections.salesforce;
    const created = dataOf(
      await post(
        stack.url,
        CreateContactWriteDocument,
        { connectionId, input: { lastName: 'Byron', email: `byron-${Date.now()}@example.org` } },
        auth(),
      ),
    ).createContact;
    const [final] = await settled([created.id]);
    const log = new UpdateLog(stack.url, tenant.key, { ids: [created.id, 'wop_unknown'] });
    await within(10_000, async () => expect(log.updates).toHaveLength(1));
    expect(log.updates[0]).toMatchObject({ id: created.id, status: 'SUCCEEDED', recordId: final!.recordId });
    await log.close();
  });
});

describe('a CRM that answers each write with its record (Pipedrive: one record per call)', () => {
  it("keeps the answer as the operation's record — what contact(id) reads — with no read call", async () => {
    const connectionId = tenant.connections.pipedrive;
    stack.clearLogs();
    const email = `grace-${Date.now()}@example.org`;
    const created = dataOf(
      await post(
        stack.url,
        CreateContactWriteDocument,
        { connectionId, input: { firstName: 'Grace', lastName: 'Hopper', email, phone: '+1 555 0100' } },
        auth(),
      ),
    ).createContact;
    const [done] = await settled([created.id]);
    expect(done).toMatchObject({ status: 'SUCCEEDED', created: true });
    // The create's POST, and no read of persons by id (what a read-back is): the record came with the
    // answer. Sync's own list of the connection (no `ids`) may run meanwhile and is not counted.
    const calls = stack.callLog('pipedrive');
    expect(calls['POST /c/:company/api/v2/persons']).toBe(1);
    const readsById = stack
      .callEntries('pipedrive')
      .filter((e) => e.method === 'GET' && /\/persons(\/|$)/.test(e.route))
      .filter((e) => e.route.endsWith('/:id') || new URL(e.url, 'http://sandbox').searchParams.has('ids'));
    expect(readsById.map((e) => e.url)).toEqual([]);

    const read = dataOf(
      await request(stack.url, ContactByIdDocument, { id: done!.recordId! }, { key: tenant.key }),
    ).contact!;
    const record = done!.record as { id: string; fields: Record<string, unknown> };
    expect(record.id).toBe(read.id);
    expect(read).toMatchObject({ firstName: 'Grace', lastName: 'Hopper', email });
    // Every field the read shows a value for, the record holds the same (a record leaves nulls out).
    const { firstName, lastName, phone, title, customFields } = read;
    const shown = Object.entries({ firstName, lastName, email: read.email, phone, title }).filter(
      ([, v]) => v !== null,
    );
    expect(shown.length).toBeGreaterThanOrEqual(4);
    expect(record.fields).toMatchObject(Object.fromEntries(shown));
    const customShown = Object.entries((customFields ?? {}) as Record<string, unknown>).filter(
      ([, v]) => v !== null,
    );
    expect(record.fields.customFields ?? {}).toEqual(Object.fromEntries(customShown));
  });
});

describe('upsertContacts', () => {
  it('of 100 with one bad email: 99 SUCCEEDED, 1 FAILED VALIDATION with the field errors', async () => {
    const connectionId = tenant.connections.hubspot;
    const tag = Date.now();
    const items = Array.from({ length: 100 }, (_, i) => ({
      input: {
        firstName: 'Batch',
        lastName: `B${i}`,
        email: i === 42 ? 'not-an-email' : `batch-${tag}-${i}@example.org`,
      },
    }));
    const ops = dataOf(
      await post(stack.url, UpsertContactsWriteDocument, { connectionId, items }, auth()),
    ).upsertContacts;
    expect(ops).toHaveLength(100);
    expect(ops.every((o) => o.status === 'QUEUED' && o.kind === 'CREATE')).toBe(true);

    const final = await settled(ops.map((o) => o.id));
    expect(final.filter((o) => o.status === 'SUCCEEDED')).toHaveLength(99);
    const failed = final.filter((o) => o.status === 'FAILED');
    expect(failed.map((o) => o.id)).toEqual([ops[42]!.id]);
    expect(failed[0]!.failure).toMatchObject({ code: 'VALIDATION', retryable: false });
    expect(failed[0]!.failure!.fieldErrors.length).toBeGreaterThan(0);
    expect(JSON.stringify(failed[0]!.failure!.fieldErrors)).toMatch(/email/i);
  });

  it('refuses an item with both id and externalId, naming it in details.problems', async () => {
    const connectionId = tenant.connections.hubspot;
    const result = await post(
      stack.url,
      UpsertContactsWriteDocument,
      {
        connectionId,
        items: [
          { input: { lastName: 'Fine' } },
          { id: 'x', externalId: { field: 'email', value: 'a@example.org' }, input: { lastName: 'Both' } },
        ],
      },
      auth(),
    );
    const error = errorOf(result);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(JSON.stringify(error.problems)).toContain('items[1]');
  });

  it('refuses more than 500 items', async () => {
    const items = Array.from({ length: 501 }, () => ({ input: { lastName: 'Many' } }));
    const result = await post(
      stack.url,
      UpsertContactsWriteDocument,
      { connectionId: tenant.connections.hubspot, items },
      auth(),
    );
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('order', () => {
  it('applies create → update (by its wop_ id) → delete of one record in the order they were sent', async () => {
    const connectionId = tenant.connections.salesforce;
    const email = `order-${Date.now()}@example.org`;
    const create = dataOf(
      await post(
        stack.url,
        CreateContactWriteDocument,
        { connectionId, input: { lastName: 'First', email } },
        auth(),
      ),
    ).createContact;
    const update = dataOf(
      await post(
        stack.url,
        UpdateContactWriteDocument,
        { id: create.id, input: { lastName: 'Second' } },
        auth(),
      ),
    ).updateContact;
    const remove = dataOf(
      await post(stack.url, DeleteContactWriteDocument, { id: create.id }, auth()),
    ).deleteContact;
    expect([create.kind, update.kind, remove.kind]).toEqual(['CREATE', 'UPDATE', 'DELETE']);

    const [c, u, d] = await settled([create.id, update.id, remove.id]);
    expect([c!.status, u!.status, d!.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(u!.recordId).toBe(c!.recordId);
    expect(d!.recordId).toBe(c!.recordId);
    expect(Date.parse(c!.finishedAt!)).toBeLessThanOrEqual(Date.parse(u!.finishedAt!));
    expect(Date.parse(u!.finishedAt!)).toBeLessThanOrEqual(Date.parse(d!.finishedAt!));
    expect(u!.record).toMatchObject({ fields: { lastName: 'Second', email } });
    // Deleted last: the sandbox no longer has it among its live records.
    expect(stack.recordsBy('salesforce', 'contact', 'Email').get(email) ?? 0).toBe(0);
  });
});

describe('idempotency', () => {
  it('replays the same Idempotency-Key and input as the same operations; other input is CONFLICT', async () => {
    const connectionId = tenant.connections.hubspot;
    const key = `idem-${Date.now()}`;
    const items = [{ input: { lastName: 'Idem', email: `idem-${key}@example.org` } }];
    const first = dataOf(
      await post(
        stack.url,
        UpsertContactsWriteDocument,
        { connectionId, items },
        { ...auth(), 'idempotency-key': key },
      ),
    ).upsertContacts;
    const again = dataOf(
      await post(
        stack.url,
        UpsertContactsWriteDocument,
        { connectionId, items },
        { ...auth(), 'idempotency-key': key },
      ),
    ).upsertContacts;
    expect(again.map((o) => o.id)).toEqual(first.map((o) => o.id));
    // The argument names the same key: the same request.
    const byArgument = dataOf(
      await post(
        stack.url,
        UpsertContactsWriteDocument,
        { connectionId, items, idempotencyKey: key },
        auth(),
      ),
    ).upsertContacts;
    expect(byArgument.map((o) => o.id)).toEqual(first.map((o) => o.id));

    const other = await post(
      stack.url,
      UpsertContactsWriteDocument,
      { connectionId, items: [{ input: { lastName: 'Other' } }] },
      { ...auth(), 'idempotency-key': key },
    );
    expect(errorOf(other)).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });

    const both = await post(
      stack.url,
      UpsertContactsWriteDocument,
      { connectionId, items, idempotencyKey: `${key}-arg` },
      { ...auth(), 'idempotency-key': key },
    );
    expect(errorOf(both)).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('writeOperations', () => {
  it('pages a connection’s operations to the end, newest first, with first: 7', async () => {
    const t = await stack.tenant('paging');
    const connectionId = t.connections.salesforce;
    const items = Array.from({ length: 17 }, (_, i) => ({ input: { lastName: `Page${i}` } }));
    const made = dataOf(
      await post(
        stack.url,
        UpsertContactsWriteDocument,
        { connectionId, items },
        {
          authorization: `Bearer ${t.key}`,
        },
      ),
    ).upsertContacts;
    const seen: WriteOpFragment[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    for (let pages = 0; ; pages += 1) {
      expect(pages).toBeLessThan(10);
      const page: WriteOperationPageQuery['writeOperations'] = dataOf(
        await request(
          stack.url,
          WriteOperationPageDocument,
          { filter: { connectionId }, first: 7, after },
          { key: t.key },
        ),
      ).writeOperations;
      seen.push(...page.nodes);
      sizes.push(page.nodes.length);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(sizes).toEqual([7, 7, 3]);
    expect(new Set(seen.map((o) => o.id))).toEqual(new Set(made.map((o) => o.id)));
    const accepted = seen.map((o) => Date.parse(o.acceptedAt));
    expect(accepted.every((a, i) => i === 0 || a <= accepted[i - 1]!)).toBe(true);

    for (const first of [0, 101]) {
      const bad = await request(stack.url, WriteOperationPageDocument, { filter: {}, first }, { key: t.key });
      expect(errorOf(bad)).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});
