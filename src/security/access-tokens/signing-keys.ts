import crypto from 'node:crypto';
import { type KeyRing } from '../credentials-cipher';
import { type PinnedKey } from './jws';

/**
 * Access-token signing keys: one Ed25519 key pair per key of the credentials key ring, its seed derived
 * from that key with HKDF. Tokens therefore rotate exactly like credentials: the ring's current key
 * signs (its id is the token's `kid`), every key still in the ring verifies, and a token signed under a
 * key dropped from the ring stops verifying. No second secret to distribute, and every process of a
 * deployment derives the same keys. Asymmetric, so the public keys could be published (`publicJwks`)
 * for a service that verifies tokens itself.
 */

const PURPOSE = 'access-token-ed25519';
/** PKCS#8 DER header of an Ed25519 private key, followed by the 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

interface SigningKey {
  kid: string;
  privateKey: crypto.KeyObject;
  verify: PinnedKey;
}

export class AccessTokenKeys {
  private readonly byKid = new Map<string, SigningKey | null>();

  constructor(private readonly ring: KeyRing) {}

  /** The key new tokens are signed with. */
  current(): SigningKey {
    return this.of(this.ring.currentKid)!;
  }

  /** The verification key of `kid` (EdDSA only), or null when the ring has no such key. */
  verifier(kid: string): PinnedKey | null {
    return this.of(kid)?.verify ?? null;
  }

  /** The public key of the current signing key as a JWK, for a service that verifies tokens itself. */
  publicJwk(): Record<string, unknown> {
    const { kid, verify } = this.current();
    return { ...verify.key.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' };
  }

  private of(kid: string): SigningKey | null {
    // Bounded by the ring: unknown kids are not remembered (a client chooses them).
    if (!this.ring.has(kid)) return null;
    let key = this.byKid.get(kid);
    if (key === undefined) {
      const seed = this.ring.deriveKeyOf(kid, PURPOSE, 32)!;
      const privateKey = crypto.createPrivateKey({
        key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
        format: 'der',
        type: 'pkcs8',
      });
      key = { kid, privateKey, verify: { alg: 'EdDSA', key: crypto.createPublicKey(privateKey) } };
      this.byKid.set(kid, key);
    }
    return key;
  }
}

const ofRing = new WeakMap<KeyRing, AccessTokenKeys>();

/** The process's one {@link AccessTokenKeys} of `ring` (derived keys are computed once per process). */
export function accessTokenKeysOf(ring: KeyRing): AccessTokenKeys {
  let keys = ofRing.get(ring);
  if (!keys) ofRing.set(ring, (keys = new AccessTokenKeys(ring)));
  return keys;
}
