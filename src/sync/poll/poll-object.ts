import { type CrmObject } from '../../connectors/types';
import { CrmRateLimitedError } from '../../errors';
import { type Logger } from '../../logger';
import { type BackgroundReadDeps, backgroundMetadata } from '../../reads/background-metadata';
import { type Store } from '../../store';
import { type ConnectionView } from '../../store/repositories/connections.repo';
import { type PollState } from '../../store/repositories/sync-states.repo';
import { type ReconcileRequests } from '../reconcile-requests';
import { type IngestChanges } from '../types';
import { maxOccurredAt, nextHighWater, pollSince, requiresFullResync } from './poll-window';
import { type SyncLease, type SyncLock, LockLostError } from './sync-lock';

export interface PollDeps extends BackgroundReadDeps {
  store: Pick<Store, 'fieldMappings' | 'syncStates'>;
  ingest: IngestChanges;
  /** The poll lock (kind `poll`). */
  lock: SyncLock;
  requests: ReconcileRequests;
  logger: Pick<Logger, 'warn' | 'debug'>;
  /** Changes per page; absent, the connector's own (its vendor's maximum). */
  pageSize?: number;
}

/**
 * What one poll of one (connection, object) did: `busy` — another worker is polling it (nothing
 * done); `started` — its first poll, which only sets the mark (the backfill pulls what exists);
 * `reconcile` — the change feed cannot reach back to the mark, so a full reconcile was requested;
 * `done` — read to the end.
 */
export interface PollOutcome {
  result: 'busy' | 'started' | 'reconcile' | 'done';
  pages: number;
  changes: number;
  events: number;
}

/**
 * Polls one object of a connection: reads the connector's change feed from the high-water mark minus
 * the overlap (src/sync/poll/poll-window.ts) to its end, one page at a time, and ingests each page
 * (source POLL) before storing the connector's cursor after it. A poll that dies resumes from the
 * cursor after its last ingested page; the page it was on is read again, and ingest records nothing
 * twice. Only one poll per (connection, object) runs at a time (src/sync/poll/sync-lock.ts); a second
 * returns `busy` at once, since the running one reads every change anyway.
 */
export async function pollObject(
  deps: PollDeps,
  connection: ConnectionView,
  object: CrmObject,
): Promise<PollOutcome> {
  const outcome: PollOutcome = { result: 'busy', pages: 0, changes: 0, events: 0 };
  const before = await deps.store.syncStates.getPoll(connection.id, object);
  const lease = await deps.lock.tryAcquire(connection.id, object, before?.fence ?? 0);
  if (!lease) return outcome;
  try {
    // Read again under the lock: the one above may predate another holder's last write.
    const stored = await deps.store.syncStates.getPoll(connection.id, object);
    const now = new Date();
    // A vendor position reads keys alone: a plain connector, no mapping to fit and no describe.
    const feedStart = async (): Promise<string | null> => {
      const plain = deps.crm.connectorFor(connection, 'background');
      return plain.startChanges ? plain.startChanges(object, () => renewOrThrow(deps, lease)) : null;
    };
    if (!stored?.highWater) {
      // The first poll of this object: the backfill pulls every record that exists; polling follows
      // changes from now on, overlapping the backfill's start (a feed kept by vendor position starts
      // from the position the vendor issues now).
      const feedPosition = await feedStart();
      await put(deps, lease, { ...fresh(connection, object), highWater: now, lastPollAt: now, feedPosition });
      return { ...outcome, result: 'started' };
    }
    const connector = await (await backgroundMetadata(deps, connection)).reading(object);
    let state = await applyReconcileRequest(deps, connection, object, stored);
    const since = state.pollSince ?? pollSince(state.highWater!);
    const startedAt = state.pollStartedAt ?? now;
    let cursor = state.pollCursor;
    let seen = state.pollMax;
    for (;;) {
      let page;
      try {
        page = await connector.listChanges(object, {
          since,
          cursor,
          pageSize: deps.pageSize,
          position: state.feedPosition,
        });
      } catch (err) {
        if (!requiresFullResync(err)) throw err;
        const restarted = new Date();
        // A fresh vendor position before the reconcile lists anything: what changes while it runs is
        // in the feed from here.
        const feedPosition = await feedStart();
        await restart(
          deps,
          lease,
          { ...state, feedPosition },
          restarted,
          'the change feed cannot reach back to the mark',
        );
        return { ...outcome, result: 'reconcile' };
      }
      // Before the page is ingested: a holder whose lock lapsed must not ingest a page the new holder
      // may be ingesting too (ingest would record it once, but the cursors would then race).
      await renewOrThrow(deps, lease);
      const ingested = await deps.ingest({
        connection,
        object,
        changes: page.items,
        source: 'POLL',
        observedAt: new Date(),
      });
      outcome.pages += 1;
      outcome.changes += page.items.length;
      outcome.events += ingested.events;
      seen = maxOccurredAt(seen, page.items);
      cursor = page.nextCursor;
      state = cursor
        ? { ...state, pollSince: since, pollCursor: cursor, pollMax: seen, pollStartedAt: startedAt }
        : {
            ...state,
            highWater: nextHighWater(state.highWater, seen, startedAt),
            pollSince: null,
            pollCursor: null,
            pollMax: null,
            pollStartedAt: null,
            lastPollAt: new Date(),
            lastError: null,
            feedPosition: page.position ?? state.feedPosition,
          };
      await put(deps, lease, state);
      if (!cursor) return { ...outcome, result: 'done' };
    }
  } catch (err) {
    // Kept for status; the position stays where the last ingested page left it. A budget refusal is
    // background work being put off (the next tick retries), not an error to show.
    const failed =
      err instanceof CrmRateLimitedError ? null : await deps.store.syncStates.getPoll(connection.id, object);
    if (failed) {
      await deps.store.syncStates
        .putPoll({ ...failed, lastError: errorText(err) }, lease.fence)
        .catch(() => undefined);
    }
    throw err;
  } finally {
    await deps.lock.release(lease);
  }
}

function fresh(connection: ConnectionView, object: CrmObject): PollState {
  return {
    tenantId: connection.tenantId,
    connectionId: connection.id,
    object,
    highWater: null,
    pollSince: null,
    pollCursor: null,
    pollMax: null,
    pollStartedAt: null,
    lastPollAt: null,
    lastError: null,
    restartedAt: null,
    feedPosition: null,
  };
}

/** A reconcile requested since this poller last acted on one restarts the mark at the request's time. */
async function applyReconcileRequest(
  deps: PollDeps,
  connection: ConnectionView,
  object: CrmObject,
  state: PollState,
): Promise<PollState> {
  const requested = await deps.requests.latest(connection.id, object);
  if (!requested || (state.restartedAt && requested <= state.restartedAt)) return state;
  return restartAt(state, requested);
}

/**
 * The change feed cannot answer from the mark (deletions older than its window are gone): a full
 * reconcile is requested, and the mark restarts at its start. Logged as the gap it would otherwise be.
 */
async function restart(
  deps: PollDeps,
  lease: SyncLease,
  state: PollState,
  at: Date,
  why: string,
): Promise<void> {
  deps.logger.warn(
    { connectionId: state.connectionId, object: state.object, highWater: state.highWater },
    `${why}; reconciling ${state.object} in full and polling from the reconcile's start`,
  );
  await deps.requests.request(state.connectionId, state.object, at);
  await put(deps, lease, { ...restartAt(state, at), lastPollAt: new Date() });
}

function restartAt(state: PollState, at: Date): PollState {
  return {
    ...state,
    highWater: at,
    pollSince: null,
    pollCursor: null,
    pollMax: null,
    pollStartedAt: null,
    restartedAt: at,
  };
}

async function renewOrThrow(deps: PollDeps, lease: SyncLease): Promise<void> {
  if (!(await deps.lock.renew(lease))) throw new LockLostError(`poll lock of ${lease.name} expired`);
}

async function put(deps: PollDeps, lease: SyncLease, state: PollState): Promise<void> {
  if (!(await deps.store.syncStates.putPoll(state, lease.fence))) {
    throw new LockLostError(`a newer poll of ${lease.name} has written its state; this one stops`);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
