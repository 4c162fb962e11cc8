import { type Queue } from 'bull';
import { type CrmObject } from '../connectors/types';
import { enqueueBackfill, enqueuePoll } from '../queue/sync.producer';
import { type Store } from '../store';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type BackfillState, type PollState } from '../store/repositories/sync-states.repo';
import { type ReconcileRequests } from './reconcile-requests';

export type SyncStateName = 'PENDING' | 'BACKFILLING' | 'POLLING' | 'PAUSED' | 'ERROR';

export interface BackfillStatus {
  state: 'NOT_STARTED' | 'RUNNING' | 'DONE' | 'FAILED';
  done: number;
  total: number | null;
}

export interface ConnectionSyncStatus {
  state: SyncStateName;
  lastPollAt: Date | null;
  /** now − the high-water mark of the object furthest behind; null before the first poll. */
  lagMs: number | null;
  /** Summed over objects. */
  backfill: BackfillStatus;
  lastError: string | null;
}

export interface SyncControl {
  status(c: ConnectionView): Promise<ConnectionSyncStatus>;
  /** Enqueues a poll of the connection now (collapses with one already waiting). */
  trigger(c: ConnectionView): Promise<void>;
  /** Restarts the backfill as a RECONCILE of every object and restarts the poll marks at its start. */
  resync(c: ConnectionView): Promise<void>;
}

export interface SyncControlDeps {
  store: Pick<Store, 'syncStates'>;
  queue: Queue;
  requests: ReconcileRequests;
  /** The objects sync follows. */
  objects?: readonly CrmObject[];
}

export const SYNC_OBJECTS: readonly CrmObject[] = ['contact', 'deal'];

/** Where sync stands for a connection, and the operator's two levers (docs/sync.md "Polling and backfill"). */
export function createSyncControl(deps: SyncControlDeps): SyncControl {
  const objects = deps.objects ?? SYNC_OBJECTS;
  return {
    async status(c) {
      const { poll, backfill } = await deps.store.syncStates.forConnection(c.id);
      const requested = await Promise.all(
        objects.map(async (object) => ({ object, at: await deps.requests.latest(c.id, object) })),
      );
      return statusOf(c, poll, backfill, requested, new Date());
    },
    async trigger(c) {
      await enqueuePoll(deps.queue, c.id);
    },
    async resync(c) {
      const at = new Date();
      // The poller and the backfill each act on the request in their own document (src/sync/reconcile-requests.ts).
      for (const o of objects) await deps.requests.request(c.id, o, at);
      await enqueueBackfill(deps.queue, c.id, { kick: `resync-${at.getTime()}` });
      await enqueuePoll(deps.queue, c.id);
    },
  };
}

/**
 * The status of a connection from its states. Pure. A paused connection (NEEDS_REAUTH, DISABLED) is
 * PAUSED whatever its states say: nothing is polled for it. A reconcile requested but not started yet
 * counts as a RUNNING backfill from zero.
 */
export function statusOf(
  c: Pick<ConnectionView, 'status' | 'statusReason'>,
  poll: readonly PollState[],
  backfill: readonly BackfillState[],
  requested: readonly { object: CrmObject; at: Date | null }[],
  now: Date,
): ConnectionSyncStatus {
  const pending = requested.some(
    ({ object, at }) => at && !backfill.some((b) => b.object === object && b.startedAt >= at),
  );
  const runs = backfill.map((b) => b.state);
  const summary: BackfillStatus = {
    state:
      pending || runs.includes('RUNNING')
        ? 'RUNNING'
        : runs.includes('FAILED')
          ? 'FAILED'
          : runs.length > 0
            ? 'DONE'
            : 'NOT_STARTED',
    done: backfill.reduce((n, b) => n + b.done, 0),
    total:
      backfill.length > 0 && backfill.every((b) => b.total !== null)
        ? backfill.reduce((n, b) => n + b.total!, 0)
        : null,
  };
  const marks = poll.map((p) => p.highWater?.getTime()).filter((t): t is number => t !== undefined);
  const polled = poll.map((p) => p.lastPollAt?.getTime()).filter((t): t is number => t !== undefined);
  const lastError =
    poll.find((p) => p.lastError)?.lastError ?? backfill.find((b) => b.lastError)?.lastError ?? null;
  const paused = c.status !== 'ACTIVE';
  const state: SyncStateName = paused
    ? 'PAUSED'
    : poll.length === 0 && backfill.length === 0 && !pending
      ? 'PENDING'
      : lastError || summary.state === 'FAILED'
        ? 'ERROR'
        : summary.state === 'RUNNING'
          ? 'BACKFILLING'
          : 'POLLING';
  return {
    state,
    lastPollAt: polled.length > 0 ? new Date(Math.max(...polled)) : null,
    lagMs: marks.length > 0 ? Math.max(0, now.getTime() - Math.min(...marks)) : null,
    backfill: summary,
    lastError: paused ? (c.statusReason ?? `connection is ${c.status}`) : lastError,
  };
}
