import crypto from 'node:crypto';
import type Redis from 'ioredis';
import { LuaScript } from './lua-script';

const RELEASE = LuaScript.load('lock-release-1', 'redis/lua');
const RENEW = LuaScript.load('lock-renew-1', 'redis/lua');

/**
 * A lock across processes: SET NX PX with a random owner token, renewed and released only by its owner.
 * The TTL bounds how long a crashed holder blocks others; a live holder that works longer renews it.
 * The owner token doubles as a fencing token: work stamped with it is recognised as stale once the lock
 * has passed to someone else.
 */
export class OwnedLock {
  constructor(
    private readonly redis: Redis,
    /** Full key prefix, e.g. `<REDIS_PREFIX>:lock:token-refresh`; the lock's name is appended. */
    private readonly keyPrefix: string,
    readonly ttlMs: number,
  ) {}

  key(name: string): string {
    return `${this.keyPrefix}:${name}`;
  }

  /** The owner token when taken, `null` when another holder has it. */
  async tryAcquire(name: string): Promise<string | null> {
    const owner = crypto.randomBytes(12).toString('hex');
    const ok = await this.redis.set(this.key(name), owner, 'PX', this.ttlMs, 'NX');
    return ok === 'OK' ? owner : null;
  }

  async isHeld(name: string): Promise<boolean> {
    return (await this.redis.exists(this.key(name))) === 1;
  }

  /** True when extended by another TTL; false when the lock had expired and maybe passed to someone else. */
  async renew(name: string, owner: string): Promise<boolean> {
    return (await RENEW.run(this.redis, [this.key(name)], [owner, this.ttlMs])) === 1;
  }

  /** True when released; false when the lock had expired and maybe passed to someone else. */
  async release(name: string, owner: string): Promise<boolean> {
    return (await RELEASE.run(this.redis, [this.key(name)], [owner])) === 1;
  }
}
