import { type RedisClient } from '../redis/client';
import { Heartbeat } from '../redis/heartbeat';
import { OwnedLock } from '../redis/owned-lock';
import { type WriteGroup, writeGroupKey } from './write-operation.types';
import { redisKey } from '../redis/keys';

/** Longer than one bulk call may take (the transport times out at 10 s); a long flush renews it. */
export const FLUSH_LOCK_TTL_MS = 30_000;

/**
 * One flush per write group at a time, in every process (Redis; src/redis/owned-lock.ts). Whoever holds
 * a group's lock is the only one that claims, cancels or recovers its operations: this, not an update's
 * filter, is what makes a claim exclusive, because FerretDB does not apply conditional updates
 * atomically (src/store/models/write-operation.model.ts). The owner token is the operations' claim
 * token, so the outcome of a flush whose lock expired is recognised and ignored.
 */
export class FlushLock {
  private readonly lock: OwnedLock;

  /**
   * @param holderId a worker's heartbeat id (src/redis/heartbeat.ts): its locks can be taken over as soon
   *   as its heartbeat stops. Without one (a gateway cancelling) a lock is only ever waited out.
   */
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    ttlMs = FLUSH_LOCK_TTL_MS,
    holderId?: string,
  ) {
    this.lock = new OwnedLock(redis, redisKey(redisPrefix, 'lock', 'write-flush'), ttlMs, holderId);
  }

  get ttlMs(): number {
    return this.lock.ttlMs;
  }

  tryAcquire(group: WriteGroup): Promise<string | null> {
    return this.lock.tryAcquire(writeGroupKey(group));
  }

  /**
   * The lock for recovering a group's stranded writes: taken when free, or taken over when its holder is
   * a worker whose heartbeat stopped (killed mid-flush). Null while a live process holds it.
   */
  async acquireForRecovery(group: WriteGroup): Promise<string | null> {
    const name = writeGroupKey(group);
    const token = await this.lock.tryAcquire(name);
    if (token) return token;
    const holder = await this.lock.holder(name);
    if (holder === null) return this.lock.tryAcquire(name);
    const holderId = OwnedLock.holderIdOf(holder);
    if (holderId === null || (await Heartbeat.isAlive(this.redis, this.redisPrefix, holderId))) return null;
    return this.lock.takeOver(name, holder);
  }

  isHeld(group: WriteGroup): Promise<boolean> {
    return this.lock.isHeld(writeGroupKey(group));
  }

  renew(group: WriteGroup, owner: string): Promise<boolean> {
    return this.lock.renew(writeGroupKey(group), owner);
  }

  release(group: WriteGroup, owner: string): Promise<boolean> {
    return this.lock.release(writeGroupKey(group), owner);
  }
}
