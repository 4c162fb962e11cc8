import crypto from 'node:crypto';
import { type CrmObject } from '../../connectors/types';
import { API_KEY_SCOPES, type ApiKeyScope } from '../api-keys';
import { JwsError, parseJws, signEdDsa, verifyJws } from './jws';
import { type AccessTokenKeys } from './signing-keys';

/**
 * The gateway's own access tokens: short-lived JWTs a tenant's backend mints with its API key
 * (`createAccessToken`) and hands to a browser. A token is the minting key narrowed: the same tenant,
 * at most the key's scope, only the listed connections and objects, until `exp`. It names its minting
 * key (`akid`) so that revoking the key ends the token (checked on every request, not only at mint).
 */

export const ACCESS_TOKEN_ISSUER = 'crm-gateway';
export const ACCESS_TOKEN_AUDIENCE = 'crm-gateway/graphql';
const OBJECTS: readonly CrmObject[] = ['contact', 'deal'];
/** Connection ids one token may list: a page shows a handful; the token travels in every request. */
export const MAX_TOKEN_CONNECTIONS = 50;
/** Clock difference between gateways tolerated for `iat` in the future. */
const CLOCK_SKEW_S = 60;
const SUBJECT = /^[A-Za-z0-9._:@|+=/-]{1,128}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** What a token grants, as minted and as verified. */
export interface AccessTokenGrant {
  tenantId: string;
  /** The API key that minted it: the token lives only while that key does. */
  keyId: string;
  scope: ApiKeyScope;
  connectionIds: readonly string[];
  objects: readonly CrmObject[];
  /** The end user the backend minted it for: logged, never interpreted. */
  subject: string;
}

export interface VerifiedAccessToken extends AccessTokenGrant {
  /** Epoch milliseconds. */
  expiresAt: number;
  /** The signing key's id (the credentials key ring's key id). */
  kid: string;
}

/** The restrictions the presented token puts on its minting key, as requests check them. */
export interface TokenRestrictions {
  subject: string;
  connectionIds: ReadonlySet<string>;
  objects: ReadonlySet<CrmObject>;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Who signed it: the signing key id of ours, or an identity provider's issuer and key id. */
  kid: string;
  issuer: string;
}

/** Checks what a caller asks to grant; the messages name the bad value (it is the caller's own). */
export function checkGrant(grant: AccessTokenGrant): string | null {
  if (!SUBJECT.test(grant.subject)) {
    return `subject must be 1-128 of [A-Za-z0-9._:@|+=/-]; got ${JSON.stringify(grant.subject.slice(0, 40))}`;
  }
  if (grant.connectionIds.length === 0 || grant.connectionIds.length > MAX_TOKEN_CONNECTIONS) {
    return `connectionIds must list 1 to ${MAX_TOKEN_CONNECTIONS} ids; got ${grant.connectionIds.length}`;
  }
  const bad = grant.connectionIds.find((id) => !ID.test(id));
  if (bad !== undefined) return `connectionIds has a malformed id ${JSON.stringify(bad.slice(0, 40))}`;
  if (grant.objects.length === 0) return 'objects must list CONTACT, DEAL or both';
  return null;
}

export function mintAccessToken(
  keys: AccessTokenKeys,
  grant: AccessTokenGrant,
  ttlSeconds: number,
  now: number = Date.now(),
): { token: string; expiresAt: number; kid: string } {
  const problem = checkGrant(grant);
  if (problem) throw new JwsError(problem);
  const { kid, privateKey } = keys.current();
  const iat = Math.floor(now / 1000);
  const exp = iat + ttlSeconds;
  const token = signEdDsa(
    { typ: 'JWT', kid },
    {
      iss: ACCESS_TOKEN_ISSUER,
      aud: ACCESS_TOKEN_AUDIENCE,
      sub: grant.subject,
      ten: grant.tenantId,
      akid: grant.keyId,
      scp: grant.scope,
      cids: [...new Set(grant.connectionIds)],
      objs: [...new Set(grant.objects)],
      iat,
      exp,
      jti: crypto.randomBytes(12).toString('base64url'),
    },
    privateKey,
  );
  return { token, expiresAt: exp * 1000, kid };
}

/**
 * Verifies one of our tokens: signature under a key of the ring (EdDSA only), issuer, audience, times
 * and the shape of every claim. Throws JwsError naming the first thing wrong (never echoing the token).
 */
export function verifyAccessToken(
  keys: AccessTokenKeys,
  token: string,
  now: number = Date.now(),
): VerifiedAccessToken {
  const parsed = parseJws(token);
  const { kid, typ } = parsed.header;
  if (typ !== undefined && typ !== 'JWT') throw new JwsError('the token typ must be JWT');
  if (typeof kid !== 'string') throw new JwsError('the token header has no kid');
  const verifier = keys.verifier(kid);
  if (!verifier) throw new JwsError('the token kid names no signing key of this gateway');
  verifyJws(parsed, verifier);
  const c = parsed.payload;
  if (c.iss !== ACCESS_TOKEN_ISSUER) throw new JwsError('the token issuer is not this gateway');
  if (c.aud !== ACCESS_TOKEN_AUDIENCE) throw new JwsError('the token audience is not this gateway');
  const nowS = now / 1000;
  if (!isTime(c.exp) || !isTime(c.iat)) throw new JwsError('the token has no valid exp and iat');
  if (c.exp <= nowS) throw new JwsError('the token has expired');
  if (c.iat > nowS + CLOCK_SKEW_S) throw new JwsError('the token was issued in the future');
  if (typeof c.ten !== 'string' || !ID.test(c.ten) || typeof c.akid !== 'string' || !ID.test(c.akid)) {
    throw new JwsError('the token names no valid tenant and key');
  }
  if (!(API_KEY_SCOPES as readonly unknown[]).includes(c.scp))
    throw new JwsError('the token scope is invalid');
  const grant: AccessTokenGrant = {
    tenantId: c.ten,
    keyId: c.akid,
    scope: c.scp as ApiKeyScope,
    connectionIds: stringList(c.cids, 'cids'),
    objects: stringList(c.objs, 'objs') as CrmObject[],
    subject: typeof c.sub === 'string' ? c.sub : '',
  };
  if (grant.objects.some((o) => !OBJECTS.includes(o))) throw new JwsError('the token objs are invalid');
  const problem = checkGrant(grant);
  if (problem) throw new JwsError(`the token claims are invalid: ${problem}`);
  return { ...grant, expiresAt: c.exp * 1000, kid };
}

export function restrictionsOf(token: VerifiedAccessToken, issuer = ACCESS_TOKEN_ISSUER): TokenRestrictions {
  return {
    subject: token.subject,
    connectionIds: new Set(token.connectionIds),
    objects: new Set(token.objects),
    expiresAt: token.expiresAt,
    kid: token.kid,
    issuer,
  };
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new JwsError(`the token ${name} must be a list of strings`);
  }
  return value as string[];
}
