import { type Queue } from 'bull';
import { BadUserInputError } from '../errors';
import { type WriteOperationEventPublisher, writeOperationEvent } from '../events/write-operation-events';
import { type Logger } from '../logger';
import { requestWriteFlush } from '../queue/writes.producer';
import { type KeyRing } from '../security/credentials-cipher';
import { type Store } from '../store';
import { type NewWriteOperationDoc, toFieldPairs } from '../store/repositories/write-operations.repo';
import { toWriteOperation } from '../store/repositories/write-operation.view';
import { type FlushLock } from './flush-lock';
import { checkIdempotencyKey, IdempotencyKeys, randomOperationIds, requestHashOf } from './idempotency';
import {
  afterStoreWrite,
  cancelOperation,
  type OperationControlDeps,
  retryOperation,
} from './operation-control';
import { OperationCursorSeal } from './operation-cursor';
import { acceptanceClock, type SequenceClock } from './sequence';
import { type OpenOperationsIndex } from './open-index';
import { type WriteGroup, type WriteOperation, writeGroupKey, WRITE_STATUSES } from './write-operation.types';
import { type AcceptRequest, type WriteService } from './write-service.types';
import { shapeProblems, type ValidatedWrite, validateWrites } from './write-validation';

export interface WriteServiceDeps {
  store: Pick<
    Store,
    'connections' | 'fieldMappings' | 'writeOperations' | 'idempotencyKeys' | 'writeBatches'
  >;
  /** The `writes` queue (QUEUES.writes). */
  queue: Queue;
  lock: FlushLock;
  events: WriteOperationEventPublisher;
  /** Told of every operation stored, cancelled or queued again (src/writes/open-index.ts). */
  openIndex?: Pick<OpenOperationsIndex, 'apply'>;
  /** Seals list cursors. */
  keyRing: KeyRing;
  logger?: Logger;
  clock?: SequenceClock;
  now?: () => Date;
}

/** Largest `first` of `list`. */
export const MAX_OPERATIONS_PAGE = 100;

/**
 * The accept side of the write path (src/writes/write-service.types.ts; docs/writes.md "Accepting a
 * write"): validate → claim the idempotency key → store the operations (unordered insert, existing ids
 * skipped) → request one flush per group → publish QUEUED → the operations in item order.
 */
export function createWriteService(deps: WriteServiceDeps): WriteService {
  const { store } = deps;
  const keys = new IdempotencyKeys(store.idempotencyKeys);
  const cursors = new OperationCursorSeal(deps.keyRing);
  const clock = deps.clock ?? acceptanceClock;
  const now = deps.now ?? (() => new Date());
  const control: OperationControlDeps = {
    operations: store.writeOperations,
    batches: store.writeBatches,
    queue: deps.queue,
    lock: deps.lock,
    events: deps.events,
    openIndex: deps.openIndex,
    logger: deps.logger,
    now,
  };

  /** The stored operations of `ids`, in order, when every one exists; else null. */
  async function storedAll(tenantId: string, ids: readonly string[]): Promise<WriteOperation[] | null> {
    const ops = await store.writeOperations.findByIds(tenantId, ids);
    return ops.every((o) => o !== null) ? (ops as WriteOperation[]) : null;
  }

  async function accept(request: AcceptRequest): Promise<WriteOperation[]> {
    const { tenantId, idempotencyKey: key } = request;
    const items = request.items;
    if (key !== null) checkIdempotencyKey(key);
    const shapeOk = shapeProblems(items).length === 0;
    const requestHash = key !== null && shapeOk ? requestHashOf(items) : null;

    // A replay returns what the first request made, without validating again (the mapping may have
    // changed since); only operations a crashed first request left unstored need the validation.
    if (key !== null && requestHash) {
      const ids = await keys.replayOf(tenantId, key, requestHash);
      const stored = ids && (await storedAll(tenantId, ids));
      if (stored) return stored;
    }
    const validated = await validateWrites(
      { connections: store.connections, mappings: store.fieldMappings, operations: store.writeOperations },
      tenantId,
      items,
    );
    const at = now();
    let ids: string[];
    if (key !== null && requestHash) {
      const claim = await keys.claim(tenantId, key, requestHash, validated.length, at);
      ids = claim.ids;
      if (claim.replay) {
        const stored = await storedAll(tenantId, ids);
        if (stored) return stored;
      }
    } else {
      ids = randomOperationIds(validated.length);
    }
    const seqs = clock.nextMany(validated.length);
    const docs = validated.map((v, i) => toDoc(tenantId, ids[i]!, seqs[i]!, key, v, at));
    const inserted = await store.writeOperations.insertMany(docs);
    const mine = docs.filter((d) => inserted.has(d._id));
    // Before the flush is asked for: a write stored as its create succeeded takes the record's key.
    for (const [id, remoteId] of await store.writeOperations.rekeyToCreatedRecords(mine)) {
      const doc = mine.find((d) => d._id === id)!;
      Object.assign(doc, { recordKey: `rid:${remoteId}`, remoteId });
    }
    const stored = mine.map((d) => toWriteOperation(d as never));
    // The index before the flush request: the flush chooses from it.
    await afterStoreWrite(deps, 'open-operations index', async () => deps.openIndex?.apply(stored));
    await afterStoreWrite(deps, 'flush request', async () => {
      const groups = new Map<string, WriteGroup>();
      for (const d of mine) {
        const group = {
          connectionId: d.connectionId,
          object: d.object,
          batchKind: d.batchKind,
        } as WriteGroup;
        groups.set(writeGroupKey(group), group);
      }
      for (const group of groups.values()) await requestWriteFlush(deps.queue, group, 'accepted');
    });
    await afterStoreWrite(deps, 'publish', () =>
      deps.events.publishWriteOperationEvents(tenantId, stored.map(writeOperationEvent)),
    );
    if (mine.length === docs.length) return stored;
    return (await storedAll(tenantId, ids)) ?? docs.map((d) => toWriteOperation(d as never));
  }

  return {
    accept,
    get: async (tenantId, id) => store.writeOperations.findById(tenantId, id),
    getMany: async (tenantId, ids) => store.writeOperations.findByIds(tenantId, ids),
    async list(tenantId, filter, first, after) {
      if (!Number.isInteger(first) || first < 1 || first > MAX_OPERATIONS_PAGE)
        throw new BadUserInputError(`first: expected 1–${MAX_OPERATIONS_PAGE}, got ${first}`);
      if (filter.status !== undefined && !WRITE_STATUSES.includes(filter.status))
        throw new BadUserInputError(`filter.status: expected one of ${WRITE_STATUSES.join(', ')}`);
      if (filter.since !== undefined && Number.isNaN(filter.since.getTime()))
        throw new BadUserInputError('filter.since: expected a date-time');
      const position = after === null ? null : cursors.open(after, tenantId, filter);
      const page = await store.writeOperations.list(tenantId, filter, first, position);
      const last = page.nodes[page.nodes.length - 1];
      return {
        nodes: page.nodes,
        endCursor: last ? cursors.seal({ acceptedAt: last.acceptedAt, id: last.id }, tenantId, filter) : null,
        hasNextPage: page.hasNextPage,
      };
    },
    retry: (tenantId, id) => retryOperation(control, tenantId, id),
    cancel: (tenantId, id) => cancelOperation(control, tenantId, id),
  };
}

/** The stored document of one validated write (the shape the engine reads; see the repo). */
function toDoc(
  tenantId: string,
  id: string,
  seq: number,
  key: string | null,
  v: ValidatedWrite,
  at: Date,
): NewWriteOperationDoc {
  return {
    _id: id,
    tenantId,
    connectionId: v.connectionId,
    crm: v.crm,
    object: v.object,
    kind: v.kind,
    batchKind: v.batchKind,
    status: 'QUEUED',
    seq,
    recordKey: v.recordKey ?? `op:${id}`,
    remoteId: v.remoteId,
    target: v.target,
    dependsOn: v.dependsOn,
    externalId: v.externalId,
    gatewayKeyField: null,
    firstKeyedSend: false,
    input: v.input
      ? { fields: toFieldPairs(v.input.fields), customFields: toFieldPairs(v.input.customFields) }
      : null,
    nativeFields: v.nativeFields ? toFieldPairs(v.nativeFields) : null,
    inputHash: v.inputHash,
    idempotencyKey: key,
    attempts: 0,
    notBefore: at,
    claimToken: null,
    runningSince: null,
    result: null,
    failure: null,
    acceptedAt: at,
    finishedAt: null,
    updatedAt: at,
  };
}
