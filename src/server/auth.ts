import { UnauthenticatedError } from '../errors';
import { type Auth } from '../graphql/request-context';
import { looksLikeApiKey } from '../security/api-keys';
import {
  ACCESS_TOKEN_ISSUER,
  restrictionsOf,
  type TokenRestrictions,
  type VerifiedAccessToken,
  verifyAccessToken,
} from '../security/access-tokens/access-token';
import {
  type IdentityProviderConfig,
  verifyExternalToken,
} from '../security/access-tokens/identity-provider';
import { JwsError, looksLikeJws, parseJws } from '../security/access-tokens/jws';
import { type AccessTokenKeys } from '../security/access-tokens/signing-keys';
import { type ChangeSource } from '../store/changes';
import { VersionedCache } from '../store/versioned-cache';
import { BoundedLru } from './bounded-lru';

/** Where a bare credential (an API key or an access token) is looked up. */
export interface KeyAuthenticator {
  authenticate(bareKey: string): Promise<Auth | null>;
}

/**
 * Turns what a client presented into the caller's tenant and scope.
 * - nothing presented → null (only `@Public()` fields answer);
 * - something presented that is not a live key or a valid access token → UNAUTHENTICATED for the whole
 *   request: a client that sent a wrong key should learn it at once, not from the first protected field.
 *
 * Accepts `Bearer <credential>` (the HTTP header form) and the bare credential (what people paste into
 * connectionParams).
 *
 * Nothing presented and a bad credential end the same way on every path that needs one (HTTP 401,
 * WebSocket close 4401; README "Errors"); only `@Public()` fields tell them apart.
 */
export async function authenticate(presented: unknown, keys: KeyAuthenticator): Promise<Auth | null> {
  if (presented === undefined || presented === null || presented === '') return null;
  if (typeof presented !== 'string') {
    throw new UnauthenticatedError(
      `the API key must be a string like "Bearer cgw_…"; got a ${typeof presented}`,
    );
  }
  const match = /^(?:Bearer\s+)?(\S+)$/i.exec(presented.trim());
  if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <API key>"');
  const found = await keys.authenticate(match[1]!);
  if (!found) throw new UnauthenticatedError('the API key is unknown or revoked');
  return found;
}

/** The process's API key cache (src/server/api-key-cache.ts) as the credential check uses it. */
export interface LiveApiKeys extends KeyAuthenticator {
  /** The key's current tenant and scope by id; null once it is revoked. */
  live(keyId: string): Promise<Auth | null>;
  onChange(listener: (keyId: string | null) => void): () => void;
  close(): Promise<void>;
}

export interface CredentialAuthenticatorOptions {
  keys: LiveApiKeys;
  tokenKeys: AccessTokenKeys;
  /**
   * Verified tokens remembered (a token is verified once, then only its expiry and minting key are
   * checked per request).
   * @defaultValue 10000
   */
  maxTokens?: number;
  /** @defaultValue Date.now */
  now?: () => number;
  /**
   * Tenants' identity providers by issuer, and the change feed that says when one changed. Without
   * them only the gateway's own tokens are accepted.
   */
  identityProviders?: {
    lookup: { findByIssuer(issuer: string): Promise<IdentityProviderConfig | null> };
    changes: ChangeSource;
  };
}

interface VerifiedEntry {
  token: VerifiedAccessToken;
  restrictions: TokenRestrictions;
}

/** A rough upper bound of what one cached verification holds besides the token text. */
const ENTRY_OVERHEAD_BYTES = 512;

/**
 * API keys and the gateway's access tokens behind one `authenticate`. A token is the minting key
 * narrowed: its `Auth` carries the key's id (so rate limits, metrics and the revocation broadcast all
 * work per key, never per end user), the key's tenant, the lesser of the token's and the key's current
 * scope, and the token's restrictions. The minting key's state comes from the key cache on every
 * request, so a revocation broadcast ends the key's tokens as it ends the key.
 *
 * Verifying an EdDSA signature costs tens of µs; a verified token is kept in a bounded LRU keyed by the
 * token text, so a warm request with a token costs a map lookup more than one with a key. Invalid
 * tokens are not remembered: a client sending ever-new garbage only costs verifications.
 */
export class CredentialAuthenticator implements LiveApiKeys {
  private verified: BoundedLru<VerifiedEntry>;
  private readonly now: () => number;
  /** Identity providers by issuer (null: no tenant has that issuer), dropped when one changes. */
  private readonly providers: VersionedCache<IdentityProviderConfig | null> | null;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: CredentialAuthenticatorOptions) {
    this.verified = this.emptyLru();
    this.now = options.now ?? Date.now;
    const idp = options.identityProviders;
    this.providers = idp
      ? new VersionedCache({ name: 'identity_providers', feed: idp.changes, maxEntries: 1000, now: this.now })
      : null;
    this.unsubscribe = (idp?.changes ?? { onChange: () => () => undefined }).onChange((change) => {
      if (change !== null && change.kind !== 'identity-provider') return;
      if (change === null) this.providers!.clear();
      else this.providers!.delete(change.id);
      // Tokens verified under a provider's old keys must be verified again.
      this.verified = this.emptyLru();
    });
  }

  private emptyLru(): BoundedLru<VerifiedEntry> {
    const maxTokens = this.options.maxTokens ?? 10_000;
    return new BoundedLru(maxTokens, maxTokens * (ENTRY_OVERHEAD_BYTES + 2048));
  }

  authenticate(presented: string): Promise<Auth | null> {
    // Not async for a key: the key cache's promise is handed back, not one more that waits for it.
    if (looksLikeApiKey(presented)) return this.options.keys.authenticate(presented);
    return this.authenticateToken(presented);
  }

  private async authenticateToken(presented: string): Promise<Auth | null> {
    if (!looksLikeJws(presented)) return null;
    const { token, restrictions } = await this.verify(presented);
    const key = await this.options.keys.live(token.keyId);
    if (!key || key.tenantId !== token.tenantId) {
      throw new UnauthenticatedError('the access token was minted by an API key that is revoked');
    }
    return {
      keyId: key.keyId,
      tenantId: key.tenantId,
      // A key narrowed to read after minting narrows its tokens too.
      scope: key.scope === 'read_write' ? token.scope : 'read',
      token: restrictions,
    };
  }

  /** Stops listening for identity provider changes and closes the key cache. */
  async close(): Promise<void> {
    this.unsubscribe();
    await this.options.keys.close();
  }

  live(keyId: string): Promise<Auth | null> {
    return this.options.keys.live(keyId);
  }

  onChange(listener: (keyId: string | null) => void): () => void {
    return this.options.keys.onChange(listener);
  }

  private async verify(presented: string): Promise<VerifiedEntry> {
    const now = this.now();
    const hit = this.verified.get(presented);
    if (hit) {
      if (hit.token.expiresAt > now) return hit;
      this.verified.delete(presented);
      throw new UnauthenticatedError('invalid access token: the token has expired');
    }
    const lru = this.verified;
    let entry: VerifiedEntry;
    try {
      entry = await this.verifyNew(presented, now);
    } catch (err) {
      if (err instanceof JwsError) throw new UnauthenticatedError(`invalid access token: ${err.message}`);
      throw err;
    }
    // Not kept when a provider changed while it was being verified (the cache was replaced meanwhile).
    if (lru === this.verified) lru.set(presented, entry, presented.length * 2 + ENTRY_OVERHEAD_BYTES);
    return entry;
  }

  /** Ours (our issuer), else a tenant's identity provider's by its `iss`. Throws JwsError. */
  private async verifyNew(presented: string, now: number): Promise<VerifiedEntry> {
    const parsed = parseJws(presented);
    const issuer = parsed.payload.iss;
    if (issuer === ACCESS_TOKEN_ISSUER || !this.providers) {
      const token = verifyAccessToken(this.options.tokenKeys, presented, now);
      return { token, restrictions: restrictionsOf(token) };
    }
    if (typeof issuer !== 'string' || issuer.length > 200)
      throw new JwsError('the token has no valid issuer');
    const config = await this.providers.get(issuer, () =>
      this.options.identityProviders!.lookup.findByIssuer(issuer),
    );
    if (!config)
      throw new JwsError('the token issuer is neither this gateway nor a registered identity provider');
    const token: VerifiedAccessToken = verifyExternalToken(config, parsed, now);
    return { token, restrictions: restrictionsOf(token, config.issuer) };
  }
}
