import type Redis from 'ioredis';
import { OwnedLock } from '../redis/owned-lock';
import { type WriteGroup, writeGroupKey } from './write-operation.types';

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

  constructor(redis: Redis, redisPrefix: string, ttlMs = FLUSH_LOCK_TTL_MS) {
    this.lock = new OwnedLock(redis, `${redisPrefix}:lock:write-flush`, ttlMs);
  }

  get ttlMs(): number {
    return this.lock.ttlMs;
  }

  tryAcquire(group: WriteGroup): Promise<string | null> {
    return this.lock.tryAcquire(writeGroupKey(group));
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
