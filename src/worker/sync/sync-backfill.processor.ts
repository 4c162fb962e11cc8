import { type Job, type Queue } from 'bull';
import { type CrmObject } from '../../connectors/types';
import { CrmRateLimitedError, NotFoundError } from '../../errors';
import { type Logger } from '../../logger';
import { enqueueBackfill, type SyncBackfillJobData } from '../../queue/sync.producer';
import { type ConnectionsRepository } from '../../store/repositories/connections.repo';
import { type BackfillDeps, backfillObject, failBackfill } from '../../sync/backfill/backfill-object';
import { SYNC_OBJECTS } from '../../sync/sync-control';

export interface SyncBackfillProcessorDeps {
  backfill: BackfillDeps;
  connections: Pick<ConnectionsRepository, 'getById'>;
  /** The `sync` queue: the next chunk is enqueued on it. */
  queue: Queue;
  logger: Pick<Logger, 'warn'>;
  /**
   * Pages one job runs before it hands over to a new job: what bounds how long a backfill holds a
   * worker slot while webhook and poll jobs wait.
   * @defaultValue 10
   */
  chunkPages?: number;
  objects?: readonly CrmObject[];
}

export interface SyncBackfillResult {
  skipped?: 'deleted' | 'paused';
  pages: number;
  records: number;
  events: number;
  /** Whether a next chunk was enqueued. */
  more: boolean;
}

/**
 * Processes a `sync-backfill` job: runs up to `chunkPages` pages of the connection's backfills, object
 * after object (src/sync/backfill/backfill-object.ts), then enqueues the next chunk while pages
 * remain. A budget refusal (background work may not use the interactive reserve) enqueues the next
 * chunk after the refusal's `retryAfterMs` instead of failing. Other failures are retried by Bull from
 * the stored position; the last attempt's failure marks the run FAILED (status shows it until a resync).
 */
export function processSyncBackfill(deps: SyncBackfillProcessorDeps) {
  const objects = deps.objects ?? SYNC_OBJECTS;
  const chunkPages = deps.chunkPages ?? 10;
  return async (job: Job<SyncBackfillJobData>): Promise<SyncBackfillResult> => {
    const result: SyncBackfillResult = { pages: 0, records: 0, events: 0, more: false };
    let connection;
    try {
      connection = await deps.connections.getById(job.data.connectionId);
    } catch (err) {
      if (err instanceof NotFoundError) return { ...result, skipped: 'deleted' };
      throw err;
    }
    // The scheduler restarts a RUNNING backfill once the connection is active again.
    if (connection.status !== 'ACTIVE') return { ...result, skipped: 'paused' };
    const next = { chunk: job.data.chunk + 1 };
    try {
      for (const object of objects) {
        const left = chunkPages - result.pages;
        if (left <= 0) {
          result.more = true;
          break;
        }
        const out = await backfillObject(deps.backfill, connection, object, left);
        result.pages += out.pages;
        result.records += out.records;
        result.events += out.events;
        if (out.result === 'more') result.more = true;
      }
    } catch (err) {
      if (err instanceof CrmRateLimitedError) {
        await enqueueBackfill(deps.queue, connection.id, next, err.retryAfterMs);
        return { ...result, more: true };
      }
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) {
        const reason = err instanceof Error ? err.message : String(err);
        for (const object of objects) await failBackfill(deps.backfill, connection.id, object, reason);
      }
      throw err;
    }
    if (result.more) await enqueueBackfill(deps.queue, connection.id, next);
    return result;
  };
}
