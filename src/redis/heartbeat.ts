import { type RedisClient } from './client';
import { type Logger } from '../logger';
import { redisKey } from './keys';

/** How long a process counts as alive after its last heartbeat. */
export const ALIVE_TTL_MS = 5_000;
/** How often a worker renews it: several renewals fit in the TTL, so one slow round trip is no death. */
const HEARTBEAT_MS = 1_000;

function aliveKey(redisPrefix: string, processId: string): string {
  return redisKey(redisPrefix, 'alive', processId);
}

/**
 * A process's heartbeat in Redis (workers run one). Locks a worker takes name it (src/redis/owned-lock.ts
 * `holderId`), so when a worker is killed mid-flush the others learn within {@link ALIVE_TTL_MS} that
 * its group lock is held by no one alive and take the lock over, instead of leaving the group blocked
 * for the lock's whole TTL. A worker that merely loses Redis for longer than the TTL may be taken for
 * dead: its flush's outcome is then fenced by its claim token, as when its lock expires.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    readonly processId: string,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((err: unknown) =>
        this.logger.warn({ err }, 'heartbeat not renewed (Redis unreachable?)'),
      );
    }, HEARTBEAT_MS);
    this.timer.unref();
    // Beats until its client is closed (the process's context closing), whoever closes it.
    this.redis.once('end', () => clearInterval(this.timer));
  }

  /**
   * Stops beating; the key lapses within its TTL. A worker never needs it (the heartbeat ends with its
   * Redis client, after its flushes and their locks); it is for whoever owns a heartbeat directly.
   */
  stop(): void {
    clearInterval(this.timer);
  }

  private async beat(): Promise<void> {
    await this.redis.set(aliveKey(this.redisPrefix, this.processId), '1', 'PX', ALIVE_TTL_MS);
  }

  static async isAlive(redis: RedisClient, redisPrefix: string, processId: string): Promise<boolean> {
    return (await redis.exists(aliveKey(redisPrefix, processId))) === 1;
  }
}
