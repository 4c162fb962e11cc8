import { EmbeddedService } from '../../../src/runtime/services';
import { type ReadStack, type ReadTenant } from '../../support/read-stack';
import { type WorkerProcess } from '../../support/worker-process';
import { startFleet } from './fleet';
import { type Appendfsync } from './private-redis';

/**
 * The write path's crash harness (issue 17, "Tests"): a fleet ({@link startFleet}) of one worker
 * process and no gateway process — the read stack's in-process gateway takes the writes — over the
 * shared MongoDB-wire store and a private Redis with an append-only file. The worker can be `kill -9`ed
 * and restarted, the Redis crashed and restarted from its AOF. The sandbox counts records by a key
 * the writer sets once per intended record.
 */
export interface WriteHarness {
  stack: ReadStack;
  tenant: ReadTenant;
  redis: EmbeddedService;
  redisUrl: string;
  worker: WorkerProcess;
  /** SIGKILL the worker and start a new one on the same environment. */
  crashWorker(): Promise<void>;
  /** SIGKILL Redis (no shutdown, no final AOF rewrite) and start it again from its directory. */
  crashRedis(): Promise<void>;
  close(): Promise<void>;
}

export interface WriteHarnessOptions {
  /** @defaultValue 'always' (see {@link Appendfsync}) */
  appendfsync?: Appendfsync;
}

export async function startWriteHarness(
  prefix: string,
  options: WriteHarnessOptions = {},
): Promise<WriteHarness> {
  const fleet = await startFleet({ prefix, gateways: 0, workers: 1, appendfsync: options.appendfsync });
  const redis = fleet.redis.service;
  if (!(redis instanceof EmbeddedService)) {
    await fleet.close();
    throw new Error('the write harness crashes a single Redis: not with REL_REDIS_CLUSTER=1');
  }
  return {
    stack: fleet.stack,
    tenant: fleet.tenant,
    redis,
    redisUrl: fleet.redis.url,
    worker: fleet.workers[0]!,
    crashWorker: () => fleet.crashWorker(0),
    crashRedis: () => fleet.crashRedis(),
    close: () => fleet.close(),
  };
}
