import { type AppContext } from '../../../src/runtime/context';
import { ChangeLog } from '../../../src/sync/change-log';
import { type NewChangeEvent } from '../../../src/store/repositories/change-events.repo';
import { type RecordSnapshot } from '../../../src/store/repositories/record-snapshots.repo';
import { createTestContext } from '../../support/context';
import { createLogger } from '../../../src/logger';

/**
 * The change log numbers every event of a tenant and never lets a reader pass a number that is not
 * stored: concurrent writers, a writer that dies before or after its snapshot write, a writer that
 * overruns its lease, and Redis losing the counter.
 */

let ctx: AppContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(async () => {
  await ctx.close();
});

let n = 0;
function entry(tenantId: string, remoteId = `r${++n}`) {
  const at = new Date();
  const event: NewChangeEvent = {
    tenantId,
    connectionId: 'conn_1',
    object: 'contact',
    remoteId,
    kind: 'UPDATED',
    source: 'POLL',
    changes: [{ field: 'email', before: null, after: `${remoteId}@example.com` }],
    occurredAt: at,
    observedAt: at,
    hard: false,
    writeOperationId: null,
  };
  const snapshot: RecordSnapshot = {
    tenantId,
    connectionId: 'conn_1',
    object: 'contact',
    remoteId,
    fields: [{ field: 'email', value: `${remoteId}@example.com` }],
    isDeleted: false,
    remoteUpdatedAt: at,
    writeOperationId: null,
  };
  return { event, snapshot, isNew: true };
}

function log(overrides: Partial<ConstructorParameters<typeof ChangeLog>[0]> = {}): ChangeLog {
  return new ChangeLog({
    events: ctx.store.changeEvents,
    snapshots: ctx.store.recordSnapshots,
    redis: ctx.redis,
    redisPrefix: ctx.redisPrefix,
    logger: createLogger({ level: 'silent' }),
    ...overrides,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('numbers events consecutively per tenant and reads them back in order up to the watermark', async () => {
  const changeLog = log();
  const a = await changeLog.record('t-order', [entry('t-order'), entry('t-order')]);
  const b = await changeLog.record('t-order', [entry('t-order')]);
  const other = await changeLog.record('t-other', [entry('t-other')]);
  expect([...a, ...b].map((e) => e.seq)).toEqual([1, 2, 3]);
  expect(other.map((e) => e.seq)).toEqual([1]);
  expect(await changeLog.watermark('t-order')).toBe(3);
  const read = await changeLog.read('t-order', 1, 3);
  expect(read.map((e) => [e.seq, e.remoteId])).toEqual([
    [2, a[1]!.remoteId],
    [3, b[0]!.remoteId],
  ]);
  expect(read[0]!.occurredAt).toBeInstanceOf(Date);
});

it('gives 40 concurrent writers distinct numbers with none missing', async () => {
  const changeLog = log();
  const batches = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      changeLog.record('t-many', [entry('t-many'), ...(i % 2 ? [entry('t-many')] : [])]),
    ),
  );
  const seqs = batches
    .flat()
    .map((e) => e.seq)
    .sort((x, y) => x - y);
  expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  expect(await changeLog.watermark('t-many')).toBe(60);
  expect((await changeLog.read('t-many', 0, 60)).map((e) => e.seq)).toEqual(seqs);
});

it('holds the watermark below a writer that died before storing, then gives its numbers up as gaps', async () => {
  const dying = log({
    leaseMs: 300,
    snapshots: {
      ...ctx.store.recordSnapshots,
      findMany: ctx.store.recordSnapshots.findMany.bind(ctx.store.recordSnapshots),
      putMany: () => Promise.reject(new Error('killed before the snapshot write')),
    } as never,
  });
  const healthy = log({ leaseMs: 300 });
  await healthy.record('t-dead', [entry('t-dead')]);
  await expect(dying.record('t-dead', [entry('t-dead'), entry('t-dead')])).rejects.toThrow('killed');
  await healthy.record('t-dead', [entry('t-dead')]);
  // Numbers 2 and 3 are leased by the dead writer: readers stop at 1 although 4 is stored.
  expect(await healthy.watermark('t-dead')).toBe(1);
  await sleep(400);
  expect(await healthy.watermark('t-dead')).toBe(4);
  expect((await healthy.read('t-dead', 0, 4)).map((e) => e.seq)).toEqual([1, 4]);
});

it("stores a dead writer's event when its snapshot shows the change happened", async () => {
  const dying = log({
    leaseMs: 300,
    events: {
      ...ctx.store.changeEvents,
      range: ctx.store.changeEvents.range.bind(ctx.store.changeEvents),
      insert: () => Promise.reject(new Error('killed after the snapshot write')),
    } as never,
  });
  const healthy = log({ leaseMs: 300 });
  const lost = entry('t-half');
  await expect(dying.record('t-half', [lost])).rejects.toThrow('killed');
  expect(await healthy.watermark('t-half')).toBe(0);
  await sleep(400);
  expect(await healthy.watermark('t-half')).toBe(1);
  const [event] = await healthy.read('t-half', 0, 1);
  expect(event).toMatchObject({ seq: 1, remoteId: lost.event.remoteId, kind: 'UPDATED', source: 'POLL' });
  expect(event!.occurredAt.getTime()).toBe(lost.event.occurredAt.getTime());
});

it('numbers again the event of a writer that overran its lease after its numbers were given up', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const slow = log({
    leaseMs: 300,
    snapshots: {
      findMany: ctx.store.recordSnapshots.findMany.bind(ctx.store.recordSnapshots),
      putMany: async (...args: Parameters<typeof ctx.store.recordSnapshots.putMany>) => {
        await held;
        return ctx.store.recordSnapshots.putMany(...args);
      },
    } as never,
  });
  const healthy = log({ leaseMs: 300 });
  const late = entry('t-late');
  const writing = slow.record('t-late', [late]);
  await sleep(400);
  expect(await healthy.watermark('t-late')).toBe(1); // reaped as a gap: the snapshot had not moved
  expect(await healthy.read('t-late', 0, 1)).toEqual([]);
  release();
  const [stored] = await writing;
  expect(stored!.seq).toBe(2);
  expect(await healthy.watermark('t-late')).toBe(2);
  expect((await healthy.read('t-late', 1, 2)).map((e) => e.remoteId)).toEqual([late.event.remoteId]);
});

it('never reuses a number after Redis lost the counter', async () => {
  const changeLog = log();
  await changeLog.record('t-lost', [entry('t-lost'), entry('t-lost'), entry('t-lost')]);
  await ctx.redis.del(`${ctx.redisPrefix}:sync:seq:{tenant:t-lost}`);
  const [again] = await changeLog.record('t-lost', [entry('t-lost')]);
  expect(again!.seq).toBeGreaterThan(3);
  const all = await changeLog.read('t-lost', 0, again!.seq);
  expect(all.map((e) => e.seq)).toEqual([1, 2, 3, again!.seq]);
  expect(new Set(all.map((e) => e.remoteId)).size).toBe(4);
});
