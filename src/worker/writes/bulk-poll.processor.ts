import { type Job } from 'bull';
import { CrmNeedsReauthError, CrmRateLimitedError, NotFoundError } from '../../errors';
import { requestWriteFlush } from '../../queue/writes.producer';
import { failure, type WriteOutcome } from '../../store/repositories/write-outcome.updates';
import { type ConnectionView } from '../../store/repositories/connections.repo';
import { toWriteOperation } from '../../store/repositories/write-operation.view';
import { type WriteGroup, type WriteOperation } from '../../writes/write-operation.types';
import { type RecordWrite } from '../../connectors/types';
import { type BulkPollJobData, type BulkPolls } from './bulk-jobs';
import { FlushWatch } from './flush-watch';
import { toRecordWrite } from './record-writes';
import { outcomesOfResults, REAUTH_RESCHEDULE_MS } from './write-outcomes';
import { bySubmission, recordFlush, type WriteFlushDeps } from './write-flush.processor';

/**
 * A poll of a submitted vendor bulk job (docs/writes.md "Bulk jobs"), a delayed `write-bulk-poll` job:
 * one look at the job through the connector's `collect`. While it runs, the next poll is scheduled
 * (each wait twice the last, up to the declared `maxPollMs`). Once it ended, its operations still
 * RUNNING under the job's claim token are finalized under the group's lock exactly as a flush does
 * (`recordFlush`: outcomes, read-back, history, transitions published, waiting writes woken). Past the
 * declared timeout, a job whose results cannot be read ends its operations FAILED OUTCOME_UNKNOWN.
 *
 * At least once: a poll that dies before recording leaves the operations RUNNING in the job; the next
 * poll (Bull's stalled-job retry, or the reconciler's re-created poll) collects again, and only what is
 * still RUNNING under the claim token is recorded.
 */

export interface BulkPollDeps extends WriteFlushDeps {
  bulkPolls: BulkPolls;
}

export interface BulkPollSummary {
  state: 'done' | 'running' | 'busy' | 'recorded';
  recorded?: number;
}

/** Delay of a poll whose group lock was busy: the flush holding it is short. */
const BUSY_RETRY_MS = 250;
/** The declared timeout of a connector that no longer declares one (settings changed meanwhile). */
const DEFAULT_TIMEOUT_MS = 30 * 60_000;

export function parseBulkPollJob(data: unknown): BulkPollJobData {
  const d = (data ?? {}) as Partial<BulkPollJobData>;
  const ref = d.ref as Record<string, unknown> | undefined;
  if (
    typeof d.connectionId !== 'string' ||
    (d.object !== 'contact' && d.object !== 'deal') ||
    typeof d.claimToken !== 'string' ||
    !ref ||
    typeof ref.id !== 'string' ||
    Object.values(ref).some((v) => typeof v !== 'string') ||
    typeof d.submittedAt !== 'number' ||
    typeof d.waitMs !== 'number' ||
    typeof d.polls !== 'number'
  ) {
    throw new Error(`not a write-bulk-poll job: ${JSON.stringify(data)}`);
  }
  return d as BulkPollJobData;
}

export function processBulkPoll(deps: BulkPollDeps) {
  return (job: Job<BulkPollJobData>): Promise<BulkPollSummary> =>
    runBulkPoll(deps, parseBulkPollJob(job.data));
}

function outcomeUnknown(ops: readonly WriteOperation[], why: string): WriteOutcome[] {
  const fail = failure(
    'OUTCOME_UNKNOWN',
    `the vendor bulk job this write ran in ${why}: it may have been applied, and it is not resent`,
    false,
  );
  return ops.map((op) => ({ id: op.id, kind: 'failed', failure: fail }));
}

export async function runBulkPoll(deps: BulkPollDeps, data: BulkPollJobData): Promise<BulkPollSummary> {
  const repo = deps.store.writeBatches;
  const running = await repo.runningOfClaim(data.claimToken);
  if (running.length === 0) {
    await deps.bulkPolls.done(data.connectionId, data.ref.id);
    return { state: 'done' };
  }
  const ops = running.map((d) => toWriteOperation(d)).sort(bySubmission);
  const nowMs = deps.now?.() ?? Date.now();
  let connection: ConnectionView | null = null;
  try {
    connection = await deps.store.connections.getById(data.connectionId);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const connector = connection ? deps.crm.connectorFor(connection, 'background') : null;
  const declared = connector?.limits.bulkWrite;
  const pastDeadline = nowMs > data.submittedAt + (declared?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const next = (delayMs: number) =>
    deps.bulkPolls.schedule(
      {
        ...data,
        waitMs: Math.min(declared?.maxPollMs ?? data.waitMs * 2, data.waitMs * 2),
        polls: data.polls + 1,
      },
      delayMs,
    );

  let outcomes: WriteOutcome[] | null = null;
  if (!connection || !connector?.bulkWrites) {
    outcomes = outcomeUnknown(ops, 'can no longer be read (its connection is gone or offers no bulk jobs)');
  } else {
    try {
      const writes = ops.map((op) => toRecordWrite(op)) as RecordWrite[];
      const results = await connector.bulkWrites.collect(data.object, data.ref, writes);
      if (results) outcomes = outcomesOfResults(ops, results);
    } catch (err) {
      deps.logger.warn({ err, jobId: data.ref.id }, 'vendor bulk job not readable this poll');
      if (!pastDeadline) {
        const wait =
          err instanceof CrmRateLimitedError
            ? (err.retryAfterMs ?? data.waitMs)
            : err instanceof CrmNeedsReauthError
              ? REAUTH_RESCHEDULE_MS
              : data.waitMs;
        await next(wait);
        return { state: 'running' };
      }
    }
    if (!outcomes) {
      if (!pastDeadline) {
        await next(data.waitMs);
        return { state: 'running' };
      }
      outcomes = outcomeUnknown(
        ops,
        `had not ended ${declared?.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms after its submission`,
      );
    }
  }
  return finalize(deps, data, connection, outcomes, next);
}

/** The job's outcomes recorded under the group's lock, for what is still RUNNING in it. */
async function finalize(
  deps: BulkPollDeps,
  data: BulkPollJobData,
  connection: ConnectionView | null,
  outcomes: readonly WriteOutcome[],
  next: (delayMs: number) => Promise<void>,
): Promise<BulkPollSummary> {
  const group: WriteGroup = { connectionId: data.connectionId, object: data.object, batchKind: 'UPSERT' };
  const lockToken = await deps.lock.tryAcquire(group);
  if (!lockToken) {
    await next(BUSY_RETRY_MS);
    return { state: 'busy' };
  }
  const marked = new Set<string>();
  try {
    // Read again under the lock: another poll of the job may have recorded them meanwhile.
    const current = await deps.store.writeBatches.runningOfClaim(data.claimToken);
    const claimed = current.map((d) => toWriteOperation(d)).sort(bySubmission);
    const ids = new Set(claimed.map((op) => op.id));
    const mine = outcomes.filter((o) => ids.has(o.id));
    if (claimed.length > 0 && connection) {
      for (const op of claimed) if (op.remoteId) marked.add(op.remoteId);
      await deps.inFlight?.mark(connection.id, data.object, [...marked]);
      await recordFlush(
        deps,
        {
          connection,
          connector: deps.crm.connectorFor(connection, 'background'),
          group,
          lockToken,
          claimToken: data.claimToken,
          claim: {
            claimed,
            stored: new Map(current.map((d) => [d._id, d])),
            dependencyFailed: [],
            open: [],
            more: false,
            blocked: false,
            roundTrips: 0,
          },
          marked,
          watch: new FlushWatch(deps.flushMaxMs, deps.now),
        },
        mine,
      );
    } else if (claimed.length > 0) {
      await recordWithoutConnection(deps, group, lockToken, data.claimToken, claimed, mine);
    }
    await wakeAfterJob(deps, group, claimed, mine);
    await deps.bulkPolls.done(data.connectionId, data.ref.id);
    return { state: 'recorded', recorded: claimed.length };
  } finally {
    if (connection && marked.size > 0)
      await deps.inFlight?.clear(connection.id, data.object, [...marked]).catch(() => undefined);
    await deps.lock.release(group, lockToken).catch(() => false);
  }
}

/** A deleted connection: the outcomes only (no read-back or history without a connector). */
async function recordWithoutConnection(
  deps: BulkPollDeps,
  group: WriteGroup,
  lockToken: string,
  claimToken: string,
  claimed: WriteOperation[],
  outcomes: readonly WriteOutcome[],
): Promise<void> {
  const exclusive = await deps.lock.renew(group, lockToken).catch(() => false);
  await deps.store.writeBatches.recordOutcomes(
    claimed,
    claimToken,
    outcomes,
    new Date(deps.now?.() ?? Date.now()),
    { maxAttempts: deps.maxAttempts, random: deps.random },
    { exclusive },
  );
}

/**
 * The job's group again (writes of it held back behind the job's records) and every group with a
 * write waiting for one of the job's records, found in the store: a poll has no claim's read of the
 * open operations to find them in.
 */
async function wakeAfterJob(
  deps: BulkPollDeps,
  group: WriteGroup,
  claimed: readonly WriteOperation[],
  outcomes: readonly WriteOutcome[],
): Promise<void> {
  const keys = [
    ...claimed.flatMap((op) => [op.recordKey, `op:${op.id}`]),
    ...outcomes.flatMap((o) => (o.kind === 'succeeded' && o.remoteId ? [`rid:${o.remoteId}`] : [])),
  ];
  const waiting = await deps.store.writeBatches.waitingGroups(group.connectionId, keys);
  const groups = new Map([group, ...waiting].map((g) => [`${g.object}:${g.batchKind}`, g]));
  for (const g of groups.values()) await requestWriteFlush(deps.queue, g, 'continuation', 0);
}
