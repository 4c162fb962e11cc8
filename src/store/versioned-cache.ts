import { type CacheTally, cacheTally } from './cache-metrics';
import { type ChangeSource } from './changes';

export interface VersionedCacheOptions {
  /** The metric label: api_keys, connections, credentials, mappings. */
  name: string;
  /** Decides how long an entry is trusted: long while changes arrive, short while they may be lost. */
  feed: Pick<ChangeSource, 'maxAgeMs'>;
  /**
   * Most entries remembered; the least recently stored are dropped first.
   * @defaultValue 10000
   */
  maxEntries?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  readAt: number;
}

/**
 * One per-process cache of store reads, shared by every cached repository so they all follow one
 * policy: an entry lives until a change drops or replaces it, or until it is older than the feed's
 * current bound (long while the broadcast is live, short during an outage). A read begun before a
 * change (the version moved on meanwhile) is answered but not stored, and concurrent misses of one
 * key share one store read.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inflight = new Map<string, Promise<V>>();
  /** Bumped by every change: the version an in-flight read must still see to store what it read. */
  private version = 0;
  private readonly now: () => number;
  /** Hits and misses for the `cgw_cache_*_total` counters (src/store/cache-metrics.ts). */
  private readonly tally: CacheTally;

  constructor(private readonly options: VersionedCacheOptions) {
    this.now = options.now ?? Date.now;
    this.tally = cacheTally(options.name);
  }

  /**
   * The cached value of `key`, or what `read` returns (stored unless a change happened meanwhile).
   * `fresh` skips the entry and any read already in flight: for a caller that must see the store as
   * it is now (a token refresh deciding whether another process already refreshed).
   */
  async get(key: string, read: () => Promise<V>, options: { fresh?: boolean } = {}): Promise<V> {
    if (!options.fresh) {
      const hit = this.peek(key);
      if (hit !== undefined) {
        this.tally.hits += 1;
        return hit;
      }
    }
    this.tally.misses += 1;
    const pending = options.fresh ? undefined : this.inflight.get(key);
    if (pending) return pending;
    const version = this.version;
    const reading = read()
      .then((value) => {
        if (version === this.version) this.set(key, value, false);
        return value;
      })
      .finally(() => {
        if (this.inflight.get(key) === reading) this.inflight.delete(key);
      });
    this.inflight.set(key, reading);
    return reading;
  }

  /**
   * The values of `keys`, those not cached read together by `readMissing` (one store query for a
   * loader's batch); a key it does not return is stored as `absent`.
   */
  async getMany(
    keys: readonly string[],
    readMissing: (missing: string[]) => Promise<Map<string, V>>,
    absent: V,
  ): Promise<V[]> {
    const known = new Map<string, V>();
    const missing: string[] = [];
    for (const key of keys) {
      const hit = this.peek(key);
      if (hit === undefined) missing.push(key);
      else known.set(key, hit);
    }
    this.tally.hits += known.size;
    if (missing.length > 0) {
      this.tally.misses += missing.length;
      const version = this.version;
      const found = await readMissing(missing);
      for (const key of missing) {
        const value = found.get(key) ?? absent;
        known.set(key, value);
        if (version === this.version) this.set(key, value, false);
      }
    }
    return keys.map((key) => known.get(key) as V);
  }

  /** The entry of `key` if it is still trusted, without reading the store. */
  peek(key: string): V | undefined {
    const entry = this.entries.get(key);
    return entry && this.now() - entry.readAt < this.options.feed.maxAgeMs ? entry.value : undefined;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Replaces an entry with a value known to be current (the process just wrote it). */
  put(key: string, value: V): void {
    this.set(key, value, true);
  }

  delete(key: string): void {
    this.bump();
    this.entries.delete(key);
  }

  /** Drops every entry whose key or value matches. */
  deleteWhere(matches: (key: string, value: V) => boolean): void {
    this.bump();
    for (const [key, entry] of this.entries) if (matches(key, entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.bump();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private bump(): void {
    this.version += 1;
    // A read in flight may have started before the change: later callers must not join it.
    this.inflight.clear();
  }

  private set(key: string, value: V, isChange: boolean): void {
    if (isChange) this.bump();
    this.entries.delete(key); // re-inserted last: the Map's order is the eviction order
    this.entries.set(key, { value, readAt: this.now() });
    const max = this.options.maxEntries ?? 10_000;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= max) break;
      this.entries.delete(oldest);
    }
  }
}
