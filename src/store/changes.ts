import { randomUUID } from 'node:crypto';
import { duplicateClient, type RedisClient } from '../redis/client';
import { type Logger } from '../logger';
import { disconnectRedis } from '../runtime/services/redis-disconnect';
import { type EncryptedBlob } from '../security/credentials-cipher';
import { storeChangesReceived } from './cache-metrics';

/**
 * The one broadcast that keeps every process's store caches honest. Whoever writes a cached document
 * goes through a repository, and the repository announces the change here: this process's caches
 * apply it before the write returns (read-your-writes), every other process when the message arrives.
 * Redis pub/sub is fire-and-forget, so while the subscriber is not connected no cache trusts an entry
 * beyond {@link StoreChangeFeedOptions.outageMaxAgeMs}, and everything is dropped once it is back.
 */
export type StoreChange =
  /** A key was revoked or its scope changed. */
  | { kind: 'api-key'; id: string }
  /** A connection was created, deleted, or its status, settings or vendor URLs changed. */
  | { kind: 'connection'; id: string }
  /**
   * New credentials of a connection (a refresh, a reconnect). Carries the blob as stored, still
   * encrypted: a process holding the key ring takes the new token without a store read, and Redis
   * never sees a secret.
   */
  | { kind: 'credentials'; id: string; blob: EncryptedBlob }
  /** A connection's field mapping overrides changed (any object). */
  | { kind: 'mapping'; id: string }
  /** A tenant's identity provider (by issuer) was registered, replaced or removed. */
  | { kind: 'identity-provider'; id: string };

export type StoreChangeKind = StoreChange['kind'];

const KINDS: ReadonlySet<string> = new Set<StoreChangeKind>([
  'api-key',
  'connection',
  'credentials',
  'mapping',
  'identity-provider',
]);

export function storeChangesChannel(redisPrefix: string): string {
  return `${redisPrefix}:store:changed`;
}

/** What a repository announces its writes through (a {@link StoreChangeFeed}). */
export interface StoreChangePublisher {
  publish(change: StoreChange): Promise<void>;
}

/** What a cache needs of the feed: its health, the bound that follows from it, and the changes. */
export interface ChangeSource extends ChangeFeedHealth {
  /** How long an entry is trusted now: long while the broadcast is live, short while it is not. */
  readonly maxAgeMs: number;
  /** Returns an unsubscribe. */
  onChange(listener: StoreChangeListener): () => void;
}

/** What a cached repository needs: the changes, and a way to announce its own writes. */
export interface CacheFeed extends ChangeSource, StoreChangePublisher {}

/** What a cache is told: one change, or null when any entry may be stale (the broadcast was missed). */
export type StoreChangeListener = (change: StoreChange | null) => void;

/** Whether broadcast changes are arriving now: what decides how long a cache trusts an entry. */
export interface ChangeFeedHealth {
  readonly live: boolean;
}

export interface StoreChangeFeedOptions {
  /** The general client: publishes go through it, and the subscriber is a duplicate of it. */
  redis: RedisClient;
  redisPrefix: string;
  logger: Logger;
  /**
   * Longest a cached entry is trusted while the broadcast is live: a safety net for a message lost
   * without a disconnect, and what keeps an API key's `lastUsedAt` (minute resolution) roughly current.
   * @defaultValue 60000
   */
  maxAgeMs?: number;
  /**
   * Longest a cached entry is trusted while the subscriber is disconnected (CACHE_OUTAGE_MAX_AGE_MS):
   * the bound on how long a revoked key or a deleted connection can still be served during a Redis outage.
   * @defaultValue 1000
   */
  outageMaxAgeMs?: number;
}

/** The subscriber side and the publisher side of {@link StoreChange}s, one per process. */
export class StoreChangeFeed implements CacheFeed {
  /** Tells this process's own messages apart: they were applied before they were published. */
  private readonly origin = randomUUID();
  private readonly listeners = new Set<StoreChangeListener>();
  private readonly subscriber: RedisClient;
  private subscribed = false;
  /** Bumped when the connection drops: a SUBSCRIBE answered on an earlier connection proves nothing. */
  private connection = 0;
  private closed = false;

  constructor(private readonly options: StoreChangeFeedOptions) {
    // No ready check: see src/events/pubsub.ts (a SUBSCRIBE in the gap after connect breaks it).
    // Named, so an operator (or a test) can tell it in CLIENT LIST.
    // No retry limit or command timeout: a SUBSCRIBE sent while Redis is away waits for it instead of failing.
    this.subscriber = duplicateClient(options.redis, {
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      connectionName: `${options.redisPrefix}:store-changes`,
    });
    this.subscriber.on('error', (err: Error) =>
      options.logger.warn({ err: err.message }, 'store change subscriber: Redis error'),
    );
    // From the moment the connection drops, messages may be lost: entries fall to the outage bound.
    this.subscriber.on('close', () => {
      this.subscribed = false;
      this.connection += 1;
    });
    this.subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    // The first SUBSCRIBE also opens the connection (the client may be lazy). Whenever the connection is
    // ready again we subscribe again, which is idempotent: it tells us when messages flow once more.
    this.subscriber.on('ready', () => void this.subscribe());
    void this.subscribe();
  }

  get live(): boolean {
    return this.subscribed;
  }

  get maxAgeMs(): number {
    return this.live ? (this.options.maxAgeMs ?? 60_000) : (this.options.outageMaxAgeMs ?? 1000);
  }

  onChange(listener: StoreChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a change to this process's caches, then broadcasts it. Awaited by the writer, so a write
   * that returns has been announced; a failed publish fails the write's caller rather than leaving
   * other processes unaware until their entries expire.
   */
  async publish(change: StoreChange): Promise<void> {
    this.dispatch(change);
    await this.options.redis.publish(
      storeChangesChannel(this.options.redisPrefix),
      JSON.stringify({ ...change, origin: this.origin }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscribed = false;
    disconnectRedis(this.subscriber);
  }

  private async subscribe(): Promise<void> {
    const connection = this.connection;
    try {
      // ioredis re-subscribes by itself after a reconnect; subscribing again is harmless and tells us when.
      await this.subscriber.subscribe(storeChangesChannel(this.options.redisPrefix));
    } catch (err) {
      if (!this.closed)
        this.options.logger.error(
          { err: (err as Error).message },
          'could not subscribe to store changes: caches trust entries only for the outage bound',
        );
      return;
    }
    if (this.closed || connection !== this.connection) return;
    // Whatever was published while we were not subscribed is lost: forget everything.
    this.subscribed = true;
    this.dispatch(null);
  }

  private receive(message: string): void {
    const change = parseStoreChange(message, this.origin);
    if (!change) return;
    storeChangesReceived.inc({ kind: change.kind });
    this.dispatch(change);
  }

  private dispatch(change: StoreChange | null): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** A broadcast message as a change, or null when it is malformed or this process's own. */
export function parseStoreChange(message: string, ownOrigin?: string): StoreChange | null {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(message) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || (ownOrigin && parsed.origin === ownOrigin)) return null;
  const { kind, id } = parsed;
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof id !== 'string' || id.length === 0) return null;
  if (kind === 'credentials') {
    const blob = parsed.blob as EncryptedBlob | undefined;
    return blob && typeof blob === 'object' ? { kind, id, blob } : null;
  }
  return { kind: kind as Exclude<StoreChangeKind, 'credentials'>, id };
}
