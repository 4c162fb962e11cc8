import 'reflect-metadata';
import { type WriteOperationEvent, writeOperationEvent } from '../../../../src/events/write-operation-events';
import { writeOperationStream } from '../../../../src/graphql/writes/write-operation-stream';
import { type WriteOperation, type WriteStatus } from '../../../../src/writes/write-operation.types';
import { operation } from './operation.fixture';

/** An event source the test pushes into, like the pubsub's, that knows whether it was released. */
function source() {
  const queue: WriteOperationEvent[] = [];
  let wake: (() => void) | null = null;
  const state = { returned: false };
  const iterator: AsyncIterableIterator<WriteOperationEvent> = {
    async next() {
      while (queue.length === 0 && !state.returned) await new Promise<void>((r) => (wake = r));
      if (state.returned) return { done: true, value: undefined };
      return { done: false, value: queue.shift()! };
    },
    async return() {
      state.returned = true;
      wake?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  const push = (...events: Partial<WriteOperationEvent>[]) => {
    for (const e of events)
      queue.push({
        operationId: 'wop_1',
        connectionId: 'conn1',
        status: 'QUEUED',
        occurredAt: new Date(),
        ...e,
      });
    const w = wake;
    wake = null;
    w?.();
  };
  return { iterator, push, state };
}

/** A store of operations the stream reads through, counting its reads. */
function store(ops: WriteOperation[]) {
  const byId = new Map(ops.map((o) => [o.id, o]));
  const reads: string[][] = [];
  return {
    reads,
    set(id: string, status: WriteStatus, updatedAt: number) {
      byId.set(id, { ...byId.get(id)!, status, updatedAt: new Date(updatedAt) });
    },
    read: async (ids: readonly string[]) => {
      reads.push([...ids]);
      return ids.map((id) => byId.get(id) ?? null);
    },
  };
}

const logger = { warn: jest.fn() };
const tick = () => new Promise((r) => setImmediate(r));

describe('writeOperationStream', () => {
  it('sends each requested known operation first, then its changes as read; unknown ids yield nothing', async () => {
    const s = source();
    const db = store([
      operation({ id: 'wop_1', updatedAt: new Date(1) }),
      operation({ id: 'wop_2', updatedAt: new Date(1) }),
    ]);
    const stream = writeOperationStream({
      events: s.iterator,
      read: db.read,
      ids: ['wop_1', 'wop_2', 'wop_x'],
      logger,
    });
    expect((await stream.next()).value.id).toBe('wop_1');
    expect((await stream.next()).value.id).toBe('wop_2');
    expect(db.reads).toEqual([['wop_1', 'wop_2', 'wop_x']]);
    db.set('wop_2', 'RUNNING', 2);
    s.push({ operationId: 'wop_2', status: 'RUNNING' }, { operationId: 'wop_other', status: 'RUNNING' });
    const next = await stream.next();
    expect([next.value.id, next.value.status]).toEqual(['wop_2', 'RUNNING']);
    expect(db.reads[1]).toEqual(['wop_2']);
    await stream.return!();
    expect(s.state.returned).toBe(true);
  });

  it('reads a burst of events in one read and never pushes a state older than one it pushed', async () => {
    const s = source();
    const ops = ['a', 'b', 'c'].map((id) => operation({ id, updatedAt: new Date(1) }));
    const db = store(ops);
    const stream = writeOperationStream({ events: s.iterator, read: db.read, connectionId: 'conn1', logger });
    for (const o of ops) db.set(o.id, 'SUCCEEDED', 5);
    // The RUNNING events of a batch and then its SUCCEEDED ones, all arriving before the read.
    s.push(...ops.map((o) => ({ operationId: o.id, status: 'RUNNING' as const })));
    s.push(...ops.map((o) => ({ operationId: o.id, status: 'SUCCEEDED' as const })));
    const got = [await stream.next(), await stream.next(), await stream.next()].map(
      (r) => `${r.value.id}:${r.value.status}`,
    );
    expect(got).toEqual(['a:SUCCEEDED', 'b:SUCCEEDED', 'c:SUCCEEDED']);
    expect(db.reads).toEqual([['a', 'b', 'c']]);
    // A late RUNNING event re-reads, finds nothing newer and pushes nothing; a retry (newer) is pushed.
    s.push({ operationId: 'a', status: 'RUNNING' });
    await tick();
    await tick();
    expect(db.reads).toHaveLength(2);
    db.set('b', 'QUEUED', 9);
    s.push({ operationId: 'b', status: 'QUEUED' });
    const retried = await stream.next();
    expect(`${retried.value.id}:${retried.value.status}`).toBe('b:QUEUED');
    await stream.return!();
  });

  it('pushes what an event tells by itself without a read, reads the rest, and never goes back', async () => {
    const s = source();
    const db = store([operation({ id: 'told', updatedAt: new Date(1) }), operation({ id: 'asked' })]);
    const told = (status: WriteStatus, at: number) => ({
      operationId: 'told',
      status,
      state: writeOperationEvent(operation({ id: 'told', status, updatedAt: new Date(at) })).state,
    });
    const stream = writeOperationStream({
      events: s.iterator,
      read: db.read,
      // What the resolver does for a subscriber that selected the record: a flagged one is read.
      fromEvent: (e) =>
        e.state && !e.state.hasRecord
          ? operation({ id: e.operationId, status: e.status, updatedAt: e.state.updatedAt })
          : null,
      connectionId: 'conn1',
      logger,
    });
    s.push(told('RUNNING', 5));
    expect(await stream.next()).toMatchObject({ value: { id: 'told', status: 'RUNNING' } });
    // An older state told later (another publisher's event overtaken) is not pushed; a stateless one is read.
    s.push(told('QUEUED', 2), { operationId: 'asked', status: 'RUNNING' });
    db.set('asked', 'RUNNING', 3);
    expect(await stream.next()).toMatchObject({ value: { id: 'asked', status: 'RUNNING' } });
    expect(db.reads).toEqual([['asked']]);
    s.push(told('SUCCEEDED', 6));
    expect(await stream.next()).toMatchObject({ value: { id: 'told', status: 'SUCCEEDED' } });
    expect(db.reads).toHaveLength(1);
    await stream.return!();
  });

  it('pushes only operations of the subscribed connection, as read', async () => {
    const s = source();
    const db = store([operation({ id: 'mine' }), operation({ id: 'elsewhere', connectionId: 'conn2' })]);
    const stream = writeOperationStream({ events: s.iterator, read: db.read, connectionId: 'conn1', logger });
    // An event claiming conn1 for an operation that is not of conn1 is not trusted.
    s.push({ operationId: 'elsewhere', connectionId: 'conn1' }, { operationId: 'mine' });
    expect((await stream.next()).value.id).toBe('mine');
    await stream.return!();
  });

  it('keeps ids pending through a failed read and reads them again', async () => {
    const s = source();
    const db = store([operation({ id: 'wop_1' })]);
    let fail = true;
    const read = async (ids: readonly string[]) => {
      if (fail) {
        fail = false;
        throw new Error('store down');
      }
      return db.read(ids);
    };
    const stream = writeOperationStream({
      events: s.iterator,
      read,
      ids: ['wop_1'],
      logger,
      retryDelayMs: 10,
    });
    expect((await stream.next()).value.id).toBe('wop_1');
    expect(logger.warn).toHaveBeenCalled();
    await stream.return!();
  });

  it('releases the source at once when returned while waiting', async () => {
    const s = source();
    const stream = writeOperationStream({
      events: s.iterator,
      read: store([]).read,
      connectionId: 'conn1',
      logger,
    });
    const pending = stream.next();
    await stream.return!();
    expect(s.state.returned).toBe(true);
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});
