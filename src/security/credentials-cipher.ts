import crypto from 'node:crypto';

/**
 * Credentials at rest: AES-256-GCM with a random 96-bit IV per write and the owning record's id
 * (e.g. the connection id) as additional authenticated data, so a ciphertext copied onto another
 * connection fails to decrypt instead of silently handing one tenant's tokens to another.
 *
 * Each ciphertext names the key that wrote it (`kid`). New writes use the ring's current key; older
 * keys stay in the ring to decrypt until `npm run admin -- credentials:reencrypt` has moved everything.
 */

export interface EncryptedBlob {
  /** Key id of the key that encrypted this blob. */
  kid: string;
  /** base64 of the 12-byte IV. */
  iv: string;
  /** base64 of the 16-byte GCM tag. */
  tag: string;
  /** base64 of the ciphertext. */
  data: string;
}

export class CredentialsKeyError extends Error {
  override name = 'CredentialsKeyError';
}
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

const KEY_BYTES = 32;
const IV_BYTES = 12;

export class KeyRing {
  private readonly keys: Map<string, Buffer>;
  /** Key id used for new writes. */
  readonly currentKid: string;

  constructor(keys: ReadonlyArray<{ kid: string; key: Buffer }>) {
    if (keys.length === 0) throw new CredentialsKeyError('the credentials key ring is empty');
    this.keys = new Map();
    for (const { kid, key } of keys) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) {
        throw new CredentialsKeyError(`key id must be 1-32 of [A-Za-z0-9_-], got ${JSON.stringify(kid)}`);
      }
      if (key.length !== KEY_BYTES) {
        throw new CredentialsKeyError(`key ${kid} must be ${KEY_BYTES} bytes, got ${key.length}`);
      }
      if (this.keys.has(kid)) throw new CredentialsKeyError(`key id ${kid} appears twice`);
      this.keys.set(kid, key);
    }
    this.currentKid = keys[0].kid;
  }

  /** Parses `kid:base64key[,kid:base64key…]` (the CREDENTIALS_KEYS format); the first key is current. */
  static parse(spec: string): KeyRing {
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((entry) => {
        const idx = entry.indexOf(':');
        if (idx <= 0) throw new CredentialsKeyError('each key must look like kid:base64key');
        return { kid: entry.slice(0, idx), key: Buffer.from(entry.slice(idx + 1), 'base64') };
      });
    return new KeyRing(entries);
  }

  /** A fresh random key in the CREDENTIALS_KEYS format. */
  static generateSpec(kid = `k${Date.now().toString(36)}`): string {
    return `${kid}:${crypto.randomBytes(KEY_BYTES).toString('base64')}`;
  }

  /**
   * A key for another purpose (e.g. signing OAuth state), derived from the current key with HKDF so
   * every process of a deployment agrees on it without one more secret to distribute.
   */
  deriveKey(purpose: string, bytes = 32): Buffer {
    return this.deriveKeyOf(this.currentKid, purpose, bytes)!;
  }

  /**
   * The `purpose` key derived from the ring's key `kid`, or null when the ring has no such key: what
   * was sealed under an older key opens while that key stays in the ring, and stops opening once it is
   * dropped.
   */
  deriveKeyOf(kid: string, purpose: string, bytes = 32): Buffer | null {
    const key = this.keys.get(kid);
    if (!key) return null;
    return Buffer.from(crypto.hkdfSync('sha256', key, Buffer.alloc(0), `crm-gateway:${purpose}`, bytes));
  }

  has(kid: string): boolean {
    return this.keys.has(kid);
  }

  encrypt(plaintext: string, aad: string): EncryptedBlob {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.keys.get(this.currentKid)!, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      kid: this.currentKid,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  decrypt(blob: EncryptedBlob, aad: string): string {
    const key = this.keys.get(blob.kid);
    if (!key)
      throw new DecryptionError(
        `no key with id ${blob.kid} in the key ring (was it removed before re-encryption?)`,
      );
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(blob.iv, 'base64'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(blob.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(blob.data, 'base64')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      // Deliberately vague: a tampered blob, a blob of another record and a wrong key look the same.
      throw new DecryptionError(
        'credentials failed authentication (tampered, or belonging to another record)',
      );
    }
  }

  encryptJson(value: unknown, aad: string): EncryptedBlob {
    return this.encrypt(JSON.stringify(value), aad);
  }

  decryptJson<T>(blob: EncryptedBlob, aad: string): T {
    return JSON.parse(this.decrypt(blob, aad)) as T;
  }
}
