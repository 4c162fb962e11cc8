import crypto from 'node:crypto';
import { CredentialsKeyError, DecryptionError, KeyRing } from '../../../src/security/credentials-cipher';

const keyA = { kid: 'a', key: crypto.randomBytes(32) };
const keyB = { kid: 'b', key: crypto.randomBytes(32) };

describe('KeyRing (AES-256-GCM credentials at rest)', () => {
  it('round-trips JSON, with a fresh IV on every write', () => {
    const ring = new KeyRing([keyA]);
    const secret = { refreshToken: 'r-123', clientSecret: 's' };
    const one = ring.encryptJson(secret, 'conn1');
    const two = ring.encryptJson(secret, 'conn1');
    expect(one.iv).not.toEqual(two.iv);
    expect(one.data).not.toEqual(two.data);
    expect(Buffer.from(one.iv, 'base64')).toHaveLength(12);
    expect(ring.decryptJson(one, 'conn1')).toEqual(secret);
    expect(one.data).not.toContain('r-123');
  });

  it('rejects a ciphertext with one flipped byte', () => {
    const ring = new KeyRing([keyA]);
    const blob = ring.encrypt('top secret', 'conn1');
    const bytes = Buffer.from(blob.data, 'base64');
    bytes[3] ^= 0x01;
    expect(() => ring.decrypt({ ...blob, data: bytes.toString('base64') }, 'conn1')).toThrow(DecryptionError);
  });

  it('rejects a tampered tag or IV', () => {
    const ring = new KeyRing([keyA]);
    const blob = ring.encrypt('top secret', 'conn1');
    const tag = Buffer.from(blob.tag, 'base64');
    tag[0] ^= 0x80;
    expect(() => ring.decrypt({ ...blob, tag: tag.toString('base64') }, 'conn1')).toThrow(DecryptionError);
    const iv = Buffer.from(blob.iv, 'base64');
    iv[0] ^= 0x80;
    expect(() => ring.decrypt({ ...blob, iv: iv.toString('base64') }, 'conn1')).toThrow(DecryptionError);
  });

  it('refuses a ciphertext moved to another connection (the id is authenticated data)', () => {
    const ring = new KeyRing([keyA]);
    const blob = ring.encrypt('tenant A token', 'connA');
    expect(() => ring.decrypt(blob, 'connB')).toThrow(DecryptionError);
  });

  it('after rotation, decrypts old blobs and writes new ones under the current key', () => {
    const old = new KeyRing([keyA]);
    const blob = old.encrypt('x', 'c');
    const rotated = new KeyRing([keyB, keyA]);
    expect(rotated.currentKid).toBe('b');
    expect(rotated.decrypt(blob, 'c')).toBe('x');
    expect(rotated.encrypt('y', 'c').kid).toBe('b');
  });

  it('names the missing key when a blob was written under a key no longer in the ring', () => {
    const blob = new KeyRing([keyA]).encrypt('x', 'c');
    expect(() => new KeyRing([keyB]).decrypt(blob, 'c')).toThrow(/no key with id a/);
  });

  it('parses CREDENTIALS_KEYS and validates key sizes and ids', () => {
    const spec = `${KeyRing.generateSpec('new')},${KeyRing.generateSpec('old')}`;
    const ring = KeyRing.parse(spec);
    expect(ring.currentKid).toBe('new');
    expect(ring.has('old')).toBe(true);
    expect(() => KeyRing.parse('k:' + Buffer.alloc(16).toString('base64'))).toThrow(
      /must be 32 bytes, got 16/,
    );
    expect(() => KeyRing.parse('nocolon')).toThrow(CredentialsKeyError);
    expect(() => KeyRing.parse('')).toThrow(/empty/);
    expect(() => new KeyRing([keyA, { ...keyB, kid: 'a' }])).toThrow(/appears twice/);
  });
});
