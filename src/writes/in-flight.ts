import { type RedisClient } from '../redis/client';
import { type CrmObject } from '../connectors/types';
import { hashTag, redisKey } from '../redis/keys';

/**
 * Records a write of ours is changing right now, marked in Redis from before the vendor call (after it,
 * for a create: its id is known only then) until its snapshot and change event are stored. Sync leaves
 * such a record alone: the write engine records the change as its own (MUTATION, with the state it
 * reads back), so the echo of our write — a webhook, or a poll — is never recorded a second time
 * (docs/sync.md "Echoes").
 *
 * The TTL bounds how long a write engine that died leaves a record unsynced; the next poll then sees it.
 */
export const IN_FLIGHT_TTL_MS = 120_000;

export class InFlightWrites {
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
    private readonly ttlMs = IN_FLIGHT_TTL_MS,
  ) {}

  async mark(connectionId: string, object: CrmObject, remoteIds: readonly string[]): Promise<void> {
    if (remoteIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of remoteIds) pipeline.set(this.key(connectionId, object, id), '1', 'PX', this.ttlMs);
    await pipeline.exec();
  }

  async clear(connectionId: string, object: CrmObject, remoteIds: readonly string[]): Promise<void> {
    if (remoteIds.length === 0) return;
    await this.redis.del(...remoteIds.map((id) => this.key(connectionId, object, id)));
  }

  /** Which of `remoteIds` a write is changing now. */
  async which(connectionId: string, object: CrmObject, remoteIds: readonly string[]): Promise<Set<string>> {
    if (remoteIds.length === 0) return new Set();
    const values = await this.redis.mget(...remoteIds.map((id) => this.key(connectionId, object, id)));
    return new Set(remoteIds.filter((_, i) => values[i] !== null));
  }

  private key(connectionId: string, object: CrmObject, remoteId: string): string {
    // Marked, cleared and read many at once (pipeline, DEL, MGET): tagged per connection, one slot.
    return redisKey(this.redisPrefix, 'write-in-flight', hashTag('conn', connectionId), object, remoteId);
  }
}
