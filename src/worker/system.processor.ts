import { type Connection as MongoConnection } from 'mongoose';
import { type Logger } from '../logger';
import { type RedisClient } from '../redis/client';
import { forgetConnectionSyncKeys, purgeConnectionData, pruneChangeHistory } from '../sync/purge';
import { type Job } from 'bull';
import { type PingResult } from '../queue/system.producer';
import { type IdempotencyKeysRepository } from '../store/repositories/idempotency-keys.repo';

export function processPing(workerId: string) {
  return async (_job: Job): Promise<PingResult> => ({
    workerId,
    pid: process.pid,
    receivedAt: new Date().toISOString(),
  });
}

/** Deletes idempotency keys older than `retentionHours` (IDEMPOTENCY_KEY_RETENTION_HOURS). */
export function processIdempotencyPrune(
  keys: Pick<IdempotencyKeysRepository, 'pruneOlderThan'>,
  retentionHours: number,
  now: () => number = Date.now,
) {
  return async (_job?: Job): Promise<{ deleted: number }> => ({
    deleted: await keys.pruneOlderThan(new Date(now() - retentionHours * 3_600_000)),
  });
}

/**
 * Purges a deleted connection's data and sync keys (src/sync/purge.ts); throws to be retried while a
 * store is down.
 */
export function processConnectionPurge(
  conn: MongoConnection,
  redis: { client: RedisClient; prefix: string },
  logger: Pick<Logger, 'info'>,
) {
  return async (job: Job<{ connectionId?: unknown }>): Promise<Record<string, number>> => {
    const connectionId = job.data.connectionId;
    if (typeof connectionId !== 'string' || connectionId.length === 0) return {};
    const deleted = await purgeConnectionData(conn, connectionId);
    await forgetConnectionSyncKeys(redis.client, redis.prefix, connectionId);
    logger.info({ connectionId, deleted }, 'purged the data of a deleted connection');
    return deleted;
  };
}

/** Deletes change events older than `retentionDays`. */
export function processChangeHistoryPrune(
  conn: MongoConnection,
  retentionDays: number,
  now: () => number = Date.now,
) {
  return async (_job?: Job): Promise<{ deleted: number }> => ({
    deleted: await pruneChangeHistory(conn, new Date(now() - retentionDays * 86_400_000)),
  });
}
