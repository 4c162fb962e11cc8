import crypto from 'node:crypto';
import {
  type IdentityProviderConfig,
  identityProviderProblems,
  verifyExternalToken,
} from '../../../src/security/access-tokens/identity-provider';
import { parseJws } from '../../../src/security/access-tokens/jws';

/** An identity provider's tokens mapped through its claim names, with key pairs generated here. */
const NOW = Date.UTC(2026, 0, 1);
const ed = crypto.generateKeyPairSync('ed25519');
const config: IdentityProviderConfig = {
  tenantId: 't1',
  keyId: 'k1',
  issuer: 'https://idp.example',
  audience: 'gw',
  jwks: { keys: [{ ...ed.publicKey.export({ format: 'jwk' }), kid: 'ed-1', alg: 'EdDSA' }] },
  claims: { scope: 'perm', connectionIds: 'conns', objects: 'objs', subject: 'email' },
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
function token(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'EdDSA', kid: 'ed-1' },
) {
  const payload = { iss: config.issuer, aud: ['other', 'gw'], exp: NOW / 1000 + 60, ...claims };
  const input = `${b64(header)}.${b64(payload)}`;
  return parseJws(`${input}.${crypto.sign(null, Buffer.from(input), ed.privateKey).toString('base64url')}`);
}

describe('identity provider tokens', () => {
  it('map the configured claims (space-separated or lists, any case) onto a grant of the registering key', () => {
    const parsed = token({ perm: 'READ_WRITE', conns: 'c1 c2', objs: ['DEAL'], email: 'a@b.example' });
    expect(verifyExternalToken(config, parsed, NOW)).toEqual({
      tenantId: 't1',
      keyId: 'k1',
      scope: 'read_write',
      connectionIds: ['c1', 'c2'],
      objects: ['deal'],
      subject: 'a@b.example',
      expiresAt: NOW + 60_000,
      kid: 'ed-1',
    });
  });

  it('refuse tokens whose claims do not say what is needed', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ perm: 'admin', conns: ['c1'] }, 'must be read or read_write'],
      [{ perm: 'read', conns: [] }, 'lists no connection'],
      [{ perm: 'read', conns: ['c1'], objs: ['account'] }, 'must list CONTACT and/or DEAL'],
      [{ perm: 'read', conns: ['c1'], aud: 'gw2' }, 'audience is not the configured one'],
      [{ perm: 'read', conns: ['c1'], iss: 'https://evil.example' }, 'issuer is not the configured one'],
      [{ perm: 'read', conns: ['c1'], exp: NOW / 1000 }, 'has expired'],
      [{ perm: 'read', conns: ['c1'], nbf: NOW / 1000 + 600 }, 'not valid yet'],
    ];
    for (const [claims, message] of cases) {
      expect(() => verifyExternalToken(config, token(claims), NOW)).toThrow(message);
    }
    expect(() =>
      verifyExternalToken(config, token({ perm: 'read', conns: ['c1'] }, { alg: 'none', kid: 'ed-1' }), NOW),
    ).toThrow(`alg "none" is not this key's (EdDSA)`);
  });

  it('are configured with public, algorithm-pinned keys only', () => {
    const { issuer, audience, claims } = config;
    const problems = (keys: Record<string, unknown>[]) =>
      identityProviderProblems({ issuer, audience, claims, jwks: { keys } }).join(' | ');
    expect(problems(config.jwks.keys)).toBe('');
    expect(problems([{ ...ed.privateKey.export({ format: 'jwk' }), kid: 'x', alg: 'EdDSA' }])).toContain(
      'only public keys',
    );
    expect(problems([{ kty: 'oct', k: 'c2VjcmV0', kid: 'h', alg: 'HS256' }])).toContain('alg must be one of');
    expect(problems([{ ...ed.publicKey.export({ format: 'jwk' }), kid: 'x', alg: 'RS256' }])).toContain(
      'has kty RSA',
    );
    expect(problems([{ ...ed.publicKey.export({ format: 'jwk' }), alg: 'EdDSA' }])).toContain('needs a kid');
    expect(identityProviderProblems({ ...config, issuer: 'http://plain.example' })).toContain(
      'issuer must be an https:// URL',
    );
  });
});
