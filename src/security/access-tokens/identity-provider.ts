import crypto from 'node:crypto';
import { type CrmObject } from '../../connectors/types';
import { type ApiKeyScope } from '../api-keys';
import { type VerifiedAccessToken } from './access-token';
import {
  JwsError,
  type ParsedJws,
  type PinnedKey,
  VERIFY_ALGORITHMS,
  type JwsAlgorithm,
  verifyJws,
} from './jws';

/**
 * A tenant's own identity provider: for apps whose users already carry a JWT (Auth0, Cognito, Entra,
 * Keycloak…), the gateway accepts those tokens directly. The tenant stores the issuer, the audience its
 * tokens carry, the provider's public keys (a JWKS document, pasted in: the gateway never fetches it)
 * and which claims hold the scope, the connection ids and, optionally, the objects. Such a token is the
 * registering API key narrowed, like one of ours: revoking that key ends them too.
 */

export interface ClaimNames {
  /** Holds "read" or "read_write" (any case). */
  scope: string;
  /** Holds the connection ids (a list, or a space-separated string). */
  connectionIds: string;
  /** Holds CONTACT/DEAL (a list or a space-separated string); absent from the config: both. */
  objects?: string;
  /** @defaultValue 'sub' */
  subject?: string;
}

export interface IdentityProviderConfig {
  tenantId: string;
  /** The API key that registered it: the scope cap and lifeline of its tokens. */
  keyId: string;
  issuer: string;
  audience: string;
  /** Public keys only; each with a `kid` and an `alg` it is pinned to. */
  jwks: { keys: Record<string, unknown>[] };
  claims: ClaimNames;
}

const MAX_KEYS = 20;
const CLAIM = /^[A-Za-z0-9_:./-]{1,100}$/;
const CLOCK_SKEW_S = 60;

/** Problems of a config as a tenant submits it (each names the bad part), empty when it is usable. */
export function identityProviderProblems(
  config: Omit<IdentityProviderConfig, 'tenantId' | 'keyId'>,
): string[] {
  const problems: string[] = [];
  if (!/^https:\/\/\S{1,200}$/.test(config.issuer)) problems.push('issuer must be an https:// URL');
  if (config.audience.length === 0 || config.audience.length > 200)
    problems.push('audience must be 1-200 characters');
  const keys = Array.isArray(config.jwks?.keys) ? config.jwks.keys : null;
  if (!keys || keys.length === 0 || keys.length > MAX_KEYS) {
    problems.push(`jwks.keys must list 1 to ${MAX_KEYS} public keys`);
  } else {
    keys.forEach((jwk, i) => {
      try {
        pinnedKeyOf(jwk);
      } catch (err) {
        problems.push(`jwks.keys[${i}]: ${(err as Error).message}`);
      }
    });
  }
  for (const [name, value] of Object.entries(config.claims)) {
    if (value !== undefined && value !== null && !CLAIM.test(value))
      problems.push(`claims.${name} is not a claim name`);
  }
  if (!config.claims.scope || !config.claims.connectionIds)
    problems.push('claims.scope and claims.connectionIds are required');
  return problems;
}

/** A JWK as a key pinned to its own `alg`; refuses private keys and algorithms we do not verify. */
export function pinnedKeyOf(jwk: Record<string, unknown>): PinnedKey & { kid: string } {
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) throw new JwsError('a key needs a kid');
  if (!(VERIFY_ALGORITHMS as readonly unknown[]).includes(jwk.alg)) {
    throw new JwsError(`alg must be one of ${VERIFY_ALGORITHMS.join(', ')}; got ${JSON.stringify(jwk.alg)}`);
  }
  if ('d' in jwk || 'k' in jwk) throw new JwsError('only public keys are stored (no "d" or "k")');
  const alg = jwk.alg as JwsAlgorithm;
  const expected = alg === 'EdDSA' ? 'OKP' : alg === 'ES256' ? 'EC' : 'RSA';
  if (jwk.kty !== expected)
    throw new JwsError(`an ${alg} key has kty ${expected}; got ${JSON.stringify(jwk.kty)}`);
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: jwk as crypto.JsonWebKey, format: 'jwk' });
  } catch {
    throw new JwsError('not a valid public JWK');
  }
  return { kid: jwk.kid, alg, key };
}

/** Verifies a parsed token of `config`'s issuer and maps its claims; throws JwsError naming why not. */
export function verifyExternalToken(
  config: IdentityProviderConfig,
  parsed: ParsedJws,
  now: number = Date.now(),
): VerifiedAccessToken {
  const kid = parsed.header.kid;
  const jwk = config.jwks.keys.find((k) => k.kid === kid);
  if (typeof kid !== 'string' || !jwk) throw new JwsError("the token kid names no key of its issuer's JWKS");
  verifyJws(parsed, pinnedKeyOf(jwk));
  const c = parsed.payload;
  if (c.iss !== config.issuer) throw new JwsError('the token issuer is not the configured one');
  const aud = c.aud;
  if (!(aud === config.audience || (Array.isArray(aud) && aud.includes(config.audience)))) {
    throw new JwsError('the token audience is not the configured one');
  }
  const nowS = now / 1000;
  if (typeof c.exp !== 'number' || c.exp <= nowS) throw new JwsError('the token has expired (or has no exp)');
  if (typeof c.nbf === 'number' && c.nbf > nowS + CLOCK_SKEW_S)
    throw new JwsError('the token is not valid yet');
  const scope = String(c[config.claims.scope] ?? '').toLowerCase();
  if (scope !== 'read' && scope !== 'read_write') {
    throw new JwsError(`the token claim ${config.claims.scope} must be read or read_write`);
  }
  const connectionIds = listClaim(c[config.claims.connectionIds]);
  if (connectionIds.length === 0)
    throw new JwsError(`the token claim ${config.claims.connectionIds} lists no connection`);
  const objects = config.claims.objects
    ? listClaim(c[config.claims.objects]).map((o) => o.toLowerCase())
    : ['contact', 'deal'];
  if (objects.length === 0 || objects.some((o) => o !== 'contact' && o !== 'deal')) {
    throw new JwsError(`the token claim ${config.claims.objects} must list CONTACT and/or DEAL`);
  }
  const subject = c[config.claims.subject ?? 'sub'];
  return {
    tenantId: config.tenantId,
    keyId: config.keyId,
    scope: scope as ApiKeyScope,
    connectionIds,
    objects: objects as CrmObject[],
    subject: typeof subject === 'string' ? subject.slice(0, 128) : '',
    expiresAt: c.exp * 1000,
    kid,
  };
}

function listClaim(value: unknown): string[] {
  const items = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
  return items
    .filter((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64)
    .slice(0, 50);
}
