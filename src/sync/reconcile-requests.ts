import { type RedisClient } from '../redis/client';
import { type CrmObject } from '../connectors/types';
import { redisKey } from '../redis/keys';

/** Kept long past any run it starts; an expired request has long been acted on. */
const REQUEST_TTL_S = 30 * 24 * 3600;

/**
 * Requests for a full reconcile of one (connection, object) — a change feed that cannot reach back far
 * enough, or an operator's `resync` — as one Redis value: the request's time. The poller and the
 * backfill each act on a request newer than the one they last acted on, each in its own state document
 * under its own lock: the poller restarts its mark at the request time, the backfill starts a RECONCILE
 * run that started then. A request never writes either document itself (FerretDB loses concurrent
 * updates to one document), and a second request before the first was acted on simply supersedes it.
 */
export class ReconcileRequests {
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
  ) {}

  private key(connectionId: string, object: CrmObject): string {
    return redisKey(this.redisPrefix, 'sync', 'reconcile', connectionId, object);
  }

  async request(connectionId: string, object: CrmObject, at: Date): Promise<void> {
    await this.redis.set(this.key(connectionId, object), String(at.getTime()), 'EX', REQUEST_TTL_S);
  }

  /** The latest request's time, or null when none is kept. */
  async latest(connectionId: string, object: CrmObject): Promise<Date | null> {
    const at = await this.redis.get(this.key(connectionId, object));
    return at ? new Date(Number(at)) : null;
  }

  /** Drops the request of a deleted connection's object. */
  async forget(connectionId: string, object: CrmObject): Promise<void> {
    await this.redis.del(this.key(connectionId, object));
  }
}
