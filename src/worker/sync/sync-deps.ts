import { type AppContext } from '../../runtime/context';
import { type BackfillDeps } from '../../sync/backfill/backfill-object';
import { ReconcileSeen } from '../../sync/backfill/reconcile-deletions';
import { type PollDeps } from '../../sync/poll/poll-object';
import { SyncLock } from '../../sync/poll/sync-lock';
import { ReconcileRequests } from '../../sync/reconcile-requests';
import { type IngestChanges } from '../../sync/types';

/**
 * What the poll and backfill processors of a process are given. Vendor calls go through the read
 * path's connectors on the `background` lane (src/reads/background-metadata.ts), which budgets keep
 * out of the interactive reserve.
 */
export function syncJobDeps(
  ctx: Pick<AppContext, 'store' | 'crm' | 'redis' | 'redisPrefix' | 'logger'>,
  ingest: IngestChanges,
  options: { pageSize?: number } = {},
): { poll: PollDeps; backfill: BackfillDeps } {
  const requests = new ReconcileRequests(ctx.redis, ctx.redisPrefix);
  const common = { store: ctx.store, crm: ctx.crm, ingest, requests, logger: ctx.logger, ...options };
  return {
    poll: { ...common, lock: new SyncLock(ctx.redis, ctx.redisPrefix, 'poll') },
    backfill: {
      ...common,
      lock: new SyncLock(ctx.redis, ctx.redisPrefix, 'backfill'),
      seen: new ReconcileSeen(ctx.redis, ctx.redisPrefix),
    },
  };
}
