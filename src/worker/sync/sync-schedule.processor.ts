import { type Queue } from 'bull';
import { type Logger } from '../../logger';
import { enqueueBackfill, enqueuePoll } from '../../queue/sync.producer';
import { type ConnectionsRepository } from '../../store/repositories/connections.repo';
import { type SyncStatesRepository } from '../../store/repositories/sync-states.repo';
import { pollMetrics } from '../../sync/poll/poll-metrics';

export interface SyncScheduleDeps {
  connections: Pick<ConnectionsRepository, 'listAll'>;
  syncStates: Pick<SyncStatesRepository, 'lastPolls' | 'runningBackfills'>;
  queue: Queue;
  logger: Pick<Logger, 'debug'>;
  /** SYNC_POLL_EVERY_MS: how long after a connection's last complete poll the next is due. */
  pollEveryMs: number;
}

export interface SyncScheduleResult {
  due: number;
  paused: number;
}

/**
 * Processes the repeatable `sync-poll-schedule` job: enqueues a poll for each ACTIVE connection whose
 * poll state was last written (a poll that ended or failed; the earliest of its objects') `pollEveryMs`
 * ago, or that never polled — one job
 * per connection, whose id collapses duplicates. NEEDS_REAUTH and DISABLED connections are skipped and
 * counted (`cgw_sync_polls_total{result="paused"}`); status reports them PAUSED. A backfill left RUNNING
 * (its connection was paused, its chunk job lost) is kicked again with the connection's poll.
 */
export function processSyncSchedule(deps: SyncScheduleDeps) {
  return async (): Promise<SyncScheduleResult> => {
    const [connections, lastPolls, running] = await Promise.all([
      deps.connections.listAll(),
      deps.syncStates.lastPolls(),
      deps.syncStates.runningBackfills(),
    ]);
    const now = Date.now();
    const result: SyncScheduleResult = { due: 0, paused: 0 };
    for (const c of connections) {
      if (c.status !== 'ACTIVE') {
        result.paused += 1;
        pollMetrics.polled(c.crm, 'paused');
        continue;
      }
      const last = lastPolls.get(c.id);
      if (last && now - last.getTime() < deps.pollEveryMs) continue;
      result.due += 1;
      await enqueuePoll(deps.queue, c.id);
      if (running.has(c.id)) await enqueueBackfill(deps.queue, c.id, { kick: 'scheduler' });
    }
    if (result.due > 0) deps.logger.debug(result, 'sync polls enqueued');
    return result;
  };
}
