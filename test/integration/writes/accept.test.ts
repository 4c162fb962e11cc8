import { BadUserInputError, NotFoundError } from '../../../src/errors';
import { encodeRecordId } from '../../../src/reads/ids';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { type WriteOperation } from '../../../src/writes/write-operation.types';
import { type WriteItem } from '../../../src/writes/write-service.types';
import { within } from '../../support/within';
import { type AcceptHarness, createItem, startAcceptHarness } from '../../support/writes/accept-context';

jest.setTimeout(60_000);

/**
 * The accept side against the real store and queue (no worker): what `accept` stores is what the
 * engine reads (test/support/writes/operations.ts), one flush job per group, QUEUED published, and the
 * reads, lists and cursors of the API.
 */

let h: AcceptHarness;
let tenant: Awaited<ReturnType<AcceptHarness['tenant']>>;

beforeAll(async () => {
  h = await startAcceptHarness();
  tenant = await h.tenant('accept');
});

afterAll(async () => {
  await h?.close();
});

const raw = (id: string) => writeOperationModel(h.ctx.store.conn).findById(id).lean();

it('stores one QUEUED operation per item in the shape the engine reads, one flush per group, QUEUED published', async () => {
  const c = tenant.connection.id;
  const listener = await h.listen(tenant.id);
  const jobsBefore = (await h.flushJobs()).length;
  const [created] = await h.ctx.writes.accept({
    tenantId: tenant.id,
    idempotencyKey: null,
    items: [createItem(c, { firstName: 'Ada', email: 'ada@example.com' })],
  });
  const contact = encodeRecordId({ object: 'contact', connectionId: c, remoteId: '901' });
  const deal = encodeRecordId({ object: 'deal', connectionId: c, remoteId: '77' });
  const ops = await h.ctx.writes.accept({
    tenantId: tenant.id,
    idempotencyKey: null,
    items: [
      {
        kind: 'UPDATE',
        object: 'contact',
        id: created!.id,
        input: { fields: { lastName: 'L' }, customFields: {} },
      },
      { kind: 'DELETE', object: 'contact', id: contact },
      {
        kind: 'UPSERT',
        object: 'contact',
        connectionId: c,
        externalId: { field: 'customFields.extId', value: 'E-1' },
        input: { fields: { title: 'CTO' }, customFields: { extId: 'E-1' } },
      },
      { kind: 'LINK', object: 'contact', id: contact, targetId: deal },
    ],
  });
  expect(ops.map((o) => o.kind)).toEqual(['UPDATE', 'DELETE', 'UPSERT', 'LINK']);
  expect(ops.every((o) => o.status === 'QUEUED' && /^wop_[0-9a-f]{32}$/.test(o.id))).toBe(true);
  // Acceptance order across requests and within one.
  expect(ops.map((o) => o.seq)).toEqual([...ops.map((o) => o.seq)].sort((a, b) => a - b));
  expect(ops[0]!.seq).toBeGreaterThan(created!.seq);

  expect(await raw(created!.id)).toMatchObject({
    tenantId: tenant.id,
    connectionId: c,
    crm: 'hubspot',
    object: 'contact',
    kind: 'CREATE',
    batchKind: 'UPSERT',
    status: 'QUEUED',
    recordKey: `op:${created!.id}`,
    remoteId: null,
    dependsOn: [],
    externalId: null,
    nativeFields: [
      { field: 'firstname', value: 'Ada' },
      { field: 'email', value: 'ada@example.com' },
    ],
    input: {
      fields: [
        { field: 'firstName', value: 'Ada' },
        { field: 'email', value: 'ada@example.com' },
      ],
      customFields: [],
    },
    attempts: 0,
    claimToken: null,
    idempotencyKey: null,
  });
  expect(await raw(ops[0]!.id)).toMatchObject({ recordKey: `op:${created!.id}`, dependsOn: [created!.id] });
  expect(await raw(ops[1]!.id)).toMatchObject({
    recordKey: 'rid:901',
    remoteId: '901',
    batchKind: 'DELETE',
    nativeFields: null,
  });
  expect(await raw(ops[2]!.id)).toMatchObject({
    recordKey: 'ext:ext_id:E-1',
    externalId: { field: 'ext_id', value: 'E-1' },
    nativeFields: [{ field: 'jobtitle', value: 'CTO' }],
  });
  expect(await raw(ops[3]!.id)).toMatchObject({
    batchKind: 'LINK',
    recordKey: 'rid:901',
    target: { object: 'deal', remoteId: '77', recordKey: 'rid:77' },
  });
  // The API's view: the canonical input as given.
  expect((await h.ctx.writes.get(tenant.id, created!.id))!.input).toEqual({
    fields: { firstName: 'Ada', email: 'ada@example.com' },
    customFields: {},
  });

  // One flush per distinct group: UPSERT (twice, same window or not), DELETE, LINK.
  const jobs = (await h.flushJobs()).slice(jobsBefore);
  const groups = new Set((await h.flushJobs()).map((j) => (j.data as { batchKind: string }).batchKind));
  expect(groups).toEqual(new Set(['UPSERT', 'DELETE', 'LINK']));
  expect(jobs.length).toBeLessThanOrEqual(4);
  await within(5000, async () => {
    expect(
      listener.events
        .filter((e) => e.status === 'QUEUED')
        .map((e) => e.operationId)
        .sort(),
    ).toEqual([created!.id, ...ops.map((o) => o.id)].sort());
  });
  await listener.stop();
});

it('refuses a request with one bad item whole: nothing stored, nothing enqueued', async () => {
  const c = tenant.connection.id;
  const before = await writeOperationModel(h.ctx.store.conn).countDocuments({ tenantId: tenant.id });
  const jobs = (await h.flushJobs()).length;
  const err = await h.ctx.writes
    .accept({
      tenantId: tenant.id,
      idempotencyKey: null,
      items: [createItem(c, { firstName: 'ok' }), createItem(c, { createdAt: '2020-01-01T00:00:00.000Z' })],
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BadUserInputError);
  expect((err as BadUserInputError).details!.problems).toEqual([
    expect.stringMatching(/^items\[1\]\.input\.createdAt: read-only/),
  ]);
  expect(await writeOperationModel(h.ctx.store.conn).countDocuments({ tenantId: tenant.id })).toBe(before);
  expect((await h.flushJobs()).length).toBe(jobs);
});

it('an unknown connection, or another tenant’s, is NOT_FOUND; a NEEDS_REAUTH or DISABLED one still accepts', async () => {
  const other = await h.tenant('other');
  await expect(
    h.ctx.writes.accept({
      tenantId: tenant.id,
      idempotencyKey: null,
      items: [createItem(other.connection.id, { firstName: 'x' })],
    }),
  ).rejects.toThrow(NotFoundError);
  await h.ctx.store.connections.setStatus(other.connection.id, 'NEEDS_REAUTH', 'test');
  const [a] = await h.ctx.writes.accept({
    tenantId: other.id,
    idempotencyKey: null,
    items: [createItem(other.connection.id, { firstName: 'x' })],
  });
  expect(a!.status).toBe('QUEUED');
  await h.ctx.store.connections.setStatus(other.connection.id, 'DISABLED', 'test');
  const [b] = await h.ctx.writes.accept({
    tenantId: other.id,
    idempotencyKey: null,
    items: [createItem(other.connection.id, { firstName: 'y' })],
  });
  expect(b!.status).toBe('QUEUED');
  // Reads are per tenant: another tenant's operation is unknown.
  expect(await h.ctx.writes.get(tenant.id, a!.id)).toBeNull();
  expect(await h.ctx.writes.getMany(tenant.id, [a!.id, 'wop_nope'])).toEqual([null, null]);
  expect((await h.ctx.writes.getMany(other.id, [b!.id, a!.id])).map((o) => o?.id)).toEqual([b!.id, a!.id]);
});

it('accepts 500 items in one request', async () => {
  const own = await h.tenant('many');
  const items: WriteItem[] = Array.from({ length: 500 }, (_, i) =>
    createItem(own.connection.id, { lastName: `L${i}` }),
  );
  const ops = await h.ctx.writes.accept({ tenantId: own.id, idempotencyKey: null, items });
  expect(ops).toHaveLength(500);
  expect(new Set(ops.map((o) => o.id)).size).toBe(500);
  expect(await writeOperationModel(h.ctx.store.conn).countDocuments({ tenantId: own.id })).toBe(500);
});

describe('writeOperations list', () => {
  let own: Awaited<ReturnType<AcceptHarness['tenant']>>;
  let all: WriteOperation[];

  beforeAll(async () => {
    own = await h.tenant('list');
    all = [];
    // 50 operations over several requests (several share an acceptedAt millisecond).
    for (let r = 0; r < 5; r += 1) {
      const items = Array.from({ length: 10 }, (_, i) =>
        createItem(own.connection.id, { lastName: `R${r}-${i}` }),
      );
      all.push(...(await h.ctx.writes.accept({ tenantId: own.id, idempotencyKey: null, items })));
    }
  });

  it('pages newest first to the end at page size 7: no duplicate, no gap', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await h.ctx.writes.list(own.id, {}, 7, after);
      pages += 1;
      seen.push(...page.nodes.map((n) => n.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
      expect(after).not.toBeNull();
    }
    expect(pages).toBe(8);
    expect(seen).toHaveLength(50);
    expect(new Set(seen)).toEqual(new Set(all.map((o) => o.id)));
    const byId = new Map(all.map((o) => [o.id, o]));
    const times = seen.map((id) => byId.get(id)!.acceptedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by connection, status and since; refuses forged, other tenants’ and other filters’ cursors', async () => {
    const cancelled = await h.ctx.writes.cancel(own.id, all[3]!.id);
    expect(cancelled.status).toBe('CANCELLED');
    const onlyCancelled = await h.ctx.writes.list(own.id, { status: 'CANCELLED' }, 100, null);
    expect(onlyCancelled.nodes.map((n) => n.id)).toEqual([all[3]!.id]);
    const byConnection = await h.ctx.writes.list(own.id, { connectionId: own.connection.id }, 100, null);
    expect(byConnection.nodes).toHaveLength(50);
    const since = all[40]!.acceptedAt;
    const recent = await h.ctx.writes.list(own.id, { since }, 100, null);
    expect(recent.nodes.every((n) => n.acceptedAt >= since)).toBe(true);
    expect(recent.nodes.length).toBeGreaterThanOrEqual(10);
    expect(await h.ctx.writes.list(own.id, { status: 'DEAD' }, 5, null)).toEqual({
      nodes: [],
      endCursor: null,
      hasNextPage: false,
    });

    const page = await h.ctx.writes.list(own.id, {}, 7, null);
    const cursor = page.endCursor!;
    await expect(h.ctx.writes.list(tenant.id, {}, 7, cursor)).rejects.toThrow(BadUserInputError);
    await expect(h.ctx.writes.list(own.id, { status: 'QUEUED' }, 7, cursor)).rejects.toThrow(
      BadUserInputError,
    );
    const forged = cursor.slice(0, -3) + (cursor.slice(-3) === 'AAA' ? 'BBB' : 'AAA');
    await expect(h.ctx.writes.list(own.id, {}, 7, forged)).rejects.toThrow(BadUserInputError);
    await expect(h.ctx.writes.list(own.id, {}, 7, 'w1.test.abc')).rejects.toThrow(BadUserInputError);
    await expect(h.ctx.writes.list(own.id, {}, 0, null)).rejects.toThrow(BadUserInputError);
    await expect(h.ctx.writes.list(own.id, {}, 101, null)).rejects.toThrow(BadUserInputError);
    // Another tenant sees none of these.
    expect((await h.ctx.writes.list(tenant.id, { connectionId: own.connection.id }, 10, null)).nodes).toEqual(
      [],
    );
  });
});
