import crypto from 'node:crypto';

/**
 * Compact JWS (the three-part `header.payload.signature` form of a JWT) over node:crypto. Only what
 * access tokens need: parse strictly, verify with ONE algorithm fixed per key, sign. The algorithm a
 * token names is never what selects how it is checked: the key does (its `alg` below), so `alg: none`,
 * an HS256 token "signed" with a public key, or any other algorithm than the key's is refused before
 * any cryptography runs.
 */

/** Algorithms a key may be pinned to: EdDSA (ours) and the asymmetric ones identity providers use. */
export const VERIFY_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;
export type JwsAlgorithm = (typeof VERIFY_ALGORITHMS)[number];

export interface PinnedKey {
  alg: JwsAlgorithm;
  key: crypto.KeyObject;
}

export interface ParsedJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `header.payload` as sent: what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** Why a token was refused; the message is safe to return (it never contains the token). */
export class JwsError extends Error {
  override name = 'JwsError';
}

/**
 * Tokens longer than this are refused before any parsing: a header or a list of connection ids can
 * make a JWT large, but not this large, and a client must not make the gateway parse megabytes.
 */
export const MAX_TOKEN_CHARS = 8192;
const B64URL = /^[A-Za-z0-9_-]+$/;

export function looksLikeJws(value: string): boolean {
  return value.length <= MAX_TOKEN_CHARS && /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}

/** Splits and decodes a compact JWS; no signature is checked yet. */
export function parseJws(token: string): ParsedJws {
  if (token.length > MAX_TOKEN_CHARS) throw new JwsError(`the token is over ${MAX_TOKEN_CHARS} characters`);
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwsError('the token is not a compact JWS (three dot-separated parts)');
  const [h, p, s] = parts as [string, string, string];
  if (!B64URL.test(h) || !B64URL.test(p) || (s !== '' && !B64URL.test(s))) {
    throw new JwsError('the token is not base64url');
  }
  const header = decodeObject(h, 'header');
  const payload = decodeObject(p, 'payload');
  // `crit` names extensions the verifier must understand; we understand none.
  if ('crit' in header) throw new JwsError('the token header has "crit": no extension is supported');
  return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/**
 * Checks `parsed` against `pinned`: the header's `alg` must equal the key's own algorithm, and the
 * signature must verify. Throws JwsError otherwise.
 */
export function verifyJws(parsed: ParsedJws, pinned: PinnedKey): void {
  const alg = parsed.header.alg;
  if (alg !== pinned.alg) {
    throw new JwsError(`the token's alg ${JSON.stringify(alg)} is not this key's (${pinned.alg})`);
  }
  const data = Buffer.from(parsed.signingInput, 'ascii');
  let ok: boolean;
  try {
    ok =
      pinned.alg === 'EdDSA'
        ? crypto.verify(null, data, pinned.key, parsed.signature)
        : pinned.alg === 'ES256'
          ? crypto.verify('sha256', data, { key: pinned.key, dsaEncoding: 'ieee-p1363' }, parsed.signature)
          : crypto.verify('sha256', data, pinned.key, parsed.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new JwsError('the token signature does not verify');
}

/** A compact JWS of `payload`, signed with an Ed25519 private key. */
export function signEdDsa(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: crypto.KeyObject,
): string {
  const signingInput = `${encode({ ...header, alg: 'EdDSA' })}.${encode(payload)}`;
  const signature = crypto.sign(null, Buffer.from(signingInput, 'ascii'), key);
  return `${signingInput}.${signature.toString('base64url')}`;
}

function encode(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeObject(part: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwsError(`the token ${name} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwsError(`the token ${name} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}
