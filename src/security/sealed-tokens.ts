import crypto from 'node:crypto';
import { type KeyRing } from './credentials-cipher';

/**
 * Opaque tokens the gateway hands to clients and takes back (list cursors, write-operation cursors):
 * sealed with AES-256-GCM under a key derived from the credentials key ring for one purpose alone
 * (HKDF, `crm-gateway:<purpose>`), bound as additional authenticated data to whatever the caller says
 * the token is valid for (a tenant, a list, a filter). A client can neither read nor forge one, nor
 * replay one issued for another binding: {@link SealedTokens.open} then returns null.
 *
 * Format: `<format>.<kid>.<base64url(iv ‖ ciphertext ‖ tag)>`. Nothing server-side backs a token; it
 * stops opening when the ring key that sealed it is dropped.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedTokenOptions {
  /** HKDF purpose: tokens of different purposes never open as each other. */
  purpose: string;
  /** Version tag, the token's first segment (`c1`): a token of another format does not open. */
  format: string;
  /** Longest token opened at all: refused before any work. */
  maxChars: number;
}

export class SealedTokens {
  private readonly keys = new Map<string, Buffer | null>();

  constructor(
    private readonly keyRing: KeyRing,
    private readonly options: SealedTokenOptions,
  ) {}

  get format(): string {
    return this.options.format;
  }

  get purpose(): string {
    return this.options.purpose;
  }

  seal(plain: Buffer, aad: Buffer): string {
    const kid = this.keyRing.currentKid;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key(kid)!, iv);
    cipher.setAAD(aad);
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${this.options.format}.${kid}.${sealed.toString('base64url')}`;
  }

  /** The plaintext, or null for anything but a token this purpose sealed with exactly `aad`. */
  open(token: string, aad: Buffer): Buffer | null {
    if (token.length > this.options.maxChars) return null;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== this.options.format) return null;
    const key = this.key(parts[1]!);
    const sealed = Buffer.from(parts[2]!, 'base64url');
    // Only the canonical encoding: Node's decoder skips stray characters and trailing bits, so another
    // spelling of the same bytes would otherwise open too.
    if (!key || sealed.length < IV_BYTES + TAG_BYTES + 2 || sealed.toString('base64url') !== parts[2])
      return null;
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      return null;
    }
  }

  /** The purpose key derived from ring key `kid`, memoised (null: the ring has no such key). */
  private key(kid: string): Buffer | null {
    if (!this.keys.has(kid)) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) return null;
      this.keys.set(kid, this.keyRing.deriveKeyOf(kid, this.options.purpose));
    }
    return this.keys.get(kid) ?? null;
  }
}
