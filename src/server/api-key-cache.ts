import { type Auth } from '../graphql/request-context';
import { looksLikeApiKey } from '../security/api-keys';
import { type ChangeSource, type StoreChange } from '../store/changes';
import { type AuthenticatedKey } from '../store/repositories/api-keys.repo';
import { VersionedCache } from '../store/versioned-cache';

/** What the cache reads on a miss: the store's key lookup (which also records the key's last use). */
export interface ApiKeyLookup {
  authenticate(presented: string): Promise<AuthenticatedKey | null>;
  /** A key by id, null when revoked: the minting key of an access token is checked through it. */
  findLive(id: string): Promise<AuthenticatedKey | null>;
}

export interface ApiKeyCacheOptions {
  keys: ApiKeyLookup;
  /** Every key change (revocation, scope) arrives here; its health bounds how long an answer is reused. */
  changes: ChangeSource;
  /**
   * Most keys (known and unknown) remembered; the oldest are dropped first.
   * @defaultValue 10000
   */
  maxEntries?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * API keys as this process last read them (key → tenant, scope; null for no live key), so a warm
 * request touches no store. Entries are keyed by the presented key's text, not its SHA-256: the hash
 * was the largest part of a warm request's authentication (`npm run bench:reads`), and the process
 * holds each request's key text anyway (as the access-token cache holds token texts, src/server/auth.ts).
 * The store still keeps only hashes, and a miss is checked there by hash. The key repository
 * broadcasts every change to a key (src/store/changes.ts); on one, the key's entries are dropped and listeners (the WebSocket server) are told, so a revocation
 * or scope change applies everywhere within the broadcast's latency. While the broadcast is down an
 * answer is reused only for the feed's outage bound (CACHE_OUTAGE_MAX_AGE_MS), not the usual minute.
 */
export class ApiKeyCache {
  private readonly cache: VersionedCache<Auth | null>;
  /** The same keys by id (what an access token names), dropped by the same changes. */
  private readonly byId: VersionedCache<Auth | null>;
  private readonly listeners = new Set<(keyId: string | null) => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: ApiKeyCacheOptions) {
    this.cache = new VersionedCache({
      name: 'api_keys',
      feed: options.changes,
      maxEntries: options.maxEntries,
      now: options.now,
    });
    this.byId = new VersionedCache({
      name: 'api_key_ids',
      feed: options.changes,
      maxEntries: options.maxEntries,
      now: options.now,
    });
    this.unsubscribe = options.changes.onChange((change) => this.apply(change));
  }

  /**
   * The live key behind a presented (bare) key, or null when it is unknown, malformed or revoked.
   * Not async: it hands back the cache's own promise, not one more that waits for it.
   */
  authenticate(presented: string): Promise<Auth | null> {
    if (!looksLikeApiKey(presented)) return Promise.resolve(null);
    return this.cache.get(presented, async () => {
      const found = await this.options.keys.authenticate(presented);
      return found && { keyId: found.keyId, tenantId: found.tenantId, scope: found.scope };
    });
  }

  /** The live key with id `keyId`, or null when there is none or it is revoked. */
  async live(keyId: string): Promise<Auth | null> {
    return this.byId.get(keyId, async () => {
      const found = await this.options.keys.findLive(keyId);
      return found && { keyId: found.keyId, tenantId: found.tenantId, scope: found.scope };
    });
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
    this.cache.deleteWhere((_key, auth) => auth?.keyId === keyId);
    this.byId.delete(keyId);
    for (const listener of this.listeners) listener(keyId);
  }

  async close(): Promise<void> {
    this.unsubscribe();
  }

  private apply(change: StoreChange | null): void {
    if (change === null) {
      this.cache.clear();
      this.byId.clear();
      for (const listener of this.listeners) listener(null);
    } else if (change.kind === 'api-key') this.invalidate(change.id);
  }
}
