import { type RedisClient } from '../../redis/client';
import { crmDeclaration } from '../registry';
import { CrmAuthExpiredError, CrmNeedsReauthError } from '../../errors';
import { type ConnectionEventPublisher } from '../../events/connection-events';
import { type Logger } from '../../logger';
import { type AccessToken, type TokenAccess } from '../http/http.types';
import { type StoredTokens, type TokenGrant, applyGrant, parseStoredTokens } from './credentials';
import { InvalidGrantError } from './oauth2-client';
import { RefreshLock } from './refresh-lock';
import { redisKey } from '../../redis/keys';

/** The slice of the connections repository the token service needs. */
export interface TokenStore {
  getById(id: string): Promise<{ id: string; tenantId: string; crm: string; status: string }>;
  /** Cached in the process unless `fresh`: see {@link TokenService} for which reads must be fresh. */
  getCredentials(id: string, options?: { fresh?: boolean }): Promise<Record<string, unknown>>;
  setCredentials(id: string, credentials: Record<string, unknown>): Promise<void>;
  setStatus(id: string, status: 'NEEDS_REAUTH', reason: string | null): Promise<void>;
}

/** Where a connection's status change (NEEDS_REAUTH) is announced: the `connectionEvents` pubsub. */
export type { ConnectionEventPublisher };

/** Gets a new token for stored credentials: refresh grant, or a new client-credentials token. */
export type TokenRefresher = (stored: StoredTokens, connectionId: string) => Promise<TokenGrant>;

export interface TokenServiceOptions {
  store: TokenStore;
  redis: RedisClient;
  prefix: string;
  events: ConnectionEventPublisher;
  /** The refresher of a connection's CRM (built from its OAuth2Client). */
  refresherFor: (crm: string) => TokenRefresher;
  logger?: Logger;
  /**
   * Refresh a token this long before the vendor said it expires.
   * @defaultValue 300000 (5 min)
   */
  refreshAheadMs?: number;
  /**
   * Longest a caller waits for another process's refresh before failing AUTH_EXPIRED (retryable).
   * @defaultValue 10000
   */
  lockWaitMs?: number;
  /** @defaultValue 30000 */
  lockTtlMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

type Need = { kind: 'ahead' } | { kind: 'rejected'; token: string } | { kind: 'expiring'; withinMs: number };

/**
 * The one token service. Refreshes ahead of expiry where the vendor says when, and on
 * a 401 where it does not. One refresh per connection at a time: single-flight inside
 * the process, a Redis lock across processes, and a re-read of the stored token after taking the lock
 * (another process may have refreshed meanwhile). A rotated refresh token is stored before the new
 * access token is handed out. A refused grant moves the connection to NEEDS_REAUTH and announces it.
 *
 * The decrypted token comes from the store's per-process cache, which a refresh anywhere replaces
 * (src/store/changes.ts). Every read that decides whether to refresh after waiting or under the lock
 * is fresh from the store: a broadcast still in flight must never make a process refresh again with a
 * refresh token the vendor already rotated away.
 */
export class TokenService {
  private readonly inflight = new Map<string, Promise<AccessToken>>();
  private readonly lock: RefreshLock;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TokenServiceOptions) {
    this.lock = new RefreshLock(options.redis, options.prefix, options.lockTtlMs);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Token access bound to one connection, for a {@link import('../types').ConnectorContext}. */
  forConnection(connectionId: string): TokenAccess {
    return {
      get: () => this.getAccessToken(connectionId),
      refreshAfterRejection: (rejected) => this.refresh(connectionId, { kind: 'rejected', token: rejected }),
    };
  }

  /** Sorted set of connection ids by access-token expiry (epoch ms): what the refresh job scans. */
  get expiryIndexKey(): string {
    return redisKey(this.options.prefix, 'tokens', 'expiry');
  }

  async getAccessToken(connectionId: string): Promise<AccessToken> {
    const stored = await this.read(connectionId);
    if (this.expiresSoon(stored)) return this.refresh(connectionId, { kind: 'ahead' });
    return toAccessToken(stored);
  }

  /** Refreshes now if the token expires within `withinMs` (the repeatable job). True when refreshed. */
  async refreshIfExpiring(connectionId: string, withinMs: number): Promise<boolean> {
    const stored = await this.read(connectionId);
    if (stored.expiresAt === null || stored.expiresAt - this.now() > withinMs) {
      await this.indexExpiry(connectionId, stored);
      return false;
    }
    await this.refresh(connectionId, { kind: 'expiring', withinMs });
    return true;
  }

  /**
   * Stores credentials from a fresh grant (OAuth callback, createConnection) and indexes the expiry.
   * The caller has created the connection; this is the one place tokens are written.
   */
  async storeGrant(connectionId: string, stored: StoredTokens): Promise<void> {
    await this.options.store.setCredentials(connectionId, stored);
    await this.indexExpiry(connectionId, stored);
  }

  /**
   * Forgets a deleted connection: its entry in the expiry index (so the refresh job does not look for
   * it). The decrypted credentials live in the store's cache, which the deletion itself drops in every
   * process; a refresh already in flight finishes on its own and finds the connection gone.
   */
  async forget(connectionId: string): Promise<void> {
    await this.options.redis.zrem(this.expiryIndexKey, connectionId);
  }

  private refresh(connectionId: string, need: Need): Promise<AccessToken> {
    let pending = this.inflight.get(connectionId);
    if (!pending) {
      pending = this.refreshAcrossProcesses(connectionId, need).finally(() =>
        this.inflight.delete(connectionId),
      );
      this.inflight.set(connectionId, pending);
    }
    return pending;
  }

  private async refreshAcrossProcesses(connectionId: string, need: Need): Promise<AccessToken> {
    const deadline = this.now() + (this.options.lockWaitMs ?? 10_000);
    for (;;) {
      const owner = await this.lock.tryAcquire(connectionId);
      if (owner) {
        try {
          return await this.refreshUnderLock(connectionId, need);
        } finally {
          await this.lock.release(connectionId, owner);
        }
      }
      // Someone else is refreshing: wait for them, then use what they stored if it answers our need.
      while ((await this.lock.isHeld(connectionId)) && this.now() < deadline) await this.sleep(50);
      const stored = await this.read(connectionId, true);
      if (!this.stillNeeded(stored, need)) return toAccessToken(stored);
      if (this.now() >= deadline) {
        const crm = (await this.options.store.getById(connectionId)).crm;
        throw new CrmAuthExpiredError(
          `another process holds the ${crm} token refresh of connection ${connectionId}`,
          {
            crm,
            retryAfterMs: 1000,
          },
        );
      }
    }
  }

  private async refreshUnderLock(connectionId: string, need: Need): Promise<AccessToken> {
    // Re-read under the lock: the refresh we waited for may have happened in another process.
    const stored = await this.read(connectionId, true);
    if (!this.stillNeeded(stored, need)) return toAccessToken(stored);
    const connection = await this.options.store.getById(connectionId);
    if (stored.authKind === 'static_token') {
      // A static token has nothing to refresh: rejected means revoked.
      return this.needsReauth(connection, 'the static API token was rejected');
    }
    let grant: TokenGrant;
    try {
      grant = await this.options.refresherFor(connection.crm)(stored, connectionId);
    } catch (err) {
      // A refresher may also say so with the typed error (its own check failed before any grant).
      if (err instanceof InvalidGrantError || err instanceof CrmNeedsReauthError) {
        return this.needsReauth(connection, err.message);
      }
      throw err;
    }
    const next = applyGrant(stored, grant);
    // Stored before anyone uses the new token: with rotation the old refresh token is already dead, so
    // a crash after this point must not leave the store holding it.
    await this.options.store.setCredentials(connectionId, next);
    await this.indexExpiry(connectionId, next);
    this.options.logger?.info(
      { connectionId, crm: connection.crm, rotated: grant.refreshToken !== undefined },
      'token refreshed',
    );
    return toAccessToken(next);
  }

  private async needsReauth(
    connection: { id: string; tenantId: string; crm: string },
    reason: string,
  ): Promise<never> {
    await this.options.store.setStatus(connection.id, 'NEEDS_REAUTH', reason);
    await this.options.redis.zrem(this.expiryIndexKey, connection.id);
    await this.options.events
      .publishConnectionEvent(connection.tenantId, {
        type: 'STATUS_CHANGED',
        connectionId: connection.id,
        crm: connection.crm,
        status: 'NEEDS_REAUTH',
        reason,
        occurredAt: new Date(this.now()),
      })
      .catch((err: unknown) =>
        this.options.logger?.warn({ err, connectionId: connection.id }, 'NEEDS_REAUTH event not published'),
      );
    throw new CrmNeedsReauthError(
      `${crmDeclaration(connection.crm).displayName} refused the stored credentials of connection ${connection.id}: reconnect it (${reason})`,
      { crm: connection.crm },
    );
  }

  private stillNeeded(stored: StoredTokens, need: Need): boolean {
    if (need.kind === 'rejected') return stored.accessToken === need.token;
    if (need.kind === 'expiring')
      return stored.expiresAt !== null && stored.expiresAt - this.now() <= need.withinMs;
    return this.expiresSoon(stored);
  }

  private expiresSoon(stored: StoredTokens): boolean {
    return (
      stored.expiresAt !== null && stored.expiresAt - this.now() <= (this.options.refreshAheadMs ?? 300_000)
    );
  }

  private async read(connectionId: string, fresh = false): Promise<StoredTokens> {
    const credentials = await this.options.store.getCredentials(connectionId, fresh ? { fresh } : undefined);
    // The store's cache hands out one object per stored version of the credentials (never changed in
    // place): its parse is done once per version, not on every vendor call.
    let parsed = parsedCredentials.get(credentials);
    if (!parsed) {
      parsed = parseStoredTokens(credentials, connectionId);
      parsedCredentials.set(credentials, parsed);
    }
    return parsed;
  }

  /** Records when a connection's token expires, for the refresh job (tokens without expiry are removed). */
  async indexExpiry(connectionId: string, stored: StoredTokens): Promise<void> {
    if (stored.expiresAt === null) await this.options.redis.zrem(this.expiryIndexKey, connectionId);
    else await this.options.redis.zadd(this.expiryIndexKey, stored.expiresAt, connectionId);
  }
}

/** Parsed credentials by the decrypted object they came from; dropped with it. */
const parsedCredentials = new WeakMap<object, StoredTokens>();

function toAccessToken(stored: StoredTokens): AccessToken {
  return {
    value: stored.accessToken,
    expiresAt: stored.expiresAt,
    apiBaseUrl: stored.apiBaseUrl,
    authKind: stored.authKind,
  };
}
