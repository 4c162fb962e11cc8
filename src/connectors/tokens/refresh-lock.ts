import crypto from 'node:crypto';
import path from 'node:path';
import type Redis from 'ioredis';
import { LuaScript } from '../../redis/lua-script';

// The lock's script lives beside it (`connectors/tokens/lua/`), not with the budget scripts.
const RELEASE = LuaScript.load('lock-release-1', path.join('connectors', 'tokens', 'lua'));

/**
 * One refresh per connection at a time across processes: SET NX PX with a random owner token, released
 * only by its owner (`lock-release-1.lua`). The TTL bounds how long a crashed holder blocks others.
 */
export class RefreshLock {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** @defaultValue 30000 — longer than a token call may take (the transport times out at 10 s) */
    private readonly ttlMs = 30_000,
  ) {}

  key(connectionId: string): string {
    return `${this.prefix}:lock:token-refresh:${connectionId}`;
  }

  /** The owner token when taken, `null` when another holder has it. */
  async tryAcquire(connectionId: string): Promise<string | null> {
    const owner = crypto.randomBytes(12).toString('hex');
    const ok = await this.redis.set(this.key(connectionId), owner, 'PX', this.ttlMs, 'NX');
    return ok === 'OK' ? owner : null;
  }

  async isHeld(connectionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(connectionId))) === 1;
  }

  /** True when released; false when the lock had expired and maybe passed to someone else. */
  async release(connectionId: string, owner: string): Promise<boolean> {
    return (await RELEASE.run(this.redis, [this.key(connectionId)], [owner])) === 1;
  }
}
