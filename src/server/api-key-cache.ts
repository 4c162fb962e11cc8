import type Redis from 'ioredis';
import { type Auth } from '../graphql/request-context';
import { type Logger } from '../logger';
import { apiKeyChangesChannel, parseApiKeyChange } from '../security/api-key-changes';
import { hashApiKey, looksLikeApiKey } from '../security/api-keys';
import { type AuthenticatedKey } from '../store/repositories/api-keys.repo';
import { disconnectRedis } from '../runtime/services/redis-disconnect';

/** What the cache reads on a miss: the store's key lookup (which also records the key's last use). */
export interface ApiKeyLookup {
  authenticate(presented: string): Promise<AuthenticatedKey | null>;
}

export interface ApiKeyCacheOptions {
  keys: ApiKeyLookup;
  /** The general client; the cache subscribes on a duplicate of it (a subscriber can run nothing else). */
  redis: Redis;
  redisPrefix: string;
  logger: Logger;
  /**
   * Longest an answer is reused before the store is asked again: a safety net behind the broadcast,
   * and what keeps the key's `lastUsedAt` (minute resolution) roughly current.
   * @defaultValue 60000
   */
  maxAgeMs?: number;
  /**
   * Most keys (known and unknown) remembered; the oldest are dropped first.
   * @defaultValue 10000
   */
  maxEntries?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

interface Entry {
  /** Null: no live key has this hash (unknown or revoked). Hashes are never reused, so this is stable. */
  auth: Auth | null;
  readAt: number;
}

/**
 * API keys as this process last read them, so a warm request touches no store. Every change to a key
 * is broadcast (src/security/api-key-changes.ts); on one, the key's entry is dropped and listeners
 * (the WebSocket server) are told, so a revocation or scope change applies everywhere within the
 * broadcast's latency, not at the next cache expiry.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  /** One store read per hash at a time; dropped on any change, so no read begun before it is reused. */
  private readonly inflight = new Map<string, Promise<Auth | null>>();
  private readonly listeners = new Set<(keyId: string | null) => void>();
  private readonly subscriber: Redis;
  /** Bumped by every invalidation: a read begun before one does not store what it read. */
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: ApiKeyCacheOptions) {
    this.now = options.now ?? Date.now;
    // No ready check: see src/events/pubsub.ts (a SUBSCRIBE in the gap after connect breaks it).
    this.subscriber = options.redis.duplicate({ enableReadyCheck: false });
    this.subscriber.on('error', (err: Error) =>
      options.logger.warn({ err: err.message }, 'API key change subscriber: Redis error'),
    );
    let connectedBefore = false;
    this.subscriber.on('connect', () => {
      // Messages published while we were disconnected are lost: forget everything once back.
      if (connectedBefore) this.invalidateAll();
      connectedBefore = true;
    });
    this.subscriber.on('message', (_channel: string, message: string) => {
      const change = parseApiKeyChange(message);
      if (change) this.invalidate(change.keyId);
    });
    this.subscriber.subscribe(apiKeyChangesChannel(options.redisPrefix)).catch((err: unknown) => {
      options.logger.error(
        { err: (err as Error).message },
        'could not subscribe to API key changes: revocations reach this process only at cache expiry',
      );
    });
  }

  /** The live key behind a presented (bare) key, or null when it is unknown, malformed or revoked. */
  async authenticate(presented: string): Promise<Auth | null> {
    if (!looksLikeApiKey(presented)) return null;
    const hash = hashApiKey(presented);
    const entry = this.entries.get(hash);
    if (entry && this.now() - entry.readAt < (this.options.maxAgeMs ?? 60_000)) return entry.auth;
    const pending = this.inflight.get(hash);
    if (pending) return pending;
    const generation = this.generation;
    const read = this.options.keys
      .authenticate(presented)
      .then((found) => {
        const auth = found && { keyId: found.keyId, tenantId: found.tenantId, scope: found.scope };
        if (generation === this.generation) this.remember(hash, auth);
        return auth;
      })
      .finally(() => {
        if (this.inflight.get(hash) === read) this.inflight.delete(hash);
      });
    this.inflight.set(hash, read);
    return read;
  }

  /**
   * Called with a key's id after it changed (and its entry was dropped), or with null when any key may
   * have changed (the broadcast was missed). Returns an unsubscribe.
   */
  onChange(listener: (keyId: string | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops what is cached for one key and tells the listeners. Exposed for the broadcast and tests. */
  invalidate(keyId: string): void {
    this.generation += 1;
    this.inflight.clear();
    for (const [hash, entry] of this.entries) {
      if (entry.auth?.keyId === keyId) this.entries.delete(hash);
    }
    for (const listener of this.listeners) listener(keyId);
  }

  async close(): Promise<void> {
    disconnectRedis(this.subscriber);
  }

  private invalidateAll(): void {
    this.generation += 1;
    this.inflight.clear();
    this.entries.clear();
    for (const listener of this.listeners) listener(null);
  }

  private remember(hash: string, auth: Auth | null): void {
    this.entries.delete(hash); // re-inserted last: the Map's order is the eviction order
    this.entries.set(hash, { auth, readAt: this.now() });
    const max = this.options.maxEntries ?? 10_000;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(oldest);
    }
  }
}
