import { type RedisClient } from '../../redis/client';
import { OwnedLock } from '../../redis/owned-lock';
import { redisKey } from '../../redis/keys';

/**
 * One refresh per connection at a time across processes (src/redis/owned-lock.ts). The TTL bounds how
 * long a crashed holder blocks others.
 */
export class RefreshLock extends OwnedLock {
  constructor(
    redis: RedisClient,
    prefix: string,
    /** @defaultValue 30000 — longer than a token call may take (the transport times out at 10 s) */
    ttlMs = 30_000,
  ) {
    super(redis, redisKey(prefix, 'lock', 'token-refresh'), ttlMs);
  }
}
