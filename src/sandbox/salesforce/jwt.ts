import { createPublicKey, verify } from 'node:crypto';

/** The JWT bearer grant's assertion (docs/vendors/salesforce.md "OAuth"): RS256, iss = client id, sub = username, aud = login host. */
export interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
}

/** Decodes the claims without checking anything (used to find the org before verifying). */
export function peekClaims(assertion: string): JwtClaims | null {
  const parts = assertion.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as JwtClaims) : null;
  } catch {
    return null;
  }
}

/** True when the assertion is an RS256 JWT signed by the key matching `publicKeyPem`. */
export function verifyRs256(assertion: string, publicKeyPem: string): boolean {
  const [header, payload, signature] = assertion.split('.');
  if (!header || !payload || !signature) return false;
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: string }).alg;
    if (alg !== 'RS256') return false;
    return verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      createPublicKey(publicKeyPem),
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    return false;
  }
}
