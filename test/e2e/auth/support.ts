import crypto from 'node:crypto';
import { type CreateAccessTokenInput, CreateAccessTokenDocument } from '../generated/operations';
import { request } from '../support/gateway';
import { type KeyRing } from '../../../src/security/credentials-cipher';
import { type AccessTokenGrant, mintAccessToken } from '../../../src/security/access-tokens/access-token';
import { AccessTokenKeys } from '../../../src/security/access-tokens/signing-keys';

/** Mints through the API with `key`; the test fails with the errors when minting does. */
export async function mint(
  url: string,
  key: string,
  input: Partial<CreateAccessTokenInput> & Pick<CreateAccessTokenInput, 'connectionIds'>,
): Promise<string> {
  const res = await request(
    url,
    CreateAccessTokenDocument,
    { input: { scope: 'READ', objects: ['CONTACT', 'DEAL'], subject: 'user-1', ...input } },
    { key },
  );
  if (!res.body.data) throw new Error(`createAccessToken failed: ${res.text}`);
  return res.body.data.createAccessToken.token;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function partsOf(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
  };
}

/**
 * Bad tokens as an attacker (or a clock) makes them from a good one: each must be refused with 401 /
 * close 4401. `ring` is the gateway's key ring, for the ones that are correctly signed yet invalid.
 */
export function forgedTokens(good: string, ring: KeyRing, grant: AccessTokenGrant): [string, string][] {
  const { header, payload } = partsOf(good);
  const keys = new AccessTokenKeys(ring);
  const signWithOurs = (h: Record<string, unknown>, p: Record<string, unknown>) => {
    const input = `${b64(h)}.${b64(p)}`;
    return `${input}.${crypto.sign(null, Buffer.from(input), keys.current().privateKey).toString('base64url')}`;
  };
  const sig = good.split('.')[2]!;
  const publicPem = keys.verifier(String(header.kid))!.key.export({ format: 'pem', type: 'spki' });
  const hsInput = `${b64({ ...header, alg: 'HS256' })}.${b64(payload)}`;
  return [
    [
      'tampered (a connection added)',
      `${b64(header)}.${b64({ ...payload, cids: [...(payload.cids as string[]), '64b0000000000000000000ff'] })}.${sig}`,
    ],
    ['expired', mintAccessToken(keys, grant, 60, Date.now() - 120_000).token],
    ['of an unknown kid', signWithOurs({ ...header, kid: 'rotated-away' }, payload)],
    ['of another issuer', signWithOurs(header, { ...payload, iss: 'https://idp.example' })],
    ['with alg none', `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`],
    [
      'HS256 keyed with our public key',
      `${hsInput}.${crypto.createHmac('sha256', publicPem).update(hsInput).digest('base64url')}`,
    ],
  ];
}
