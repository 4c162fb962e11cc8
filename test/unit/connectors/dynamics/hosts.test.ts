import { type OAuthConnection } from '../../../../src/connectors/definition';
import { dynamicsDeclaration } from '../../../../src/connectors/dynamics/declaration';
import { tenantOf } from '../../../../src/connectors/dynamics/hosts';
import { applicationScope, dynamicsOAuth } from '../../../../src/connectors/dynamics/tokens';
import { NO_OVERRIDES, type VendorUrlPolicy, resolveVendorHosts } from '../../../../src/connectors/ssrf';
import { BadUserInputError } from '../../../../src/errors';

const TENANT = '7b0e4c21-5d3a-4e8f-9c61-2a4f8d9e0b11';
const SANDBOX = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };

/** A Dynamics connection's hosts as production checks them (`vendor-access.ts`). */
const dynamicsHosts = (vendorUrls: Record<string, string>, policy: VendorUrlPolicy) =>
  resolveVendorHosts(dynamicsDeclaration, vendorUrls, policy);

describe('Dynamics hosts (SSRF guard)', () => {
  it('accept a *.crm*.dynamics.com environment and the Entra authority on https without overrides', () => {
    for (const env of ['https://contoso.crm.dynamics.com', 'https://fabrikam.crm4.dynamics.com/']) {
      const hosts = dynamicsHosts(
        { auth: `https://login.microsoftonline.com/${TENANT}`, api: env },
        NO_OVERRIDES,
      );
      // The guard keeps a vendor host's origin: the directory is read from vendorUrls.auth (tenantOf).
      expect(hosts).toEqual({ auth: 'https://login.microsoftonline.com', api: env.replace(/\/$/, '') });
    }
  });

  it.each([
    'https://contoso.crm.dynamics.com.evil.example',
    'https://evil.example/contoso.crm.dynamics.com',
    'http://contoso.crm.dynamics.com',
    'https://contoso.crm.dynamics.com:8443',
    'https://a.b.crm.dynamics.com',
    'https://contoso.crm.dynamics.com@evil.example',
    'http://127.0.0.1:4000',
  ])('refuse %s as an environment URL unless the operator allowlisted it', (api) => {
    expect(() => dynamicsHosts({ api }, NO_OVERRIDES)).toThrow(BadUserInputError);
  });

  it('let an allowlisted sandbox origin through with overrides on, as for the other CRMs', () => {
    const hosts = dynamicsHosts(
      { auth: `http://127.0.0.1:4100/${TENANT}`, api: 'http://127.0.0.1:4100' },
      SANDBOX,
    );
    expect(hosts).toEqual({ auth: `http://127.0.0.1:4100/${TENANT}`, api: 'http://127.0.0.1:4100' });
    expect(tenantOf(hosts.auth)).toBe(TENANT);
  });

  it('require the environment URL and refuse unknown keys', () => {
    expect(() => dynamicsHosts({}, NO_OVERRIDES)).toThrow(/API URL \(vendorUrls\.api\)/);
    expect(() =>
      dynamicsHosts({ api: 'https://contoso.crm.dynamics.com', tenant: 'x' }, NO_OVERRIDES),
    ).toThrow(/unknown vendor URL key "tenant"/);
  });

  it('take the tenant as the one path segment of the authority, and nothing else', () => {
    expect(tenantOf(undefined)).toBe('organizations');
    expect(tenantOf('https://login.microsoftonline.com')).toBe('organizations');
    expect(tenantOf('https://login.microsoftonline.com/Contoso.onmicrosoft.com')).toBe(
      'contoso.onmicrosoft.com',
    );
    expect(() => tenantOf('https://login.microsoftonline.com/a/b')).toThrow(/got path "\/a\/b"/);
    expect(() => tenantOf('https://login.microsoftonline.com/x%2Fy')).toThrow(BadUserInputError);
  });
});

describe('Dynamics OAuth builders', () => {
  const connection = (auth?: string): OAuthConnection => ({
    hosts: { auth: 'https://login.microsoftonline.com', api: 'https://contoso.crm.dynamics.com' },
    vendorUrls: auth ? { auth } : {},
  });

  it('derive the scope from the environment: /.default for client credentials, delegated with offline access otherwise', () => {
    const c = connection(`https://login.microsoftonline.com/${TENANT}`);
    expect(dynamicsOAuth.tokenParams!('client_credentials', c)).toEqual({
      scope: applicationScope('https://contoso.crm.dynamics.com'),
    });
    expect(applicationScope('https://contoso.crm.dynamics.com')).toBe(
      'https://contoso.crm.dynamics.com/.default',
    );
    expect(dynamicsOAuth.tokenParams!('refresh_token', c)).toEqual({
      scope: 'https://contoso.crm.dynamics.com/user_impersonation offline_access',
    });
    expect(dynamicsOAuth.tokenUrl!(c)).toBe(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
    expect(dynamicsOAuth.authorizeUrl!(connection())).toBe(
      'https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize',
    );
  });

  it('refuse client credentials without a directory, and any grant without an environment', () => {
    expect(() => dynamicsOAuth.tokenParams!('client_credentials', connection())).toThrow(
      /need the directory/,
    );
    expect(() =>
      dynamicsOAuth.tokenParams!('authorization_code', {
        hosts: { auth: 'https://login.microsoftonline.com', api: null },
        vendorUrls: {},
      }),
    ).toThrow(/token scope is derived from it/);
  });
});
