import { type CrmObject } from '../../connectors/types';
import { type Logger } from '../../logger';
import { type BackgroundReadDeps, backgroundMetadata } from '../../reads/background-metadata';
import { type Store } from '../../store';
import { type ConnectionView } from '../../store/repositories/connections.repo';
import { type BackfillMode, type BackfillState } from '../../store/repositories/sync-states.repo';
import { type SyncLease, type SyncLock, LockLostError } from '../poll/sync-lock';
import { type ReconcileRequests } from '../reconcile-requests';
import { type IngestChanges } from '../types';
import { asChanges, backfillPage } from './backfill-pages';
import { type ReconcileSeen, recordUnlisted } from './reconcile-deletions';
import { backfillMetrics } from './backfill-metrics';

export interface BackfillDeps extends BackgroundReadDeps {
  store: Pick<Store, 'fieldMappings' | 'syncStates' | 'recordSnapshots'>;
  ingest: IngestChanges;
  /** The backfill lock (kind `backfill`): apart from the poll's, so polls go on during a backfill. */
  lock: SyncLock;
  requests: ReconcileRequests;
  seen: ReconcileSeen;
  logger: Pick<Logger, 'warn' | 'info'>;
  /** A hint to the connector's export, and the listing's page size; absent, the connector's best. */
  pageSize?: number;
}

/**
 * What one chunk did: `busy` — another worker holds this object's backfill; `idle` — nothing to do
 * (done, failed, no request); `more` — pages remain; `done` — the listing ended in this chunk.
 */
export interface BackfillOutcome {
  result: 'busy' | 'idle' | 'more' | 'done';
  pages: number;
  records: number;
  events: number;
}

/**
 * Runs at most `maxPages` pages of one object's backfill: the connection's first sync pulls every
 * record (INITIAL), a reconcile does the same and then records as deleted what it did not list
 * (RECONCILE, src/sync/backfill/reconcile-deletions.ts). Each page is ingested (source BACKFILL)
 * before the run's position is stored with it, so a run that dies resumes at the page it was on — read
 * again, ingest records nothing twice. Chunks keep a backfill from holding a worker slot for long:
 * the caller runs the next chunk as a new job, after the webhook and poll jobs queued meanwhile.
 */
export async function backfillObject(
  deps: BackfillDeps,
  connection: ConnectionView,
  object: CrmObject,
  maxPages: number,
): Promise<BackfillOutcome> {
  const outcome: BackfillOutcome = { result: 'busy', pages: 0, records: 0, events: 0 };
  const before = await deps.store.syncStates.getBackfill(connection.id, object);
  const lease = await deps.lock.tryAcquire(connection.id, object, before?.fence ?? 0);
  if (!lease) return outcome;
  try {
    let state = await runToDo(deps, connection, object);
    if (!state) return { ...outcome, result: 'idle' };
    await put(deps, lease, state);
    const connector = await (await backgroundMetadata(deps, connection)).reading(object);
    while (outcome.pages < maxPages) {
      const page = await backfillPage(connector, object, state.cursor, deps.pageSize);
      if (!(await deps.lock.renew(lease))) throw new LockLostError(`backfill lock of ${lease.name} expired`);
      const ids = page.items.map((r) => r.remoteId);
      // Before the ingest: a run that dies between the two has listed the ids, which is what counts.
      if (state.mode === 'RECONCILE') await deps.seen.add(connection.id, object, state.startedAt, ids);
      const ingested = await deps.ingest({
        connection,
        object,
        changes: asChanges(object, page.items, state.startedAt),
        source: 'BACKFILL',
        observedAt: new Date(),
      });
      outcome.pages += 1;
      outcome.records += page.items.length;
      outcome.events += ingested.events;
      // A page that went through clears an earlier attempt's error: the run is healthy again.
      state = {
        ...state,
        done: state.done + page.items.length,
        total: page.total,
        cursor: page.nextCursor,
        lastError: null,
      };
      if (!page.nextCursor) {
        if (state.mode === 'RECONCILE') {
          const deleted = await recordUnlisted(deps, connection, object, state.startedAt);
          outcome.events += deleted.events;
        }
        state = { ...state, state: 'DONE', finishedAt: new Date(), lastError: null };
      }
      await put(deps, lease, state);
      backfillMetrics.progress(connection, object, state);
      if (state.state === 'DONE') {
        if (state.mode === 'RECONCILE') await deps.seen.forget(connection.id, object, state.startedAt);
        return { ...outcome, result: 'done' };
      }
    }
    return { ...outcome, result: 'more' };
  } catch (err) {
    const failed = await deps.store.syncStates.getBackfill(connection.id, object);
    if (failed) {
      await deps.store.syncStates
        .putBackfill({ ...failed, lastError: errorText(err) }, lease.fence)
        .catch(() => undefined);
    }
    throw err;
  } finally {
    await deps.lock.release(lease);
  }
}

/**
 * Marks an object's backfill FAILED (its job gave up): it stays so until a resync, and status reports
 * it. Nothing is done while another worker holds the object.
 */
export async function failBackfill(
  deps: Pick<BackfillDeps, 'store' | 'lock'>,
  connectionId: string,
  object: CrmObject,
  reason: string,
): Promise<void> {
  const state = await deps.store.syncStates.getBackfill(connectionId, object);
  if (!state || state.state !== 'RUNNING') return;
  const lease = await deps.lock.tryAcquire(connectionId, object, state.fence ?? 0);
  if (!lease) return;
  try {
    await deps.store.syncStates.putBackfill(
      { ...state, state: 'FAILED', finishedAt: new Date(), lastError: reason },
      lease.fence,
    );
  } finally {
    await deps.lock.release(lease);
  }
}

/**
 * The run to continue, or to start: the first (INITIAL) when the object has none; a RECONCILE when one
 * was requested after the current run started; else the current one while it is RUNNING.
 */
async function runToDo(
  deps: BackfillDeps,
  connection: ConnectionView,
  object: CrmObject,
): Promise<BackfillState | null> {
  const state = await deps.store.syncStates.getBackfill(connection.id, object);
  const requested = await deps.requests.latest(connection.id, object);
  if (requested && (!state || requested > state.startedAt)) {
    return newRun(connection, object, 'RECONCILE', requested);
  }
  if (!state) return newRun(connection, object, 'INITIAL', new Date());
  return state.state === 'RUNNING' ? state : null;
}

function newRun(
  connection: ConnectionView,
  object: CrmObject,
  mode: BackfillMode,
  startedAt: Date,
): BackfillState {
  return {
    tenantId: connection.tenantId,
    connectionId: connection.id,
    object,
    state: 'RUNNING',
    mode,
    done: 0,
    total: null,
    cursor: null,
    startedAt,
    finishedAt: null,
    lastError: null,
  };
}

async function put(deps: BackfillDeps, lease: SyncLease, state: BackfillState): Promise<void> {
  if (!(await deps.store.syncStates.putBackfill(state, lease.fence))) {
    throw new LockLostError(`a newer backfill of ${lease.name} has written its state; this one stops`);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
