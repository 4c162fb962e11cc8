import { ChangeLog } from '../sync/change-log';
import { type AuditLog, createAuditLog } from '../audit/audit-log';
import { ReconcileRequests } from '../sync/reconcile-requests';
import { createSyncControl, type SyncControl } from '../sync/sync-control';
import { createRedisClient, type RedisClient } from '../redis/client';
import { type Env, env as processEnv } from '../config/env';
import { createLogger, type Logger } from '../logger';
import { createWriteOperationEventPublisher } from '../events/write-operation-events';
import { QueueFactory, QUEUES } from '../queue/queues';
import { type KeyRing } from '../security/credentials-cipher';
import { loadKeyRing } from '../security/key-ring';
import { warnAboutRefusedConnections } from './config-check';
import { createCrmServices, type CrmServices, vendorUrlPolicy } from './crm-services';
import { assertRedisKeepsJobs } from './services/redis';
import { disconnectRedis } from './services/redis-disconnect';
import { openStore, type Store } from '../store';
import { FlushLock } from '../writes/flush-lock';
import { createWriteService } from '../writes/write-service';
import { OpenOperationsIndex } from '../writes/open-index';
import { type WriteService } from '../writes/write-service.types';

/**
 * Everything a gateway, worker or admin process holds: built once at start, closed once at the end.
 * Tests build their own with {@link createAppContext} and explicit store URLs.
 */
export interface AppContext {
  env: Env;
  logger: Logger;
  keyRing: KeyRing;
  store: Store;
  /** General-purpose Redis client (budgets, locks, idempotency): one Redis or a Redis Cluster. */
  redis: RedisClient;
  queues: QueueFactory;
  /** REDIS_PREFIX, or the test's own: the prefix of every key and channel of this context. */
  redisPrefix: string;
  /** Tokens, OAuth apps, SSRF policy and connectors for stored connections. */
  crm: CrmServices;
  /** The accept side of the write path: validate, store, flush, read, retry and cancel writes. */
  writes: WriteService;
  /** Each connection's open write operations in Redis: what claims choose from (src/writes/open-index.ts). */
  openIndex: OpenOperationsIndex;
  /** Who changed what: every mutation, OAuth connect and key change (src/audit/, docs/audit.md). */
  audit: AuditLog;
  /** Numbered change history: written by the write engine and sync, read by changeHistory/syncEvents. */
  changeLog: ChangeLog;
  /** Sync status per connection, and the operator's levers: poll now, resync (src/sync/sync-control.ts). */
  syncControl: SyncControl;
  close(): Promise<void>;
}

export interface AppContextOptions {
  env?: Env;
  logger?: Logger;
  keyRing?: KeyRing;
  mongodbUri?: string;
  /** A Redis URL or a Redis Cluster address (src/redis/address.ts); default: the env's. */
  redisUrl?: string;
  dbName?: string;
  redisPrefix?: string;
  name?: string;
  /**
   * Log, at start, each stored connection this process's vendor URL policy refuses (the gateway and
   * the worker: processes that use connections, with the env they serve under).
   */
  checkStoredConnections?: boolean;
}

export async function createAppContext(options: AppContextOptions = {}): Promise<AppContext> {
  const env = options.env ?? processEnv();
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL, name: options.name });
  const mongodbUri = options.mongodbUri ?? env.MONGODB_URI;
  const redisUrl = options.redisUrl ?? env.redisAddress;
  if (!mongodbUri || !redisUrl) {
    throw new Error(
      'MONGODB_URI and REDIS_URL (or REDIS_CLUSTER_NODES) must be set for this process (`npm start` sets them for the processes it starts)',
    );
  }
  const keyRing = options.keyRing ?? loadKeyRing(env, logger);
  await assertRedisKeepsJobs(redisUrl);
  // While Redis is unreachable, commands wait in ioredis's offline queue (a short blip costs nothing),
  // but never longer than STORE_TIMEOUT_MS: the request then fails with UNAVAILABLE. ioredis keeps
  // reconnecting, so Redis comes back without a restart.
  const redis = createRedisClient(redisUrl, {
    maxRetriesPerRequest: 2,
    commandTimeout: env.STORE_TIMEOUT_MS,
    lazyConnect: true,
  });
  // Without a listener ioredis prints every connection error to stderr; the outage is already reported
  // by what fails (UNAVAILABLE, /readyz), so one line per outage at warn is enough.
  let redisDown = false;
  redis.on('error', (err: Error) => {
    if (!redisDown) logger.warn({ err: err.message }, 'Redis unreachable; reconnecting');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.warn('Redis reachable again');
    redisDown = false;
  });
  await redis.connect();
  const redisPrefix = options.redisPrefix ?? env.REDIS_PREFIX;
  let store: Store;
  try {
    store = await openStore({
      uri: mongodbUri,
      dbName: options.dbName,
      keyRing,
      timeoutMs: env.STORE_TIMEOUT_MS,
      // Every process announces its writes and caches its reads (src/store/changes.ts).
      changes: { redis, redisPrefix, logger, outageMaxAgeMs: env.CACHE_OUTAGE_MAX_AGE_MS },
    });
  } catch (err) {
    disconnectRedis(redis);
    throw err;
  }
  if (options.checkStoredConnections) await warnAboutRefusedConnections(store, vendorUrlPolicy(env), logger);
  const queues = new QueueFactory({ redisUrl, prefix: redisPrefix });
  const openIndex = new OpenOperationsIndex(redis, redisPrefix);
  return {
    env,
    logger,
    keyRing,
    store,
    redis,
    queues,
    redisPrefix,
    crm: createCrmServices({ env: { ...env, REDIS_PREFIX: redisPrefix }, store, redis, logger }),
    writes: createWriteService({
      store,
      queue: queues.get(QUEUES.writes),
      lock: new FlushLock(redis, redisPrefix),
      events: createWriteOperationEventPublisher({ redis, redisPrefix }),
      openIndex,
      keyRing,
      logger,
    }),
    openIndex,
    audit: createAuditLog({ events: store.auditEvents, keyRing, logger }),
    changeLog: new ChangeLog({
      events: store.changeEvents,
      snapshots: store.recordSnapshots,
      redis,
      redisPrefix,
      logger,
    }),
    syncControl: createSyncControl({
      store,
      queue: queues.get(QUEUES.sync),
      requests: new ReconcileRequests(redis, redisPrefix),
    }),
    async close() {
      await queues.close();
      disconnectRedis(redis);
      await store.close();
    },
  };
}
