import crypto from 'node:crypto';
import { type Job, type Queue } from 'bull';
import os from 'node:os';
import { BudgetSamples } from '../ratelimit/budget-samples';
import {
  BUDGET_SAMPLE_EVERY_MS,
  BUDGET_SAMPLE_JOB,
  processBudgetSample,
} from './budgets/budget-sample.processor';
import { createWriteOperationEventPublisher } from '../events/write-operation-events';
import { QUEUES } from '../queue/queues';
import { WRITE_FLUSH_JOB } from '../queue/writes.producer';
import { scheduleWriteReconciler, WRITE_RECONCILE_JOB } from '../queue/writes-reconciler.producer';
import { scheduleTokenRefresh, TOKEN_REFRESH_JOB } from '../queue/token-refresh.producer';
import { type AppContext } from '../runtime/context';
import {
  CHANGE_HISTORY_PRUNE_JOB,
  CONNECTION_PURGE_JOB,
  CONNECTION_REVOKE_JOB,
  AUDIT_PRUNE_JOB,
  IDEMPOTENCY_PRUNE_JOB,
  scheduleRepeating,
  scheduleChangeHistoryPrune,
  scheduleIdempotencyPrune,
  scheduleWebhookReceiptPrune,
  WEBHOOK_RECEIPT_KEEP_MS,
  WEBHOOK_RECEIPT_PRUNE_JOB,
} from '../queue/system.producer';
import { WEBHOOK_INGEST_JOB } from '../queue/webhook-ingest.producer';
import {
  scheduleSyncPolls,
  SYNC_BACKFILL_JOB,
  SYNC_POLL_JOB,
  SYNC_SCHEDULE_JOB,
} from '../queue/sync.producer';
import {
  NOTIFICATIONS_ENSURE_JOB,
  NOTIFICATIONS_SCHEDULE_JOB,
  scheduleNotificationChannels,
} from '../queue/notifications.producer';
import { ingestOf } from '../sync/ingest';
import { webhookUrl } from '../sync/webhooks/webhook-url';
import {
  processNotificationsEnsure,
  processNotificationsSchedule,
} from './notifications/notifications.processor';
import { processSyncBackfill } from './sync/sync-backfill.processor';
import { syncJobDeps } from './sync/sync-deps';
import { processSyncPoll } from './sync/sync-poll.processor';
import { processSyncSchedule } from './sync/sync-schedule.processor';
import { processWebhookIngest } from './sync/webhook-ingest.processor';
import {
  processChangeHistoryPrune,
  processConnectionPurge,
  processIdempotencyPrune,
  processPing,
} from './system.processor';
import { processConnectionRevoke } from './connection-revoke.processor';
import { processTokenRefresh } from './token-refresh.processor';
import { Heartbeat } from '../redis/heartbeat';
import { FLUSH_LOCK_TTL_MS, FlushLock } from '../writes/flush-lock';
import { InFlightWrites } from '../writes/in-flight';
import { processWriteFlush } from './writes/write-flush.processor';
import { BulkPolls, WRITE_BULK_POLL_JOB } from './writes/bulk-jobs';
import { processBulkPoll } from './writes/bulk-poll.processor';
import { processWriteReconciler } from './writes/write-reconciler.processor';
import { processWriteOperationPrune } from './writes/write-retention.processor';
import { scheduleWriteOperationPrune, WRITE_OPERATION_PRUNE_JOB } from '../queue/writes-retention.producer';

export interface RunningWorker {
  id: string;
  /** Stops taking jobs; the context's queue close then waits for the active ones. */
  close(): Promise<void>;
}

/** A named job's processor; what it resolves to is the job's result. */
export type JobProcessor = (job: Job) => Promise<unknown>;

/**
 * Registers `processors` (job name → processor) on `queue` so that the queue runs at most `concurrency`
 * jobs at once in this process, whatever their names.
 *
 * Why not `concurrency` per name: Bull adds each `process(name, n, fn)` call's `n` to the queue's total
 * (every call starts `n` polling loops, and any loop takes a job of any name), so naming three jobs with
 * 8 each would run 24 at once. The first processor carries all the loops; the others register with 0.
 */
export function processJobs(
  queue: Queue,
  concurrency: number,
  processors: Record<string, JobProcessor>,
): void {
  Object.entries(processors).forEach(([name, processor], i) => {
    // process() settles only when the queue closes, and failures surface as the queue's 'error' events
    // (Bull keeps a listener). It rejects when its start-up round trips meet a closed connection — a
    // SIGTERM during start — which is such a failure too, not a crash of the process.
    queue
      .process(name, i === 0 ? concurrency : 0, processor)
      .catch((err: unknown) => queue.emit('error', err));
  });
}

/** How often a worker re-asserts the reconciler's repeatable schedule. */
const RECONCILER_RESCHEDULE_MS = 60_000;

/** Registers every processor on its queue. Queues only produce; this is where jobs are processed. */
export async function startWorker(ctx: AppContext): Promise<RunningWorker> {
  const id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const system = ctx.queues.get(QUEUES.system);
  const retentionDays = ctx.env.CHANGE_HISTORY_RETENTION_DAYS;
  processJobs(system, ctx.env.WORKER_CONCURRENCY, {
    ping: processPing(id),
    // Refreshes access tokens that are about to expire, so interactive reads rarely wait for a refresh.
    [TOKEN_REFRESH_JOB]: () =>
      processTokenRefresh({ tokens: ctx.crm.tokens, redis: ctx.redis, logger: ctx.logger }),
    // Idempotency keys of writes past IDEMPOTENCY_KEY_RETENTION_HOURS (no TTL indexes on FerretDB).
    [IDEMPOTENCY_PRUNE_JOB]: processIdempotencyPrune(
      ctx.store.idempotencyKeys,
      ctx.env.IDEMPOTENCY_KEY_RETENTION_HOURS,
    ),
    // Finished write operations past WRITE_OPERATION_RETENTION_DAYS (docs/writes.md "Finished operations").
    [WRITE_OPERATION_PRUNE_JOB]: processWriteOperationPrune(
      ctx.store.writeOperations,
      ctx.env.WRITE_OPERATION_RETENTION_DAYS,
    ),
    [CONNECTION_PURGE_JOB]: processConnectionPurge(
      ctx.store.conn,
      { client: ctx.redis, prefix: ctx.redisPrefix },
      ctx.logger,
    ),
    // Revokes a deleted connection's grant at the vendor, through the process's transport and policy.
    [CONNECTION_REVOKE_JOB]: processConnectionRevoke({
      keyRing: ctx.keyRing,
      policy: ctx.crm.policy,
      transport: ctx.crm.transport,
      logger: ctx.logger,
      oauthApp: (crm) => ctx.crm.oauthApp(crm),
    }),
    // What is left of each connection's budgets, a sample a minute for the last hour (console chart).
    [BUDGET_SAMPLE_JOB]: processBudgetSample({
      connections: ctx.store.connections,
      readings: (connection) => ctx.crm.budgetReadings(connection),
      samples: new BudgetSamples(ctx.redis, ctx.redisPrefix),
      logger: ctx.logger,
    }),
    [AUDIT_PRUNE_JOB]: async () => ({
      deleted: await ctx.store.auditEvents.pruneOlderThan(
        new Date(Date.now() - ctx.env.AUDIT_RETENTION_DAYS * 86_400_000),
      ),
    }),
    [WEBHOOK_RECEIPT_PRUNE_JOB]: async () => ({
      deleted: await ctx.store.webhookReceipts.pruneIngested(new Date(Date.now() - WEBHOOK_RECEIPT_KEEP_MS)),
    }),
    ...(retentionDays
      ? { [CHANGE_HISTORY_PRUNE_JOB]: processChangeHistoryPrune(ctx.store.conn, retentionDays) }
      : {}),
  });
  await scheduleTokenRefresh(system);
  await scheduleIdempotencyPrune(system);
  await scheduleWriteOperationPrune(system);
  await scheduleWebhookReceiptPrune(system);
  await scheduleRepeating(system, AUDIT_PRUNE_JOB);
  await scheduleRepeating(system, BUDGET_SAMPLE_JOB, BUDGET_SAMPLE_EVERY_MS);
  if (retentionDays) await scheduleChangeHistoryPrune(system);
  system.on('failed', (job, err) =>
    ctx.logger.warn({ queue: QUEUES.system, job: job.name, jobId: job.id, err }, 'job failed'),
  );

  // Writes have their own queue and concurrency: a backlog of flushes never starves the system jobs.
  const writes = ctx.queues.get(QUEUES.writes);
  // The heartbeat names this worker in the flush locks it takes: killed mid-flush, its groups are taken
  // over as soon as the heartbeat lapses, not after the lock's TTL (docs/writes.md, "Recovery bounds").
  const heartbeat = new Heartbeat(ctx.redis, ctx.redisPrefix, id, ctx.logger);
  await heartbeat.start();
  const lock = new FlushLock(ctx.redis, ctx.redisPrefix, FLUSH_LOCK_TTL_MS, id);
  const events = createWriteOperationEventPublisher({ redis: ctx.redis, redisPrefix: ctx.redisPrefix });
  const bulkPolls = new BulkPolls(writes, ctx.redis, ctx.redisPrefix);
  const flushDeps = {
    store: ctx.store,
    changeLog: ctx.changeLog,
    inFlight: new InFlightWrites(ctx.redis, ctx.redisPrefix),
    crm: ctx.crm,
    queue: writes,
    lock,
    events,
    openIndex: ctx.openIndex,
    logger: ctx.logger,
    maxAttempts: ctx.env.WRITE_MAX_ATTEMPTS,
    maxWaitMs: ctx.env.WRITE_MAX_WAIT_MS,
    flushMaxMs: ctx.env.WRITE_FLUSH_MAX_MS,
    bulkPolls,
  };
  processJobs(writes, ctx.env.WRITE_WORKER_CONCURRENCY, {
    [WRITE_FLUSH_JOB]: processWriteFlush(flushDeps),
    [WRITE_BULK_POLL_JOB]: processBulkPoll(flushDeps),
    [WRITE_RECONCILE_JOB]: processWriteReconciler({
      store: ctx.store,
      bulkPolls,
      openIndex: ctx.openIndex,
      queue: writes,
      lock,
      events,
      logger: ctx.logger,
      redis: ctx.redis,
      redisPrefix: ctx.redisPrefix,
      holderId: id,
    }),
  });
  await scheduleWriteReconciler(writes);
  // Bull schedules a repeatable job's next run when the current one becomes active; a Redis crash in that
  // gap leaves no next run, and the reconciler is what recovers writes a crash stranded. Re-asserting the
  // schedule is idempotent (the next run's job id is its time slot), so each worker does it every minute.
  const reschedule = setInterval(() => {
    scheduleWriteReconciler(writes).catch((err: unknown) =>
      ctx.logger.warn({ err }, 'could not re-assert the write reconciler schedule; trying again in a minute'),
    );
  }, RECONCILER_RESCHEDULE_MS);
  reschedule.unref();
  writes.on('failed', (job, err) =>
    ctx.logger.warn({ queue: QUEUES.writes, job: job.name, jobId: job.id, err }, 'job failed'),
  );

  // Sync has its own queue: webhook ingest (one job per delivery and connection), polls and backfills.
  const sync = ctx.queues.get(QUEUES.sync);
  const ingest = ingestOf(ctx);
  const syncDeps = syncJobDeps(ctx, ingest, { pageSize: ctx.env.SYNC_BACKFILL_PAGE_SIZE });
  processJobs(sync, ctx.env.WORKER_CONCURRENCY, {
    [WEBHOOK_INGEST_JOB]: processWebhookIngest({
      receipts: ctx.store.webhookReceipts,
      ingest,
      connections: ctx.store.connections,
      logger: ctx.logger,
    }),
    [SYNC_SCHEDULE_JOB]: processSyncSchedule({
      connections: ctx.store.connections,
      syncStates: ctx.store.syncStates,
      queue: sync,
      logger: ctx.logger,
      pollEveryMs: ctx.env.SYNC_POLL_EVERY_MS,
    }),
    [SYNC_POLL_JOB]: processSyncPoll({
      poll: syncDeps.poll,
      connections: ctx.store.connections,
      queue: sync,
      logger: ctx.logger,
    }),
    // In chunks of pages, each its own job, so webhook ingest and polls run between them.
    [SYNC_BACKFILL_JOB]: processSyncBackfill({
      backfill: syncDeps.backfill,
      connections: ctx.store.connections,
      queue: sync,
      logger: ctx.logger,
      chunkPages: ctx.env.SYNC_BACKFILL_CHUNK_PAGES,
    }),
    // Vendor notification channels that lapse: subscribed when a connection is made, renewed before
    // they expire (src/sync/notifications/channel-renewal.ts).
    [NOTIFICATIONS_SCHEDULE_JOB]: processNotificationsSchedule({
      connections: ctx.store.connections,
      channels: ctx.store.notificationChannels,
      connectorFor: (connection) => ctx.crm.connectorFor(connection, 'background'),
      queue: sync,
      logger: ctx.logger,
    }),
    [NOTIFICATIONS_ENSURE_JOB]: processNotificationsEnsure({
      connections: ctx.store.connections,
      channels: ctx.store.notificationChannels,
      connectorFor: (connection) => ctx.crm.connectorFor(connection, 'background'),
      callbackUrl: (crm) => webhookUrl(ctx.env.publicUrl, crm),
      logger: ctx.logger,
    }),
  });
  await scheduleSyncPolls(sync);
  await scheduleNotificationChannels(sync);
  sync.on('failed', (job, err) =>
    ctx.logger.warn({ queue: QUEUES.sync, job: job.name, jobId: job.id, err }, 'job failed'),
  );
  ctx.logger.info(
    {
      workerId: id,
      concurrency: ctx.env.WORKER_CONCURRENCY,
      writeConcurrency: ctx.env.WRITE_WORKER_CONCURRENCY,
    },
    'worker started',
  );
  return {
    id,
    close: async () => {
      clearInterval(reschedule);
      await Promise.all([system.pause(true, true), writes.pause(true, true), sync.pause(true, true)]);
      // The heartbeat goes on until the context closes Redis: flushes still running (the queue close
      // waits for them) hold group locks that name this worker, and must not be taken over meanwhile.
      // After that the worker holds no lock, so nothing waits for its heartbeat to lapse.
    },
  };
}
