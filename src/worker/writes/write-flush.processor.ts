import { type Job, type Queue } from 'bull';
import { type BulkWriteDeclaration } from '../../config/crms';
import { type BulkJobRef, type CrmConnector, type RecordWrite } from '../../connectors/types';
import { NotFoundError } from '../../errors';
import { type WriteOperationEventPublisher } from '../../events/write-operation-events';
import { type Logger } from '../../logger';
import { requestWriteFlush, type WriteFlushJobData } from '../../queue/writes.producer';
import { type CrmServices } from '../../runtime/crm-services';
import { type Store } from '../../store';
import { type ChangeLog } from '../../sync/change-log';
import { type InFlightWrites } from '../../writes/in-flight';
import { type ConnectionView } from '../../store/repositories/connections.repo';
import {
  type ClaimResult,
  type Transition,
  type WriteOutcome,
} from '../../store/repositories/write-batches.repo';
import { type FlushLock } from '../../writes/flush-lock';
import { type OpenOperationsIndex } from '../../writes/open-index';
import { afterStoreWrite } from '../../writes/operation-control';
import { type BudgetHeadroom } from '../../ratelimit/budget-gate';
import { type WriteGroup, type WriteOperation } from '../../writes/write-operation.types';
import { FlushWatch } from './flush-watch';
import { gatewayKeyField } from './gateway-key';
import { claimLimit, sendBatches } from './batch-send';
import { bulkSelection, type BulkPolls } from './bulk-jobs';
import { toRecordWrite } from './record-writes';
import { isRateRefusal, outcomesOfCallError } from './write-outcomes';
import { publishTransitions } from './publish-transitions';
import { writeMetrics } from './write-metrics';
import { readBack, writeHistory } from './write-readback';
import { resultRecord } from './record-history';
import { waitingGroups } from './waiting-groups';

/**
 * The flush of one write group (docs/writes.md): under the group's lock, claim its due QUEUED
 * operations from MongoDB (so batches form from the store, whichever gateway accepted the writes and
 * however many workers run), send them in bulk calls of the connector's `writeBatch`, all at once
 * (batch-send.ts), through the background lane (a budget refusal
 * or a 429 fails fast with `retryAfterMs`; nothing sleeps in a worker slot), record every outcome in one
 * bulkWrite, read the written records back into their snapshots and change events, then publish.
 */

export interface WriteFlushDeps {
  store: Store;
  /** Numbers and stores the change events of succeeded writes (src/sync/change-log.ts). */
  changeLog: Pick<ChangeLog, 'record'>;
  /** Marks the records a flush is changing, so sync does not record our own change a second time. */
  inFlight?: Pick<InFlightWrites, 'mark' | 'clear'>;
  crm: Pick<CrmServices, 'connectorFor' | 'writeHeadroom'>;
  /** The `writes` queue: continuations, reschedules and wake-ups of waiting groups. */
  queue: Queue;
  lock: FlushLock;
  events: WriteOperationEventPublisher;
  /** Each connection's open operations in Redis: what a claim chooses from (src/writes/open-index.ts). */
  openIndex: OpenOperationsIndex;
  logger: Logger;
  /** WRITE_MAX_ATTEMPTS. */
  maxAttempts: number;
  /** WRITE_MAX_WAIT_MS. */
  maxWaitMs: number;
  /** WRITE_FLUSH_MAX_MS: past it a flush stops renewing its group lock (src/worker/writes/flush-watch.ts). */
  flushMaxMs: number;
  /**
   * Polls of submitted vendor bulk jobs (bulk-jobs.ts). Absent: no group goes as a bulk job, whatever
   * its connector offers.
   */
  bulkPolls?: BulkPolls;
  now?: () => number;
  random?: () => number;
}

export interface FlushSummary {
  /** Why nothing was sent, when nothing was. */
  skipped?: 'busy' | 'connection-unavailable' | 'unsupported' | 'empty' | 'budget';
  claimed: number;
  /** Operations by the status the flush left them in. */
  statuses: Partial<Record<WriteOperation['status'], number>>;
  claimRoundTrips?: number;
}

/** Delay of a flush request whose group lock was busy: the running flush takes what is due by then. */
const BUSY_RETRY_MS = 250;
/**
 * Delay of the next flush of a group whose writes wait for another flush's RUNNING write: about one
 * flush's length, so a long flush is asked about a few times (a claim each), not continuously.
 */
const BLOCKED_RETRY_MS = 1000;

/**
 * Bounds of the wait of a flush whose budget admits no call now: not sooner than the next coalescing
 * window, and asked again at least once a minute (a daily allocation used up may say hours; another
 * process's give-back or the vendor's reading can make room sooner).
 */
const MIN_BUDGET_WAIT_MS = 50;
const MAX_BUDGET_WAIT_MS = 60_000;

/** Every batch kind: records (UPSERT, DELETE) and associations (LINK, UNLINK). */
const SUPPORTED_BATCH_KINDS = new Set<string>(['UPSERT', 'DELETE', 'LINK', 'UNLINK']);

/** The job data, checked: it comes from Redis. */
export function parseFlushJob(data: unknown): WriteGroup {
  const d = (data ?? {}) as Partial<WriteFlushJobData>;
  if (
    typeof d.connectionId !== 'string' ||
    (d.object !== 'contact' && d.object !== 'deal') ||
    !['UPSERT', 'DELETE', 'LINK', 'UNLINK'].includes(String(d.batchKind))
  ) {
    throw new Error(`not a write-flush job: ${JSON.stringify(data)}`);
  }
  return { connectionId: d.connectionId, object: d.object, batchKind: d.batchKind! };
}

export function processWriteFlush(deps: WriteFlushDeps) {
  return (job: Job<WriteFlushJobData>): Promise<FlushSummary> => runWriteFlush(deps, parseFlushJob(job.data));
}

export async function runWriteFlush(deps: WriteFlushDeps, group: WriteGroup): Promise<FlushSummary> {
  if (!SUPPORTED_BATCH_KINDS.has(group.batchKind))
    return { skipped: 'unsupported', claimed: 0, statuses: {} };
  const token = await deps.lock.tryAcquire(group);
  if (!token) {
    // Another flush of the group runs: ask again shortly, so what it did not claim is not left behind.
    await requestWriteFlush(deps.queue, group, 'reschedule', BUSY_RETRY_MS);
    return { skipped: 'busy', claimed: 0, statuses: {} };
  }
  const renewEvery = Math.max(1000, Math.floor(deps.lock.ttlMs / 3));
  const watch = new FlushWatch(deps.flushMaxMs, deps.now);
  const renewal = setInterval(() => {
    if (watch.firstTimeSlow(deps.lock.ttlMs)) {
      deps.logger.warn(
        { group, stage: watch.stage, elapsedMs: watch.elapsedMs() },
        'write flush is slow: still running after its lock TTL',
      );
    }
    if (!watch.mayRenew()) {
      clearInterval(renewal);
      deps.logger.error(
        { group, stage: watch.stage, elapsedMs: watch.elapsedMs(), maxMs: watch.maxMs },
        'write flush ran past WRITE_FLUSH_MAX_MS: its group lock is left to expire, so the reconciler recovers its writes',
      );
      return;
    }
    deps.lock.renew(group, token).then(
      (held) =>
        held || deps.logger.warn({ group }, 'write flush lost its group lock; its outcomes still record'),
      (err: unknown) => deps.logger.warn({ err, group }, 'write flush could not renew its group lock'),
    );
  }, renewEvery);
  try {
    const summary = await flushLocked(deps, group, token, watch);
    // Where the flush's time went (store, vendor, history): what a slow write path is profiled from.
    deps.logger.debug(
      { group, claimed: summary.claimed, elapsedMs: watch.elapsedMs(), stagesMs: watch.stagesMs() },
      'write flush done',
    );
    return summary;
  } finally {
    clearInterval(renewal);
    await deps.lock.release(group, token).catch(() => false);
  }
}

async function flushLocked(
  deps: WriteFlushDeps,
  group: WriteGroup,
  token: string,
  watch: FlushWatch,
): Promise<FlushSummary> {
  const now = (): Date => new Date(deps.now?.() ?? Date.now());
  const repo = deps.store.writeBatches;
  let connection: ConnectionView;
  try {
    connection = await deps.store.connections.getById(group.connectionId);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    const ended = await repo.endQueued(
      group,
      'FAILED',
      {
        code: 'CONNECTION_UNAVAILABLE',
        message: 'the connection was deleted',
        retryable: false,
        fieldErrors: [],
      },
      now(),
    );
    await afterStoreWrite(deps, 'open-operations index', () => deps.openIndex.apply(ended));
    await publishTransitions(deps, ended);
    return { skipped: 'connection-unavailable', claimed: 0, statuses: countStatuses(ended) };
  }
  if (connection.status !== 'ACTIVE') {
    // They wait, visibly QUEUED; the reconciler asks again while they do. Past WRITE_MAX_WAIT_MS they end.
    const ended = await repo.endQueued(
      group,
      'DEAD',
      {
        code: 'CONNECTION_UNAVAILABLE',
        message: `the connection stayed ${connection.status} longer than ${deps.maxWaitMs} ms after this write was accepted`,
        retryable: true,
        fieldErrors: [],
      },
      now(),
      new Date(now().getTime() - deps.maxWaitMs),
    );
    await afterStoreWrite(deps, 'open-operations index', () => deps.openIndex.apply(ended));
    await publishTransitions(deps, ended);
    return { skipped: 'connection-unavailable', claimed: 0, statuses: countStatuses(ended) };
  }

  const connector = deps.crm.connectorFor(connection, 'background');
  watch.enter('budget');
  const limit = await budgetedClaimLimit(deps, connection, group, connector.limits.writeBatch);
  if (limit === 0) return { skipped: 'budget', claimed: 0, statuses: {} };
  watch.enter('claim');
  const indexed = await deps.openIndex.read(group.connectionId).catch((err: unknown) => {
    deps.logger.debug({ err, group }, 'open-operations index unreadable: the claim reads the store');
    return null;
  });
  writeMetrics.claimSource(connection.crm, indexed ? 'index' : 'store');
  const keyField = group.batchKind === 'UPSERT' ? gatewayKeyField(connection.settings, group.object) : null;
  // A vendor bulk job where the connector offers one and enough due writes of one shape wait for it.
  const bulk =
    group.batchKind === 'UPSERT' && connector.bulkWrites && deps.bulkPolls
      ? connector.limits.bulkWrite
      : undefined;
  const claim = await repo.claim(group, token, limit, now(), {
    gatewayKeyField: keyField,
    ...(indexed ? { open: indexed } : {}),
    ...(bulk ? { select: bulkSelection(bulk, keyField) } : {}),
  });
  await indexAfterClaim(deps, group.connectionId, claim);
  watch.enter('publish');
  await publishTransitions(deps, [...claim.dependencyFailed, ...claim.claimed]);
  if (claim.claimed.length === 0) {
    watch.enter('wake');
    const waiting = waitingGroups(group.connectionId, claim.open, claim.dependencyFailed);
    await wake(deps, group, claim.dependencyFailed, claim, waiting);
    return { skipped: 'empty', claimed: 0, statuses: countStatuses(claim.dependencyFailed) };
  }

  // Sync leaves the records we are changing to us until their history is written (src/writes/in-flight.ts).
  const changesRecords = group.batchKind === 'UPSERT' || group.batchKind === 'DELETE';
  const marked = new Set(
    changesRecords ? claim.claimed.flatMap((op) => (op.remoteId ? [op.remoteId] : [])) : [],
  );
  await deps.inFlight?.mark(connection.id, group.object, [...marked]);
  const flush = { connection, connector, group, lockToken: token, claimToken: token, claim, marked, watch };
  try {
    if (bulk && claim.selection !== null && claim.claimed.length >= bulk.threshold)
      return await submitBulkJob(deps, flush, bulk);
    return await sendAndRecord(deps, flush);
  } finally {
    await deps.inFlight?.clear(connection.id, group.object, [...marked]).catch(() => undefined);
  }
}

/**
 * Most operations this flush claims: whole batches, no more than the connection's budgets admit calls
 * for now (docs/writes.md "Budget-sized claims"). A claim the budget would refuse most of costs a store
 * round trip per operation to put it back (and for a one-record-per-call vendor, far more operations
 * than calls); left QUEUED, they cost nothing. With no call admitted, the flush asks again when one is
 * (0 returned). Where the budget cannot be read (Redis down) or one call never fits, the claim is sized
 * as before: the gate refuses each call on its own, and its operations reschedule or fail visibly.
 */
async function budgetedClaimLimit(
  deps: WriteFlushDeps,
  connection: ConnectionView,
  group: WriteGroup,
  writeBatch: number,
): Promise<number> {
  const most = claimLimit(writeBatch);
  let room: BudgetHeadroom;
  try {
    room = await deps.crm.writeHeadroom(connection, group.batchKind);
  } catch (err) {
    deps.logger.debug({ err, group }, 'budget headroom unknown: the claim is not sized by it');
    return most;
  }
  if (room.calls > 0) return Math.min(most, room.calls * Math.max(1, writeBatch));
  if (room.retryAfterMs < 0) return most;
  writeMetrics.budgetWait(connection.crm);
  const delayMs = Math.min(MAX_BUDGET_WAIT_MS, Math.max(MIN_BUDGET_WAIT_MS, room.retryAfterMs));
  await requestWriteFlush(deps.queue, group, 'reschedule', delayMs);
  return 0;
}

/**
 * The open-operations index told what the claim learnt and did: seeded from the claim's store read
 * where the index was not ready, repaired where its entries were stale, then the claimed operations
 * (RUNNING) and those that failed a dependency (gone).
 */
async function indexAfterClaim(
  deps: WriteFlushDeps,
  connectionId: string,
  claim: ClaimResult,
): Promise<void> {
  await afterStoreWrite(deps, 'open-operations index', async () => {
    if (claim.storeReadAt !== null)
      await deps.openIndex.reconcile(connectionId, claim.open, claim.storeReadAt);
    await deps.openIndex.put(connectionId, claim.stale.put);
    await deps.openIndex.remove(connectionId, claim.stale.removed);
    await deps.openIndex.apply([...claim.claimed, ...claim.dependencyFailed]);
  });
}

/**
 * The open operations keyed by the given `op:` record keys, from the index where it is ready (null:
 * the store is asked). A write the index has not heard of yet is still waited behind: a claim from the
 * index resolves every `op:` key it holds through its create (write-batch-claim.ts).
 */
function keyedByFromIndex(deps: WriteFlushDeps, connectionId: string) {
  return async (recordKeys: readonly string[]): Promise<{ _id: string; recordKey: string }[] | null> => {
    const open = await deps.openIndex.read(connectionId).catch(() => null);
    if (!open) return null;
    const keys = new Set(recordKeys);
    return open.filter((o) => keys.has(o.recordKey)).map((o) => ({ _id: o._id, recordKey: o.recordKey }));
  };
}

/** A flush's claimed operations on their way to their outcomes (or a bulk poll's, under its own lock). */
export interface RecordingFlush {
  connection: ConnectionView;
  connector: CrmConnector;
  group: WriteGroup;
  /** The group lock's owner token now. */
  lockToken: string;
  /** The claim token the operations are RUNNING under (the lock token of the flush that claimed them). */
  claimToken: string;
  claim: Pick<
    ClaimResult,
    'claimed' | 'stored' | 'dependencyFailed' | 'open' | 'more' | 'blocked' | 'roundTrips'
  >;
  marked: Set<string>;
  watch: FlushWatch;
}

/** The claimed batches' vendor calls, then their outcomes recorded ({@link recordFlush}). */
async function sendAndRecord(deps: WriteFlushDeps, flush: RecordingFlush): Promise<FlushSummary> {
  flush.watch.enter('send');
  const outcomes = await sendBatches(flush.connector, flush.connection.crm, flush.group, flush.claim.claimed);
  return recordFlush(deps, flush, outcomes);
}

/**
 * The claimed operations as one vendor bulk job (docs/writes.md "Bulk jobs"): submitted, its reference
 * stored on them (still RUNNING under the claim token, so no later write of their records is claimed
 * before the job ends), and its first poll scheduled; the group lock is then released, so the group's
 * other writes keep flowing. A refusal of the submission is the outcome of every operation, as a
 * failed call's is.
 */
async function submitBulkJob(
  deps: WriteFlushDeps,
  flush: RecordingFlush,
  declaration: BulkWriteDeclaration,
): Promise<FlushSummary> {
  const { connection, connector, group, claimToken, claim, watch } = flush;
  const ops = [...claim.claimed].sort(bySubmission);
  const writes = ops.map(toRecordWrite);
  if (writes.some((w) => w === null)) return sendAndRecord(deps, flush);
  watch.enter('send');
  let ref: BulkJobRef;
  try {
    ref = await connector.bulkWrites!.submit(group.object, writes as RecordWrite[]);
  } catch (err) {
    writeMetrics.batch(connection.crm, group.batchKind, ops.length, 'error');
    if (isRateRefusal(err)) writeMetrics.rateLimited(connection.crm);
    return recordFlush(deps, flush, outcomesOfCallError(ops, err));
  }
  writeMetrics.batch(connection.crm, group.batchKind, ops.length, 'ok');
  const submittedAt = deps.now?.() ?? Date.now();
  watch.enter('record-outcomes');
  await deps.store.writeBatches.markBulkJob(
    ops.map((op) => op.id),
    claimToken,
    { ref, submittedAt: new Date(submittedAt) },
  );
  const poll = { connectionId: connection.id, object: group.object, claimToken, ref, submittedAt };
  await deps.bulkPolls!.schedule({ ...poll, waitMs: declaration.pollMs, polls: 0 }, declaration.pollMs);
  deps.logger.info(
    { group, jobId: ref.id, operations: ops.length },
    'write group submitted as a vendor bulk job',
  );
  watch.enter('wake');
  await wake(deps, group, [], claim, []);
  return { claimed: ops.length, statuses: { RUNNING: ops.length }, claimRoundTrips: claim.roundTrips };
}

/** The order a bulk job's writes are submitted and collected in: acceptance order, ties by id. */
export function bySubmission(a: WriteOperation, b: WriteOperation): number {
  return a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The outcomes of a flush's (or a bulk job's) operations: read-back, recorded, history, publish and wake-ups. */
export async function recordFlush(
  deps: WriteFlushDeps,
  flush: RecordingFlush,
  outcomes: readonly WriteOutcome[],
): Promise<FlushSummary> {
  const { connection, group, lockToken, claimToken, claim, marked, watch } = flush;
  const repo = deps.store.writeBatches;
  const now = (): Date => new Date(deps.now?.() ?? Date.now());
  // A create's record is known from here on: marked before anything can read it back or sync it.
  const createdIds = outcomes.flatMap((o) =>
    o.kind === 'succeeded' && o.remoteId && !marked.has(o.remoteId) ? [o.remoteId] : [],
  );
  if (group.batchKind === 'UPSERT' && createdIds.length > 0) {
    await deps.inFlight?.mark(connection.id, group.object, createdIds);
    for (const id of createdIds) marked.add(id);
  }
  writeMetrics.rescheduled(
    connection.crm,
    'rate_limited',
    outcomes.filter((o) => o.kind === 'reschedule').length,
  );
  // Only records written are read back; a delete has none, and a link changes no record's fields.
  const writtenIds = new Set(
    group.batchKind === 'UPSERT' ? claim.claimed.map((op) => op.id) : ([] as string[]),
  );
  const written = outcomes.flatMap((o) =>
    o.kind === 'succeeded' && writtenIds.has(o.id)
      ? [{ id: o.id, remoteId: o.remoteId, record: o.record }]
      : [],
  );
  watch.enter('read-back');
  const back = await readBack(deps, connection, group.object, written);
  if (back.error) {
    deps.logger.warn(
      { err: back.error, group },
      'writes succeeded but their records could not be read back; they are recorded without them',
    );
  }
  const records = new Map([...back.records].map(([id, r]) => [id, resultRecord(r)]));
  watch.enter('record-outcomes');
  // Still ours (renewed now), nothing else writes the claimed operations: they are updated by `_id`
  // alone. A flush that lost its lock records only what is still RUNNING under its token.
  const exclusive = await deps.lock.renew(group, lockToken).catch(() => false);
  const transitions = await repo.recordOutcomes(
    claim.claimed,
    claimToken,
    outcomes,
    now(),
    { maxAttempts: deps.maxAttempts, random: deps.random },
    { records, exclusive, current: claim.stored, keyedBy: keyedByFromIndex(deps, connection.id) },
  );
  await afterStoreWrite(deps, 'open-operations index', async () => {
    await deps.openIndex.apply(transitions);
    await deps.openIndex.rekey(connection.id, transitions.rekeyed);
  });
  // Links and unlinks change no record's fields: no snapshot, no change event (docs/writes.md "Links").
  const succeeded = transitions.filter(
    (t) => t.status === 'SUCCEEDED' && (t.batchKind === 'UPSERT' || t.batchKind === 'DELETE'),
  );
  const finished = [...claim.dependencyFailed, ...transitions];
  // The outcomes are recorded: a history that cannot be written is logged, never a reason to withhold them.
  watch.enter('history');
  await writeHistory(deps, connection, group.object, succeeded, back.records, now()).catch((err: unknown) =>
    deps.logger.warn({ err, group }, 'record snapshots and change events of succeeded writes not written'),
  );
  watch.enter('publish');
  await publishTransitions(deps, transitions);
  // The groups this batch unblocks are asked for only after its history is written, so a woken write
  // to one of these records never reads a snapshot older than this batch's.
  watch.enter('wake');
  await wake(deps, group, finished, claim, waitingGroups(group.connectionId, claim.open, finished));
  return {
    claimed: claim.claimed.length,
    statuses: countStatuses([...claim.dependencyFailed, ...transitions]),
    claimRoundTrips: claim.roundTrips,
  };
}

/**
 * Asks for the flushes this one made due: the group again when more is claimable, when something went
 * back to QUEUED (at its `notBefore`) or when a write of it waits for another flush's RUNNING one
 * (after {@link BLOCKED_RETRY_MS}), and the `waiting` groups (waiting-groups.ts).
 */
async function wake(
  deps: WriteFlushDeps,
  group: WriteGroup,
  finished: readonly Transition[],
  claim: Pick<ClaimResult, 'more' | 'blocked'>,
  waiting: readonly WriteGroup[],
): Promise<void> {
  const nowMs = deps.now?.() ?? Date.now();
  const requeued = finished.filter((t) => t.status === 'QUEUED');
  const requests: Promise<void>[] = [];
  if (claim.more) requests.push(requestWriteFlush(deps.queue, group, 'continuation', 0));
  else if (claim.blocked) requests.push(requestWriteFlush(deps.queue, group, 'reschedule', BLOCKED_RETRY_MS));
  if (requeued.length > 0) {
    const due = Math.min(...requeued.map((t) => t.notBefore.getTime()));
    requests.push(requestWriteFlush(deps.queue, group, 'reschedule', Math.max(0, due - nowMs)));
  }
  for (const g of waiting) requests.push(requestWriteFlush(deps.queue, g, 'continuation', 0));
  await Promise.all(requests);
}

function countStatuses(ops: readonly Transition[]): FlushSummary['statuses'] {
  const out: FlushSummary['statuses'] = {};
  for (const op of ops) out[op.status] = (out[op.status] ?? 0) + 1;
  return out;
}
