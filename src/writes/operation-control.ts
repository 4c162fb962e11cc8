import { type OpenOperationsIndex } from './open-index';
import { type Queue } from 'bull';
import { ConflictError, NotFoundError } from '../errors';
import { type WriteOperationEventPublisher, writeOperationEvent } from '../events/write-operation-events';
import { type Logger } from '../logger';
import { requestWriteFlush } from '../queue/writes.producer';
import { type WriteBatchesRepository } from '../store/repositories/write-batches.repo';
import { type WriteOperationsRepository } from '../store/repositories/write-operations.repo';
import { type FlushLock } from './flush-lock';
import { type WriteOperation } from './write-operation.types';

/**
 * `cancelWriteOperation` and `retryWriteOperation` (docs/writes.md "Accepting a write").
 *
 * Cancel takes a QUEUED operation only, under its group's flush lock: the lock, not an update filter,
 * is what keeps a flush from claiming it at the same moment (FerretDB applies a conditional update as
 * a read then a write). A busy lock or a RUNNING operation is CONFLICT with `details.retryAfterMs`; a
 * final one is CONFLICT. Retry takes DEAD, or FAILED with `failure.retryable`: QUEUED again with its
 * attempts reset, and its group flushed (replacing a finished flush job Bull still keeps). Both
 * publish the status change after the store write.
 */

/** How long a client should wait before trying to cancel again while a flush holds the group. */
export const CANCEL_RETRY_AFTER_MS = 1000;

export interface OperationControlDeps {
  operations: Pick<WriteOperationsRepository, 'findById' | 'markCancelled' | 'requeue'>;
  batches: Pick<WriteBatchesRepository, 'waitingGroups'>;
  queue: Queue;
  lock: FlushLock;
  events: WriteOperationEventPublisher;
  /** Told of a cancelled or re-queued operation (src/writes/open-index.ts). */
  openIndex?: Pick<OpenOperationsIndex, 'apply'>;
  logger?: Logger;
  now?: () => Date;
}

export async function cancelOperation(
  deps: OperationControlDeps,
  tenantId: string,
  id: string,
): Promise<WriteOperation> {
  const op = await found(deps, tenantId, id);
  assertCancellable(op);
  const group = { connectionId: op.connectionId, object: op.object, batchKind: op.batchKind };
  const owner = await deps.lock.tryAcquire(group);
  if (!owner) throw running(op, 'a flush of its group is claiming writes right now');
  let cancelled: WriteOperation;
  try {
    // Read again under the lock: a flush that ran just before may have claimed it.
    const current = await found(deps, tenantId, id);
    assertCancellable(current);
    cancelled = (await deps.operations.markCancelled(tenantId, id, now(deps)))!;
  } finally {
    await deps.lock.release(group, owner).catch(() => undefined);
  }
  await indexed(deps, cancelled);
  await publish(deps, cancelled);
  // Writes after it on the same record (or waiting for this create) may run now.
  await afterStoreWrite(deps, 'flush after cancel', async () => {
    for (const g of await deps.batches.waitingGroups(cancelled.connectionId, [cancelled.recordKey]))
      await requestWriteFlush(deps.queue, g, 'accepted');
  });
  return cancelled;
}

export async function retryOperation(
  deps: OperationControlDeps,
  tenantId: string,
  id: string,
): Promise<WriteOperation> {
  const op = await found(deps, tenantId, id);
  const retryable = op.status === 'DEAD' || (op.status === 'FAILED' && op.failure?.retryable === true);
  if (!retryable) {
    const why =
      op.status === 'FAILED'
        ? `it FAILED ${op.failure?.code ?? ''} and that failure is not retryable`
        : `it is ${op.status}`;
    throw new ConflictError(`write operation ${op.id} cannot be retried: ${why}`, {
      details: { status: op.status },
    });
  }
  const requeued = (await deps.operations.requeue(tenantId, id, op.status, now(deps)))!;
  if (requeued.status !== 'QUEUED') {
    throw new ConflictError(`write operation ${op.id} changed meanwhile (now ${requeued.status})`, {
      details: { status: requeued.status },
    });
  }
  const group = { connectionId: op.connectionId, object: op.object, batchKind: op.batchKind };
  await indexed(deps, requeued);
  await afterStoreWrite(deps, 'flush after retry', () => requestWriteFlush(deps.queue, group, 'retry'));
  await publish(deps, requeued);
  return requeued;
}

async function found(deps: OperationControlDeps, tenantId: string, id: string): Promise<WriteOperation> {
  const op = await deps.operations.findById(tenantId, id);
  if (!op) throw new NotFoundError(`no write operation with id ${JSON.stringify(id.slice(0, 80))}`);
  return op;
}

function assertCancellable(op: WriteOperation): void {
  if (op.status === 'QUEUED') return;
  if (op.status === 'RUNNING') throw running(op, 'it is RUNNING: the CRM may be applying it');
  throw new ConflictError(`write operation ${op.id} cannot be cancelled: it already ended ${op.status}`, {
    details: { status: op.status },
  });
}

function running(op: WriteOperation, why: string): ConflictError {
  return new ConflictError(`write operation ${op.id} cannot be cancelled now: ${why}`, {
    details: { status: op.status, retryAfterMs: CANCEL_RETRY_AFTER_MS },
  });
}

/** The open-operations index told of the change, before any flush is asked for (it claims from it). */
async function indexed(deps: OperationControlDeps, op: WriteOperation): Promise<void> {
  await afterStoreWrite(deps, 'open-operations index', async () => deps.openIndex?.apply([op]));
}

async function publish(deps: OperationControlDeps, op: WriteOperation): Promise<void> {
  await afterStoreWrite(deps, 'publish', () =>
    deps.events.publishWriteOperationEvents(op.tenantId, [writeOperationEvent(op)]),
  );
}

/**
 * Redis work after the store write: the store is the record, so a failure here is logged, not
 * answered — the reconciler re-requests flushes of writes QUEUED past its bound.
 */
export async function afterStoreWrite(
  deps: { logger?: Logger },
  what: string,
  work: () => Promise<unknown>,
): Promise<void> {
  try {
    await work();
  } catch (err) {
    deps.logger?.warn({ err }, `write operations stored; ${what} failed (the reconciler will catch up)`);
  }
}

function now(deps: { now?: () => Date }): Date {
  return deps.now ? deps.now() : new Date();
}
