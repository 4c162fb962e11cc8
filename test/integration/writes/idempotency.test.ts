import { ConflictError } from '../../../src/errors';
import { idempotencyKeyModel } from '../../../src/store/models/idempotency-key.model';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { createWriteOperationEventPublisher } from '../../../src/events/write-operation-events';
import { QUEUES } from '../../../src/queue/queues';
import { processIdempotencyPrune } from '../../../src/worker/system.processor';
import { FlushLock } from '../../../src/writes/flush-lock';
import { IDEMPOTENCY_KEY_REUSED } from '../../../src/writes/idempotency';
import { createWriteService } from '../../../src/writes/write-service';
import { type AcceptHarness, createItem, startAcceptHarness } from '../../support/writes/accept-context';

jest.setTimeout(180_000);

/** Idempotency keys against the real store (unique index claims) and the real queue. */

let h: AcceptHarness;

beforeAll(async () => {
  h = await startAcceptHarness();
});

afterAll(async () => {
  await h?.close();
});

const ops = (tenantId: string) => writeOperationModel(h.ctx.store.conn).find({ tenantId }).lean();

it('the same key and items → the same operations and no second flush job; other items → CONFLICT IDEMPOTENCY_KEY_REUSED', async () => {
  const t = await h.tenant('replay');
  const items = [
    createItem(t.connection.id, { firstName: 'A' }),
    createItem(t.connection.id, { firstName: 'B' }),
  ];
  const first = await h.ctx.writes.accept({ tenantId: t.id, idempotencyKey: 'order-1', items });
  const jobs = (await h.flushJobs()).length;
  // Keys in another order are the same items.
  const reordered = items.map((i) => ({
    input: i.input,
    connectionId: i.connectionId,
    object: i.object,
    kind: i.kind,
  }));
  const again = await h.ctx.writes.accept({ tenantId: t.id, idempotencyKey: 'order-1', items: reordered });
  expect(again.map((o) => o.id)).toEqual(first.map((o) => o.id));
  expect(again.map((o) => o.seq)).toEqual(first.map((o) => o.seq));
  expect((await h.flushJobs()).length).toBe(jobs);
  expect(await ops(t.id)).toHaveLength(2);
  expect(first[0]!.idempotencyKey).toBe('order-1');

  const err = await h.ctx.writes
    .accept({
      tenantId: t.id,
      idempotencyKey: 'order-1',
      items: [createItem(t.connection.id, { firstName: 'C' })],
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConflictError);
  expect((err as ConflictError).details).toEqual({ reason: IDEMPOTENCY_KEY_REUSED });

  // The same key of another tenant is that tenant's own.
  const u = await h.tenant('replay-other');
  const theirs = await h.ctx.writes.accept({
    tenantId: u.id,
    idempotencyKey: 'order-1',
    items: [createItem(u.connection.id, { firstName: 'A' })],
  });
  expect(theirs[0]!.id).not.toBe(first[0]!.id);

  // A replay answers the operations as they are now.
  await h.ctx.writes.cancel(t.id, first[0]!.id);
  const later = await h.ctx.writes.accept({ tenantId: t.id, idempotencyKey: 'order-1', items });
  expect(later.map((o) => o.status)).toEqual(['CANCELLED', 'QUEUED']);
});

it('a request refused by validation does not claim its key; a malformed key is BAD_USER_INPUT', async () => {
  const t = await h.tenant('invalid');
  await expect(
    h.ctx.writes.accept({
      tenantId: t.id,
      idempotencyKey: 'k',
      items: [createItem(t.connection.id, { nope: 1 })],
    }),
  ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  const ok = await h.ctx.writes.accept({
    tenantId: t.id,
    idempotencyKey: 'k',
    items: [createItem(t.connection.id, { firstName: 'x' })],
  });
  expect(ok).toHaveLength(1);
  await expect(
    h.ctx.writes.accept({
      tenantId: t.id,
      idempotencyKey: 'x'.repeat(256),
      items: [createItem(t.connection.id, { firstName: 'x' })],
    }),
  ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
});

it('1,000 concurrent accepts of one key and input → exactly 1 operation and 1 flush job', async () => {
  const t = await h.tenant('storm');
  const items = [createItem(t.connection.id, { firstName: 'Storm', email: 'storm@example.com' })];
  const before = (await h.flushJobs()).length;
  const results = await Promise.all(
    Array.from({ length: 1000 }, () =>
      h.ctx.writes.accept({ tenantId: t.id, idempotencyKey: 'storm-key', items }),
    ),
  );
  const ids = new Set(results.map((r) => r[0]!.id));
  expect(ids.size).toBe(1);
  expect(await ops(t.id)).toHaveLength(1);
  const jobs = (await h.flushJobs()).slice(0);
  expect(jobs.length - before).toBe(1);
  expect(await idempotencyKeyModel(h.ctx.store.conn).countDocuments({ tenantId: t.id })).toBe(1);
});

it('a crash between the claim and storing the operations: the replay stores them and asks for their flush', async () => {
  const t = await h.tenant('crash');
  const base = h.ctx.store.writeOperations;
  let crash = true;
  const crashing = Object.create(base) as typeof base;
  crashing.insertMany = async (docs) => {
    if (crash) {
      crash = false;
      throw new Error('process died');
    }
    return base.insertMany(docs);
  };
  const service = createWriteService({
    store: { ...h.ctx.store, writeOperations: crashing },
    queue: h.ctx.queues.get(QUEUES.writes),
    lock: new FlushLock(h.ctx.redis, h.ctx.redisPrefix),
    events: createWriteOperationEventPublisher({ redis: h.ctx.redis, redisPrefix: h.ctx.redisPrefix }),
    keyRing: h.ctx.keyRing,
  });
  const items = [
    createItem(t.connection.id, { firstName: 'P' }),
    createItem(t.connection.id, { firstName: 'Q' }),
  ];
  await expect(service.accept({ tenantId: t.id, idempotencyKey: 'crash-key', items })).rejects.toThrow(
    'process died',
  );
  expect(await ops(t.id)).toHaveLength(0);
  const claim = await h.ctx.store.idempotencyKeys.find(t.id, 'crash-key');
  expect(claim!.operationIds).toHaveLength(2);

  const before = (await h.flushJobs()).length;
  const replay = await service.accept({ tenantId: t.id, idempotencyKey: 'crash-key', items });
  expect(replay.map((o) => o.id)).toEqual(claim!.operationIds);
  expect(replay.map((o) => o.status)).toEqual(['QUEUED', 'QUEUED']);
  expect(await ops(t.id)).toHaveLength(2);
  expect((await h.flushJobs()).length).toBeGreaterThan(before);
  // And a replay that raced a live first request only inserts what is missing: here, nothing.
  const third = await service.accept({ tenantId: t.id, idempotencyKey: 'crash-key', items });
  expect(third.map((o) => o.id)).toEqual(claim!.operationIds);
  expect(await ops(t.id)).toHaveLength(2);
});

it('keys older than the retention are pruned by the system job; younger ones stay', async () => {
  const t = await h.tenant('prune');
  await h.ctx.writes.accept({
    tenantId: t.id,
    idempotencyKey: 'young',
    items: [createItem(t.connection.id, { firstName: 'y' })],
  });
  await idempotencyKeyModel(h.ctx.store.conn).create({
    tenantId: t.id,
    key: 'old',
    requestHash: 'h',
    nonce: 'n',
    operationIds: [],
    createdAt: new Date(Date.now() - 25 * 3_600_000),
  });
  const result = await processIdempotencyPrune(h.ctx.store.idempotencyKeys, 24)();
  expect(result.deleted).toBeGreaterThanOrEqual(1);
  expect(await h.ctx.store.idempotencyKeys.find(t.id, 'old')).toBeNull();
  expect(await h.ctx.store.idempotencyKeys.find(t.id, 'young')).not.toBeNull();
});
