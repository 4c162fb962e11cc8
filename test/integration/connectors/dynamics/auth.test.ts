import { InvalidGrantError } from '../../../../src/connectors/tokens/oauth2-client';
import { webApiRequest } from '../../../../src/connectors/dynamics/webapi';
import { type DynamicsHarness, startHarness } from './harness';

describe('Dynamics connector auth against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 3, opportunity: 1, account: 1 });
  });
  afterAll(() => h.close());

  const api = () => h.api();

  it('gets an application token with the scope derived from the environment URL, and calls the Web API with it', async () => {
    const grant = await h.oauth.clientCredentials();
    expect(grant.refreshToken).toBeUndefined();
    expect(grant.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    const claims = JSON.parse(Buffer.from(grant.accessToken.split('.')[1], 'base64url').toString()) as {
      aud: string;
    };
    expect(claims.aud).toBe(h.live.baseUrl.toLowerCase());
    const res = await webApiRequest<{ value: unknown[] }>(api(), { method: 'GET', resource: 'contacts' });
    expect(res.body.value).toHaveLength(3);
  });

  it('fetches a new token after Dataverse rejects one (401), and the call succeeds', async () => {
    const before = h.tokens.fetched;
    await h.tokens.get();
    (h.tokens as unknown as { current: { value: string } }).current.value = 'expired.or.foreign';
    const res = await webApiRequest<{ value: unknown[] }>(api(), { method: 'GET', resource: 'contacts' });
    expect(res.status).toBe(200);
    expect(h.tokens.fetched).toBeGreaterThan(before);
  });

  it('runs the authorization-code flow with offline access, refreshes, and reports a dead grant', async () => {
    const authorize = new URL(h.oauth.authorizeUrl('st-1'));
    expect(authorize.pathname).toMatch(/\/oauth2\/v2\.0\/authorize$/);
    expect(authorize.searchParams.get('scope')).toBe(`${h.live.baseUrl}/user_impersonation offline_access`);
    const redirect = await fetch(authorize, { redirect: 'manual' });
    const code = new URL(redirect.headers.get('location')!).searchParams.get('code')!;
    const grant = await h.oauth.exchangeCode(code);
    expect(grant.refreshToken).toBeTruthy();
    const refreshed = await h.oauth.refresh(grant.refreshToken!);
    expect(refreshed.accessToken).not.toBe(grant.accessToken);
    await expect(h.oauth.exchangeCode(code)).rejects.toBeInstanceOf(InvalidGrantError);
  });
});
