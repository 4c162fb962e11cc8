import crypto from 'node:crypto';
import { KeyRing } from '../../../src/security/credentials-cipher';
import {
  type AccessTokenGrant,
  mintAccessToken,
  verifyAccessToken,
} from '../../../src/security/access-tokens/access-token';
import { JwsError, parseJws, verifyJws } from '../../../src/security/access-tokens/jws';
import { AccessTokenKeys } from '../../../src/security/access-tokens/signing-keys';

/**
 * The signer and verifier of access tokens, with forged tokens built here the way an attacker would:
 * every refusal is asserted by its message, so a check that stopped running would fail its test.
 */
const NOW = Date.UTC(2026, 0, 1);
const grant: AccessTokenGrant = {
  tenantId: '64b000000000000000000001',
  keyId: '64b000000000000000000002',
  scope: 'read',
  connectionIds: ['64b000000000000000000003'],
  objects: ['contact'],
  subject: 'user-42',
};
const oldKey = crypto.randomBytes(32);
const ring = new KeyRing([
  { kid: 'new', key: crypto.randomBytes(32) },
  { kid: 'old', key: oldKey },
]);
const keys = new AccessTokenKeys(ring);

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function parts(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  sig: string;
} {
  const [h, p, sig] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    sig,
  };
}
/** Re-signs header and payload with the gateway's current private key (a correctly signed bad token). */
function signed(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${crypto.sign(null, Buffer.from(input), keys.current().privateKey).toString('base64url')}`;
}
const minted = () => mintAccessToken(keys, grant, 600, NOW).token;

describe('access tokens', () => {
  it('round-trips a grant, naming the current key and the expiry', () => {
    const { token, kid, expiresAt } = mintAccessToken(keys, grant, 600, NOW);
    expect(kid).toBe('new');
    expect(expiresAt).toBe(NOW + 600_000);
    expect(parts(token).header).toEqual({ typ: 'JWT', kid: 'new', alg: 'EdDSA' });
    expect(verifyAccessToken(keys, token, NOW + 1000)).toEqual({ ...grant, expiresAt, kid: 'new' });
  });

  it('verifies a token of an older ring key while the key stays in the ring, and not after', () => {
    const oldRing = new KeyRing([{ kid: 'old', key: oldKey }]); // before the rotation
    const token = mintAccessToken(new AccessTokenKeys(oldRing), grant, 600, NOW).token;
    expect(verifyAccessToken(keys, token, NOW).kid).toBe('old');
    const rotated = new AccessTokenKeys(new KeyRing([{ kid: 'new', key: crypto.randomBytes(32) }]));
    expect(() => verifyAccessToken(rotated, token, NOW)).toThrow('kid names no signing key');
  });

  it('refuses an expired token and one issued in the future', () => {
    expect(() => verifyAccessToken(keys, minted(), NOW + 600_000)).toThrow('has expired');
    expect(() => verifyAccessToken(keys, minted(), NOW - 120_000)).toThrow('issued in the future');
  });

  it('refuses a tampered payload (wider connections), header or signature', () => {
    const { header, payload, sig } = parts(minted());
    const wider = `${b64(header)}.${b64({ ...payload, cids: ['64b000000000000000000009'] })}.${sig}`;
    expect(() => verifyAccessToken(keys, wider, NOW)).toThrow('signature does not verify');
    const flipped = `${minted().slice(0, -4)}${sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    expect(() => verifyAccessToken(keys, flipped, NOW)).toThrow('signature does not verify');
    expect(() => verifyAccessToken(keys, `${b64(header)}.${b64(payload)}.`, NOW)).toThrow('signature');
  });

  it('refuses alg none, whatever else the token says', () => {
    const { header, payload } = parts(minted());
    const none = `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`;
    expect(() => verifyAccessToken(keys, none, NOW)).toThrow(`alg "none" is not this key's (EdDSA)`);
  });

  it('refuses HS256 signed with the public key as the HMAC secret (algorithm confusion)', () => {
    const { header, payload } = parts(minted());
    const hs = { ...header, alg: 'HS256' };
    const input = `${b64(hs)}.${b64(payload)}`;
    const publicPem = keys.verifier('new')!.key.export({ format: 'pem', type: 'spki' });
    const mac = crypto.createHmac('sha256', publicPem).update(input).digest('base64url');
    expect(() => verifyAccessToken(keys, `${input}.${mac}`, NOW)).toThrow(`alg "HS256" is not this key's`);
  });

  it('refuses an RS256 token signed by another key pair under our kid', () => {
    const { header, payload } = parts(minted());
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64({ ...header, alg: 'RS256' })}.${b64(payload)}`;
    const sig = crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url');
    expect(() => verifyAccessToken(keys, `${input}.${sig}`, NOW)).toThrow(`alg "RS256" is not this key's`);
  });

  it('refuses an EdDSA token signed by another key under our kid, and unknown kids', () => {
    const { header, payload } = parts(minted());
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    const input = `${b64(header)}.${b64(payload)}`;
    const sig = crypto.sign(null, Buffer.from(input), privateKey).toString('base64url');
    expect(() => verifyAccessToken(keys, `${input}.${sig}`, NOW)).toThrow('signature does not verify');
    expect(() => verifyAccessToken(keys, signed({ ...header, kid: 'nope' }, payload), NOW)).toThrow(
      'kid names no signing key',
    );
    expect(() => verifyAccessToken(keys, signed({ alg: 'EdDSA' }, payload), NOW)).toThrow('has no kid');
  });

  it('refuses a correctly signed token of another issuer or audience, or with bad claims', () => {
    const { header, payload } = parts(minted());
    const cases: [Record<string, unknown>, string][] = [
      [{ ...payload, iss: 'someone-else' }, 'issuer is not this gateway'],
      [{ ...payload, aud: 'another-api' }, 'audience is not this gateway'],
      [{ ...payload, exp: undefined }, 'no valid exp and iat'],
      [{ ...payload, scp: 'admin' }, 'scope is invalid'],
      [{ ...payload, objs: ['contact', 'account'] }, 'objs are invalid'],
      [{ ...payload, cids: 'all' }, 'cids must be a list of strings'],
      [{ ...payload, cids: [] }, 'connectionIds must list 1'],
      [{ ...payload, akid: { $ne: null } }, 'names no valid tenant and key'],
    ];
    for (const [claims, message] of cases) {
      expect(() => verifyAccessToken(keys, signed(header, claims), NOW)).toThrow(message);
    }
    expect(() => verifyAccessToken(keys, signed({ ...header, crit: ['x'] }, payload), NOW)).toThrow('"crit"');
    expect(() => verifyAccessToken(keys, signed({ ...header, typ: 'at+jwt+x' }, payload), NOW)).toThrow(
      'typ must be JWT',
    );
  });

  it('refuses what is not a compact JWS, without echoing it', () => {
    for (const bad of ['a.b', 'a.b.c.d', '!!.b.c', `${b64([1])}.${b64({})}.`, 'x'.repeat(9000)]) {
      let error: unknown;
      try {
        parseJws(bad);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(JwsError);
      expect((error as Error).message).not.toContain(bad.slice(0, 20));
    }
  });

  it('verifies ES256 and RS256 only with a key pinned to that algorithm', () => {
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const input = `${b64({ alg: 'ES256' })}.${b64({ sub: 'x' })}`;
    const sig = crypto.sign('sha256', Buffer.from(input), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    const parsed = parseJws(`${input}.${sig.toString('base64url')}`);
    expect(() => verifyJws(parsed, { alg: 'ES256', key: ec.publicKey })).not.toThrow();
    expect(() => verifyJws(parsed, { alg: 'RS256', key: ec.publicKey })).toThrow('is not this key');
  });
});
