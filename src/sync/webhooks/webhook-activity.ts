import { type RedisClient } from '../../redis/client';
import { type Logger } from '../../logger';
import { groupByTag, hashTag, redisKey } from '../../redis/keys';

/**
 * How long a connection's webhook activity outlives its last delivery: a backstop for a key whose
 * connection was deleted while a delivery was in flight (deleteConnection removes it at once). A
 * connection whose CRM sent nothing for this long shows no last delivery — after 90 days that is the
 * truth that matters (its webhooks are not arriving).
 */
const ACTIVITY_TTL_SECONDS = 90 * 24 * 3600;

/** What `connection { sync { webhooks } }` shows. */
export interface WebhookActivityView {
  /** When a delivery that verified for the connection last arrived; null if none did. */
  lastReceivedAt: Date | null;
  /** Deliveries naming the connection's account that failed signature verification. */
  rejected: number;
}

/**
 * Per-connection webhook activity in Redis, written by the webhook route, read by GraphQL. Not in
 * MongoDB: a burst of deliveries would update one connection document thousands of times (and every
 * update of it invalidates the cached connection in every gateway).
 *
 * `rejected` counts deliveries that named accounts this connection reaches and verified for none of
 * their connections: a forged delivery, or — the case a tenant can fix — a CRM app whose secret is not
 * the one the connection was set up with. A delivery naming no known account cannot be attributed
 * to anyone and is only counted in the metrics.
 */
export class WebhookActivity {
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    private readonly logger: Logger,
  ) {}

  private key(connectionId: string): string {
    return redisKey(this.redisPrefix, 'webhook', 'activity', hashTag('conn', connectionId));
  }

  /** Best effort: a miss loses a display value, never a change (receipts are the record of those). */
  async received(connectionIds: readonly string[], at: Date): Promise<void> {
    await this.write(connectionIds, (p, key) => p.hset(key, 'lastReceivedAt', String(at.getTime())));
  }

  async rejected(connectionIds: readonly string[]): Promise<void> {
    await this.write(connectionIds, (p, key) => p.hincrby(key, 'rejected', 1));
  }

  async of(connectionId: string): Promise<WebhookActivityView> {
    const h = await this.redis.hgetall(this.key(connectionId));
    const last = Number(h.lastReceivedAt);
    return {
      lastReceivedAt: Number.isFinite(last) && last > 0 ? new Date(last) : null,
      rejected: Number(h.rejected ?? 0) || 0,
    };
  }

  async forget(connectionId: string): Promise<void> {
    await this.redis.del(this.key(connectionId));
  }

  private async write(
    connectionIds: readonly string[],
    op: (p: ReturnType<RedisClient['pipeline']>, key: string) => void,
  ): Promise<void> {
    if (connectionIds.length === 0) return;
    try {
      // One pipeline per connection: on a cluster each connection's key is on the node of its slot.
      await Promise.all(
        groupByTag([...new Set(connectionIds)], (id) => this.key(id)).map((ids) => {
          const pipeline = this.redis.pipeline();
          for (const id of ids) {
            op(pipeline, this.key(id));
            pipeline.expire(this.key(id), ACTIVITY_TTL_SECONDS);
          }
          return pipeline.exec();
        }),
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not record webhook activity in Redis');
    }
  }
}
