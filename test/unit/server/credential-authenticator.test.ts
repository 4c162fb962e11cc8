import crypto from 'node:crypto';
import { type Auth } from '../../../src/graphql/request-context';
import { mintAccessToken } from '../../../src/security/access-tokens/access-token';
import { AccessTokenKeys } from '../../../src/security/access-tokens/signing-keys';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { CredentialAuthenticator, type LiveApiKeys } from '../../../src/server/auth';

/**
 * API keys and access tokens behind one `authenticate`, with the key cache replaced by a table the
 * test edits (its own behaviour is tested against Redis in test/integration/server/api-key-cache.test.ts).
 */
describe('CredentialAuthenticator', () => {
  const keys = new AccessTokenKeys(new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]));
  const live = new Map<string, Auth>([['key1', { keyId: 'key1', tenantId: 't1', scope: 'read_write' }]]);
  let clock = Date.UTC(2026, 0, 1);
  const apiKeys: LiveApiKeys = {
    authenticate: async () => null,
    live: async (id) => live.get(id) ?? null,
    onChange: () => () => undefined,
    close: async () => undefined,
  };
  const auth = new CredentialAuthenticator({ keys: apiKeys, tokenKeys: keys, now: () => clock });
  const grant = {
    tenantId: 't1',
    keyId: 'key1',
    scope: 'read_write' as const,
    connectionIds: ['c1'],
    objects: ['deal' as const],
    subject: 'u1',
  };

  it('narrows the live key by the token, and follows the key scope and revocation on every call', async () => {
    const { token, expiresAt } = mintAccessToken(keys, grant, 60, clock);
    expect(await auth.authenticate(token)).toEqual({
      keyId: 'key1',
      tenantId: 't1',
      scope: 'read_write',
      token: {
        subject: 'u1',
        connectionIds: new Set(['c1']),
        objects: new Set(['deal']),
        expiresAt,
        kid: 'k',
        issuer: 'crm-gateway',
      },
    });
    live.set('key1', { keyId: 'key1', tenantId: 't1', scope: 'read' });
    expect((await auth.authenticate(token))?.scope).toBe('read');
    live.set('key1', { keyId: 'key1', tenantId: 'another', scope: 'read_write' });
    await expect(auth.authenticate(token)).rejects.toThrow('minted by an API key that is revoked');
    live.delete('key1');
    await expect(auth.authenticate(token)).rejects.toThrow('minted by an API key that is revoked');
    live.set('key1', { keyId: 'key1', tenantId: 't1', scope: 'read_write' });
  });

  it('expires a token it has already verified', async () => {
    const { token } = mintAccessToken(keys, grant, 60, clock);
    expect(await auth.authenticate(token)).not.toBeNull(); // verified and remembered
    clock += 60_000;
    await expect(auth.authenticate(token)).rejects.toThrow('invalid access token: the token has expired');
    await expect(auth.authenticate(token)).rejects.toThrow('invalid access token: the token has expired'); // verified again: still expired
  });

  it('answers null for what is neither an API key nor a JWT, and UNAUTHENTICATED for a bad JWT', async () => {
    expect(await auth.authenticate('not-a-credential')).toBeNull();
    await expect(auth.authenticate('e30.e30.')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
