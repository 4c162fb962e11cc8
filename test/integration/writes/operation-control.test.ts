import { ConflictError, NotFoundError } from '../../../src/errors';
import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { FlushLock } from '../../../src/writes/flush-lock';
import { type WriteOperation } from '../../../src/writes/write-operation.types';
import { within } from '../../support/within';
import { type AcceptHarness, createItem, startAcceptHarness } from '../../support/writes/accept-context';

jest.setTimeout(60_000);

/** cancelWriteOperation and retryWriteOperation against the real store, lock and queue. */

let h: AcceptHarness;
let t: Awaited<ReturnType<AcceptHarness['tenant']>>;

beforeAll(async () => {
  h = await startAcceptHarness();
  t = await h.tenant('control');
});

afterAll(async () => {
  await h?.close();
});

async function accepted(n = 1): Promise<WriteOperation[]> {
  const items = Array.from({ length: n }, (_, i) => createItem(t.connection.id, { firstName: `F${i}` }));
  return h.ctx.writes.accept({ tenantId: t.id, idempotencyKey: null, items });
}

async function setRaw(id: string, set: Record<string, unknown>): Promise<void> {
  await writeOperationModel(h.ctx.store.conn).updateOne({ _id: id }, { $set: set });
}

async function conflictOf(p: Promise<unknown>): Promise<ConflictError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConflictError);
  return err as ConflictError;
}

const groupOf = (op: WriteOperation) => ({
  connectionId: op.connectionId,
  object: op.object,
  batchKind: op.batchKind,
});

describe('cancel', () => {
  it('cancels a QUEUED operation and publishes CANCELLED', async () => {
    const [op] = await accepted();
    const listener = await h.listen(t.id);
    const cancelled = await h.ctx.writes.cancel(t.id, op!.id);
    expect(cancelled).toMatchObject({ id: op!.id, status: 'CANCELLED' });
    expect(cancelled.finishedAt).toBeInstanceOf(Date);
    expect((await h.ctx.writes.get(t.id, op!.id))!.status).toBe('CANCELLED');
    await within(5000, async () => {
      expect(listener.events).toEqual([
        expect.objectContaining({ operationId: op!.id, status: 'CANCELLED' }),
      ]);
    });
    await listener.stop();
    // Final now: a second cancel is CONFLICT.
    const again = await conflictOf(h.ctx.writes.cancel(t.id, op!.id));
    expect(again.details).toMatchObject({ status: 'CANCELLED' });
    expect(again.details).not.toHaveProperty('retryAfterMs');
  });

  it('is CONFLICT with retryAfterMs while a flush holds the group’s lock, and leaves the operation QUEUED', async () => {
    const [op] = await accepted();
    const lock = new FlushLock(h.ctx.redis, h.ctx.redisPrefix);
    const owner = await lock.tryAcquire(groupOf(op!));
    expect(owner).not.toBeNull();
    try {
      const err = await conflictOf(h.ctx.writes.cancel(t.id, op!.id));
      expect(err.details).toMatchObject({ retryAfterMs: expect.any(Number) });
      expect((await h.ctx.writes.get(t.id, op!.id))!.status).toBe('QUEUED');
    } finally {
      await lock.release(groupOf(op!), owner!);
    }
    expect((await h.ctx.writes.cancel(t.id, op!.id)).status).toBe('CANCELLED');
  });

  it('is CONFLICT with retryAfterMs for a RUNNING operation, CONFLICT for a final one, NOT_FOUND for another tenant’s', async () => {
    const [running, done] = await accepted(2);
    await setRaw(running!.id, { status: 'RUNNING', claimToken: 'x', runningSince: new Date() });
    const err = await conflictOf(h.ctx.writes.cancel(t.id, running!.id));
    expect(err.details).toMatchObject({ status: 'RUNNING', retryAfterMs: expect.any(Number) });
    await setRaw(done!.id, { status: 'SUCCEEDED', remoteId: '1', finishedAt: new Date() });
    expect((await conflictOf(h.ctx.writes.cancel(t.id, done!.id))).details).toMatchObject({
      status: 'SUCCEEDED',
    });
    const other = await h.tenant('control-other');
    await expect(h.ctx.writes.cancel(other.id, running!.id)).rejects.toThrow(NotFoundError);
    await expect(h.ctx.writes.cancel(t.id, 'wop_unknown')).rejects.toThrow(NotFoundError);
  });
});

describe('retry', () => {
  it('queues a DEAD operation again (attempts reset), asks for its flush and publishes QUEUED', async () => {
    const [op] = await accepted();
    await setRaw(op!.id, {
      status: 'DEAD',
      attempts: 8,
      finishedAt: new Date(),
      claimToken: 'old',
      failure: { code: 'RETRIES_EXHAUSTED', message: 'x', retryable: true, fieldErrors: [] },
    });
    // Its group's flush jobs are gone (as after a worker ran them): the retry must enqueue one.
    const queue = h.ctx.queues.get('writes');
    for (const j of await queue.getJobs(['delayed', 'waiting'])) if (j) await j.remove();
    const listener = await h.listen(t.id);
    const retried = await h.ctx.writes.retry(t.id, op!.id);
    expect(retried).toMatchObject({
      status: 'QUEUED',
      attempts: 0,
      failure: null,
      finishedAt: null,
      claimToken: null,
    });
    expect(retried.notBefore.getTime()).toBeLessThanOrEqual(Date.now());
    expect((await h.flushJobs()).map((j) => j.data)).toEqual([
      expect.objectContaining({ connectionId: op!.connectionId, batchKind: 'UPSERT', reason: 'retry' }),
    ]);
    await within(5000, async () => {
      expect(listener.events).toEqual([expect.objectContaining({ operationId: op!.id, status: 'QUEUED' })]);
    });
    await listener.stop();
  });

  it('queues a retryable FAILED one; refuses a non-retryable FAILED, a QUEUED, a SUCCEEDED one', async () => {
    const [a, b, c, d] = await accepted(4);
    await setRaw(a!.id, {
      status: 'FAILED',
      failure: { code: 'VENDOR_ERROR', message: 'x', retryable: true, fieldErrors: [] },
    });
    expect((await h.ctx.writes.retry(t.id, a!.id)).status).toBe('QUEUED');
    await setRaw(b!.id, {
      status: 'FAILED',
      failure: { code: 'VALIDATION', message: 'bad', retryable: false, fieldErrors: [] },
    });
    expect((await conflictOf(h.ctx.writes.retry(t.id, b!.id))).details).toMatchObject({ status: 'FAILED' });
    expect((await conflictOf(h.ctx.writes.retry(t.id, c!.id))).details).toMatchObject({ status: 'QUEUED' });
    await setRaw(d!.id, { status: 'SUCCEEDED', remoteId: '5' });
    await conflictOf(h.ctx.writes.retry(t.id, d!.id));
    await expect(h.ctx.writes.retry(t.id, 'wop_unknown')).rejects.toThrow(NotFoundError);
  });
});
