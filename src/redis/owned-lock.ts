import crypto from 'node:crypto';
import { type RedisClient } from './client';
import { LuaScript } from './lua-script';

const RELEASE = LuaScript.load('lock-release-1', 'redis/lua');
const RENEW = LuaScript.load('lock-renew-1', 'redis/lua');
const TAKE_OVER = LuaScript.load('lock-take-over-1', 'redis/lua');

/** Separates a holder's id from the random part of its owner token. */
const HOLDER_SEPARATOR = '/';

/**
 * A lock across processes: SET NX PX with a random owner token, renewed and released only by its owner.
 * The TTL bounds how long a crashed holder blocks others; a live holder that works longer renews it.
 * The owner token doubles as a fencing token: work stamped with it is recognised as stale once the lock
 * has passed to someone else.
 *
 * With a `holderId` (a worker's id, src/worker/worker-liveness.ts) the token names its holder, so a
 * process that knows the holder is dead can take the lock over at once instead of waiting out the TTL.
 */
export class OwnedLock {
  constructor(
    private readonly redis: RedisClient,
    /** Full key prefix, e.g. `<REDIS_PREFIX>:lock:token-refresh`; the lock's name is appended. */
    private readonly keyPrefix: string,
    readonly ttlMs: number,
    private readonly holderId?: string,
  ) {}

  key(name: string): string {
    return `${this.keyPrefix}:${name}`;
  }

  /** The owner token when taken, `null` when another holder has it. */
  async tryAcquire(name: string): Promise<string | null> {
    const owner = this.newOwner();
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

  /** The current owner token, or null when the lock is free. */
  holder(name: string): Promise<string | null> {
    return this.redis.get(this.key(name));
  }

  /** The holder id in an owner token, or null for a token made without one. */
  static holderIdOf(owner: string): string | null {
    const at = owner.lastIndexOf(HOLDER_SEPARATOR);
    return at > 0 ? owner.slice(0, at) : null;
  }

  /** A new owner token when `deadOwner` still held the lock (the caller checked it is dead), else null. */
  async takeOver(name: string, deadOwner: string): Promise<string | null> {
    const owner = this.newOwner();
    const taken = await TAKE_OVER.run(this.redis, [this.key(name)], [deadOwner, owner, this.ttlMs]);
    return taken === 1 ? owner : null;
  }

  /** True when released; false when the lock had expired and maybe passed to someone else. */
  async release(name: string, owner: string): Promise<boolean> {
    return (await RELEASE.run(this.redis, [this.key(name)], [owner])) === 1;
  }

  private newOwner(): string {
    const random = crypto.randomBytes(12).toString('hex');
    return this.holderId ? `${this.holderId}${HOLDER_SEPARATOR}${random}` : random;
  }
}
