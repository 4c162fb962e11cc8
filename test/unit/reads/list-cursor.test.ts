import crypto from 'node:crypto';
import { type CursorBinding, ListCursorSeal, MAX_CURSOR_CHARS } from '../../../src/reads/list-cursor';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { BadUserInputError } from '../../../src/errors';

const key = (n: number) => ({ kid: `k${n}`, key: Buffer.alloc(32, n) });
const binding: CursorBinding = { tenantId: 't1', connectionId: 'c1', object: 'contact', filter: 'none' };
const position = { v: 'vendor-state', s: 3, p: 25 };

describe('ListCursorSeal', () => {
  const seal = new ListCursorSeal(new KeyRing([key(1)]));

  it('opens what it sealed, for the list it was sealed for', () => {
    const cursor = seal.seal(position, binding);
    expect(seal.open(cursor, binding)).toEqual(position);
    expect(seal.open(seal.seal({ v: null, s: 0, p: 1 }, binding), binding)).toEqual({ v: null, s: 0, p: 1 });
    // Opaque: nothing of the vendor state shows.
    expect(cursor).not.toContain('vendor');
    expect(Buffer.from(cursor.split('.')[2]!, 'base64url').toString('latin1')).not.toContain('vendor');
  });

  it.each([
    ['another tenant', { tenantId: 't2' }],
    ['another connection', { connectionId: 'c2' }],
    ['another object', { object: 'deal' as const }],
    ['another filter', { filter: 'abc' }],
  ])('refuses a cursor used for %s', (_what, change) => {
    const cursor = seal.seal(position, binding);
    expect(() => seal.open(cursor, { ...binding, ...change })).toThrow(BadUserInputError);
    expect(() => seal.open(cursor, { ...binding, ...change })).toThrow(/does not belong to this list/);
  });

  it('refuses another spelling of the same bytes (a stray character, trailing bits)', () => {
    const cursor = seal.seal(position, binding);
    for (const other of [
      cursor + 'A',
      cursor + '=',
      cursor.replace(/\.(.)/g, '.$1 ').replace(/ $/, ''),
      cursor + '\n',
    ]) {
      expect(() => seal.open(other, binding)).toThrow(BadUserInputError);
    }
  });

  it('refuses every single-bit change of a cursor', () => {
    const cursor = seal.seal(position, binding);
    const bytes = Buffer.from(cursor, 'utf8');
    let refused = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      for (let bit = 0; bit < 8; bit += 1) {
        const flipped = Buffer.from(bytes);
        flipped[i]! ^= 1 << bit;
        const text = flipped.toString('utf8');
        try {
          seal.open(text, binding);
        } catch (err) {
          expect(err).toBeInstanceOf(BadUserInputError);
          refused += 1;
        }
      }
    }
    expect(refused).toBe(bytes.length * 8);
  });

  it('refuses forged, older-format and oversized cursors', () => {
    const forged = [
      '',
      'bogus',
      Buffer.from(JSON.stringify({ v: null, s: 0, p: 2000 })).toString('base64url'),
      Buffer.from(JSON.stringify({ l: '?q=SELECT Id FROM User', s: 0 })).toString('base64url'),
      'c1.k1.',
      'c1.k9.' + crypto.randomBytes(40).toString('base64url'),
      'c1.k1.' + crypto.randomBytes(40).toString('base64url'),
      'c2.' + seal.seal(position, binding).slice(3),
      'c1.../..' + seal.seal(position, binding).slice(5),
      'x'.repeat(MAX_CURSOR_CHARS + 1),
    ];
    for (const cursor of forged) expect(() => seal.open(cursor, binding)).toThrow(BadUserInputError);
  });

  it('opens cursors of an older key while the ring keeps it, and none once it is dropped', () => {
    const old = new ListCursorSeal(new KeyRing([key(1)]));
    const cursor = old.seal(position, binding);
    const rotated = new ListCursorSeal(new KeyRing([key(2), key(1)]));
    expect(rotated.open(cursor, binding)).toEqual(position);
    expect(rotated.seal(position, binding)).toMatch(/^c1\.k2\./);
    const dropped = new ListCursorSeal(new KeyRing([key(2)]));
    expect(() => dropped.open(cursor, binding)).toThrow(BadUserInputError);
    // Another deployment's key with the same id opens nothing either.
    const other = new ListCursorSeal(new KeyRing([{ kid: 'k1', key: Buffer.alloc(32, 9) }]));
    expect(() => other.open(cursor, binding)).toThrow(BadUserInputError);
  });

  it('is derived for its purpose alone: not the credentials key, nor the OAuth state key', () => {
    const ring = new KeyRing([key(1)]);
    expect(ring.deriveKeyOf('k1', 'list-cursor')).not.toEqual(ring.deriveKey('oauth-state'));
    expect(ring.deriveKeyOf('k1', 'list-cursor')).not.toEqual(key(1).key);
    expect(ring.deriveKeyOf('nope', 'list-cursor')).toBeNull();
  });
});
