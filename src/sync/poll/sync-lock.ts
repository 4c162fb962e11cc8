import { type RedisClient } from '../../redis/client';
import { type CrmObject } from '../../connectors/types';
import { LuaScript } from '../../redis/lua-script';
import { OwnedLock } from '../../redis/owned-lock';
import { redisKey } from '../../redis/keys';

const FENCE_NEXT = LuaScript.load('fence-next-1', 'sync/lua');

/**
 * Longer than one page takes (a vendor call and one ingest); a holder renews it before each page, so a
 * crashed holder blocks its (connection, object) for at most this long.
 */
export const SYNC_LOCK_TTL_MS = 60_000;

/** A held sync lock: its owner token (to renew and release it) and its fencing number (for store writes). */
export interface SyncLease {
  name: string;
  owner: string;
  fence: number;
}

/**
 * One poller (or one backfill) per (connection, object) across workers: SET NX PX with an owner token
 * (src/redis/owned-lock.ts), plus a fencing number that grows with every acquisition. The state
 * document is written with the fence (src/store/repositories/sync-states.repo.ts), so a holder that
 * stalled past the TTL — a GC pause, a hung vendor call — and wakes up after another took over cannot
 * overwrite the newer position. Exclusion is Redis's: FerretDB loses one of two concurrent updates to
 * a document, so a compare-and-set there would not exclude anyone.
 */
export class SyncLock {
  private readonly lock: OwnedLock;

  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    private readonly kind: 'poll' | 'backfill',
    ttlMs = SYNC_LOCK_TTL_MS,
  ) {
    this.lock = new OwnedLock(redis, redisKey(redisPrefix, 'lock', `sync-${kind}`), ttlMs);
  }

  /**
   * The lease when taken, null while another holder has it.
   * @param storedFence the fence of the state document as read (0 when none), the floor of the new one
   */
  async tryAcquire(connectionId: string, object: CrmObject, storedFence = 0): Promise<SyncLease | null> {
    const name = `${connectionId}:${object}`;
    const owner = await this.lock.tryAcquire(name);
    if (!owner) return null;
    const fence = Number(
      await FENCE_NEXT.run(this.redis, [this.fenceKey(connectionId, object)], [storedFence]),
    );
    return { name, owner, fence };
  }

  /** False when the lock expired (and may be another's now): the holder must stop. */
  renew(lease: SyncLease): Promise<boolean> {
    return this.lock.renew(lease.name, lease.owner);
  }

  async release(lease: SyncLease): Promise<void> {
    await this.lock.release(lease.name, lease.owner).catch(() => undefined);
  }

  isHeld(connectionId: string, object: CrmObject): Promise<boolean> {
    return this.lock.isHeld(`${connectionId}:${object}`);
  }

  /** Drops the fence counter of a deleted connection's object (its state documents are purged too). */
  async forget(connectionId: string, object: CrmObject): Promise<void> {
    await this.redis.del(this.fenceKey(connectionId, object));
  }

  private fenceKey(connectionId: string, object: CrmObject): string {
    return redisKey(this.redisPrefix, 'sync', 'fence', this.kind, connectionId, object);
  }
}

/** A poll or backfill found its lock taken over (expired, or fenced by a newer holder): it stops. */
export class LockLostError extends Error {
  override readonly name = 'LockLostError';
}
