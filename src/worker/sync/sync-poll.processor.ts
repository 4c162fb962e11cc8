import { type Job, type Queue } from 'bull';
import { type CrmObject } from '../../connectors/types';
import { NotFoundError } from '../../errors';
import { type Logger } from '../../logger';
import { enqueueBackfill, type SyncPollJobData } from '../../queue/sync.producer';
import { type ConnectionsRepository } from '../../store/repositories/connections.repo';
import { type PollDeps, type PollOutcome, pollObject } from '../../sync/poll/poll-object';
import { pollMetrics } from '../../sync/poll/poll-metrics';
import { statusOf, SYNC_OBJECTS } from '../../sync/sync-control';

export interface SyncPollProcessorDeps {
  poll: PollDeps;
  connections: Pick<ConnectionsRepository, 'getById'>;
  /** The `sync` queue: backfills a poll finds due are enqueued on it. */
  queue: Queue;
  logger: Pick<Logger, 'warn'>;
  objects?: readonly CrmObject[];
}

export type SyncPollResult =
  | { skipped: 'deleted' | 'paused' }
  | { polled: Partial<Record<CrmObject, PollOutcome['result']>>; events: number };

/**
 * Processes a `sync-poll` job: polls each object of the connection (src/sync/poll/poll-object.ts). An
 * object's first poll or a window its change feed cannot reach starts a backfill job. One object's
 * failure does not stop the others; the job then fails (logged) and the next schedule tick polls again
 * from the stored positions — a budget refusal of background work included, which is how a poll is
 * put off rather than waiting in a worker slot.
 */
export function processSyncPoll(deps: SyncPollProcessorDeps) {
  const objects = deps.objects ?? SYNC_OBJECTS;
  return async (job: Job<SyncPollJobData>): Promise<SyncPollResult> => {
    let connection;
    try {
      connection = await deps.connections.getById(job.data.connectionId);
    } catch (err) {
      if (err instanceof NotFoundError) return { skipped: 'deleted' };
      throw err;
    }
    if (connection.status !== 'ACTIVE') {
      pollMetrics.polled(connection.crm, 'paused');
      return { skipped: 'paused' };
    }
    const polled: Partial<Record<CrmObject, PollOutcome['result']>> = {};
    let events = 0;
    let failure: unknown = null;
    for (const object of objects) {
      try {
        const out = await pollObject(deps.poll, connection, object);
        polled[object] = out.result;
        events += out.events;
        pollMetrics.polled(connection.crm, out.result);
        if (out.result === 'started' || out.result === 'reconcile') {
          await enqueueBackfill(deps.queue, connection.id, { kick: out.result });
        }
      } catch (err) {
        pollMetrics.polled(connection.crm, 'failed');
        deps.logger.warn({ connectionId: connection.id, object, err }, 'poll failed; the next one resumes');
        failure ??= err;
      }
    }
    const { poll, backfill } = await deps.poll.store.syncStates.forConnection(connection.id);
    pollMetrics.lag(connection, statusOf(connection, poll, backfill, [], new Date()).lagMs);
    if (failure) throw failure;
    return { polled, events };
  };
}
