import { type RedisClient } from '../../redis/client';
import { type Logger } from '../../logger';
import { hashTag, redisKey } from '../../redis/keys';

/**
 * How long a stored receipt id is remembered in Redis: 1 hour. Vendors retry a failed delivery for up
 * to a day, most attempts within the first minutes (docs/vendors); a redelivery after the hour still
 * collides on the receipt's `_id` in MongoDB (slower, same result). The bound keeps Redis at about
 * 100 bytes per event of the last hour.
 */
export const SEEN_RECEIPT_TTL_SECONDS = 3600;

/**
 * Receipt ids stored lately, in Redis: a fast path in front of MongoDB's duplicate-key check, never a
 * replacement for it (MongoDB's `_id` stays the dedupe of record: an id forgotten here, expired or
 * never written, is still refused there).
 *
 * Why: FerretDB 1.x inserts a batch in one statement, but when one document of it collides it goes
 * back over the batch one document at a time — a 100-event delivery carrying 10 redeliveries took
 * ~8× as long to store as one without (measured, bench/sync-webhooks.bench.ts). Skipping ids known to
 * be stored keeps redeliveries off that path.
 */
export class SeenReceipts {
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    private readonly logger: Logger,
    private readonly ttlSeconds = SEEN_RECEIPT_TTL_SECONDS,
  ) {}

  private key(id: string): string {
    // Read and written many at once (MGET, a pipeline) across connections: one hash tag for all of a
    // deployment's receipts keeps that one round trip on a cluster. They are small and live an hour.
    return redisKey(this.redisPrefix, 'webhook', 'seen', hashTag('receipts'), id);
  }

  /**
   * Which of `ids` are known stored. Redis failing answers "none": MongoDB then decides, and the
   * delivery's enqueue meets the outage on its own.
   */
  async known(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    try {
      const values = await this.redis.mget(ids.map((id) => this.key(id)));
      return new Set(ids.filter((_, i) => values[i] !== null));
    } catch (err) {
      this.logger.warn({ err }, 'webhook dedupe cache unreachable: MongoDB alone tells redeliveries');
      return new Set();
    }
  }

  /** Remembers ids now stored in MongoDB (best effort: a miss only costs the slower check next time). */
  async remember(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      const pipeline = this.redis.pipeline();
      for (const id of ids) pipeline.set(this.key(id), '1', 'EX', this.ttlSeconds);
      await pipeline.exec();
    } catch (err) {
      this.logger.warn({ err }, 'could not remember stored webhook receipts in Redis');
    }
  }
}
