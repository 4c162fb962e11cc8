import crypto from 'node:crypto';
import 'reflect-metadata';
import {
  ContactPageDocument,
  RegisterIdentityProviderDocument,
  RemoveIdentityProviderDocument,
  ViewerDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { mint } from './support';

jest.setTimeout(60_000);

/**
 * A tenant's own identity provider, with key pairs generated here (no network): its users' JWTs are
 * accepted as the registering key narrowed by their claims, and refused when forged, for another
 * audience, signed by a key not in the JWKS, or HS256 "signed" with the public key.
 */
let stack: ReadStack;
let t: ReadTenant;
let other: ReadTenant;
const ISSUER = `https://idp-${crypto.randomUUID()}.example`;
const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk = (key: crypto.KeyObject, kid: string, alg: string) => ({
  ...key.export({ format: 'jwk' }),
  kid,
  alg,
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT as the provider issues it: RS256 with `rsa-1` unless told otherwise. */
function idpToken(
  claims: Record<string, unknown>,
  sign: { alg: string; kid: string; key?: crypto.KeyObject; hmacKey?: string } = {
    alg: 'RS256',
    kid: 'rsa-1',
  },
): string {
  const payload = {
    iss: ISSUER,
    aud: 'crm-gateway-app',
    sub: 'auth0|user-5',
    exp: Math.floor(Date.now() / 1000) + 300,
    'https://app.example/scope': 'read',
    'https://app.example/connections': [t.connections.salesforce],
    ...claims,
  };
  const input = `${b64({ alg: sign.alg, kid: sign.kid, typ: 'JWT' })}.${b64(payload)}`;
  let sig: Buffer;
  if (sign.hmacKey) sig = crypto.createHmac('sha256', sign.hmacKey).update(input).digest();
  else if (sign.alg === 'ES256') {
    sig = crypto.sign('sha256', Buffer.from(input), {
      key: sign.key ?? ec.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
  } else sig = crypto.sign('sha256', Buffer.from(input), sign.key ?? rsa.privateKey);
  return `${input}.${sig.toString('base64url')}`;
}
const register = (key: string, issuer = ISSUER) =>
  request(
    stack.url,
    RegisterIdentityProviderDocument,
    {
      input: {
        issuer,
        audience: 'crm-gateway-app',
        jwks: { keys: [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')] },
        claims: { scope: 'https://app.example/scope', connectionIds: 'https://app.example/connections' },
      },
    },
    { key },
  );
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const contacts = (connectionId: string, token: string) =>
  request(stack.url, ContactPageDocument, { connectionId, first: 1 }, bearer(token));

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('idp'),
    orgs: {
      salesforce: [{ id: 'default', seed: 8, counts: { Contact: 2, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 8, counts: { contacts: 2, deals: 1 } }],
    },
  });
  t = await stack.tenant('idp');
  other = await stack.tenant('idp-other');
  const res = await register(t.key);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.registerIdentityProvider.keyIds).toEqual(['rsa-1', 'ec-1']);
});
afterAll(async () => {
  await stack?.close();
});

it("accepts the provider's tokens, narrowed to the connections its claim lists", async () => {
  const token = idpToken({});
  expect((await contacts(t.connections.salesforce, token)).body.errors).toBeUndefined();
  expect(
    (await contacts(t.connections.salesforce, idpToken({}, { alg: 'ES256', kid: 'ec-1' }))).body.errors,
  ).toBeUndefined();
  const refused = await contacts(t.connections.hubspot, token);
  expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  const viewer = await request(stack.url, ViewerDocument, undefined, bearer(token));
  expect(viewer.body.data!.viewer).toMatchObject({ tenant: { id: t.tenantId }, scope: 'read' });
});

it('refuses forged, foreign-audience, unknown-key, alg-confused and claim-less tokens with 401', async () => {
  const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const cases: [string, string][] = [
    ['signed by another key under a known kid', idpToken({}, { alg: 'RS256', kid: 'rsa-1', key: stranger })],
    ['for another audience', idpToken({ aud: 'another-app' })],
    ['expired', idpToken({ exp: Math.floor(Date.now() / 1000) - 10 })],
    ['of a kid not in the JWKS', idpToken({}, { alg: 'RS256', kid: 'rsa-2' })],
    ['HS256 keyed with the public key', idpToken({}, { alg: 'HS256', kid: 'rsa-1', hmacKey: publicPem })],
    ['ES256 header on the RSA key', idpToken({}, { alg: 'ES256', kid: 'rsa-1' })],
    ['without the scope claim', idpToken({ 'https://app.example/scope': undefined })],
    ['of an unregistered issuer', idpToken({ iss: 'https://unknown.example' })],
  ];
  for (const [label, token] of cases) {
    const res = await request(stack.url, ViewerDocument, undefined, bearer(token));
    expect({ label, status: res.status }).toEqual({ label, status: 401 });
  }
});

it('is registered by a read_write key only, one tenant per issuer, and checked before it is stored', async () => {
  const token = await mint(stack.url, t.key, {
    connectionIds: [t.connections.salesforce],
    scope: 'READ_WRITE',
  });
  expect((await register(token)).body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
  expect((await register(other.key)).body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  const privateJwk = await request(
    stack.url,
    RegisterIdentityProviderDocument,
    {
      input: {
        issuer: `https://priv-${crypto.randomUUID()}.example`,
        audience: 'a',
        jwks: { keys: [{ ...rsa.privateKey.export({ format: 'jwk' }), kid: 'p', alg: 'RS256' }] },
        claims: { scope: 's', connectionIds: 'c' },
      },
    },
    { key: other.key },
  );
  expect(privateJwk.body.errors?.[0]).toMatchObject({
    extensions: { code: 'BAD_USER_INPUT' },
    message: expect.stringContaining('only public keys'),
  });
});

it('stops accepting its tokens once it is removed, or its registering key is revoked', async () => {
  const second = await stack.tenant('idp-removed');
  const issuer = `https://idp-${crypto.randomUUID()}.example`;
  expect((await register(second.key, issuer)).body.errors).toBeUndefined();
  const token = idpToken({ iss: issuer, 'https://app.example/connections': [second.connections.hubspot] });
  expect((await request(stack.url, ViewerDocument, undefined, bearer(token))).status).toBe(200);
  await request(stack.url, RemoveIdentityProviderDocument, { issuer }, { key: second.key });
  await within(1000, async () => {
    expect((await request(stack.url, ViewerDocument, undefined, bearer(token))).status).toBe(401);
  });

  expect((await contacts(t.connections.salesforce, idpToken({}))).status).toBe(200);
  const keyId = (await stack.ctx.store.apiKeys.listForTenant(t.tenantId))[0]!.id;
  await stack.ctx.store.apiKeys.revoke(keyId);
  await within(1000, async () => {
    expect((await contacts(t.connections.salesforce, idpToken({}))).status).toBe(401);
  });
});
