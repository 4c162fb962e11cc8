import { CRMS } from '../../../src/connectors/registry';
import {
  type VendorUrlPolicy,
  NO_OVERRIDES,
  checkTokenApiBase,
  checkVendorUrlOverride,
  isAllowlisted,
  parseHttpUrl,
  resolveVendorHosts,
} from '../../../src/connectors/ssrf';

const SANDBOX: VendorUrlPolicy = {
  allowOverrides: true,
  allowlist: ['http://127.0.0.1:*', 'https://*.sandbox.example'],
};
const sf = CRMS.salesforce;
const hs = CRMS.hubspot;

describe('parseHttpUrl', () => {
  it.each([
    'file:///etc/passwd',
    'gopher://127.0.0.1:6379/_FLUSHALL',
    'ftp://login.salesforce.com/',
    'javascript:alert(1)',
    'data:text/plain,hi',
    'dict://127.0.0.1:11211/',
  ])('refuses the non-http scheme of %s', (raw) => {
    expect(() => parseHttpUrl(raw)).toThrow(/only http\(s\)/);
  });

  it.each([
    'https://login.salesforce.com@evil.example/',
    'https://user:pw@acme.my.salesforce.com',
    'https://:@evil.example',
  ])('refuses userinfo in %s', (raw) => {
    expect(() => parseHttpUrl(raw)).toThrow(/user info/);
  });

  it('refuses relative and garbage URLs', () => {
    expect(() => parseHttpUrl('/services/data')).toThrow(/absolute/);
    expect(() => parseHttpUrl('not a url')).toThrow(/absolute/);
  });

  it('refuses trailing-dot hosts', () => {
    expect(() => parseHttpUrl('https://acme.my.salesforce.com./')).toThrow(/dot/);
  });
});

describe('checkTokenApiBase (Salesforce instance_url)', () => {
  it.each([
    'https://acme.my.salesforce.com',
    'https://acme--dev.sandbox.my.salesforce.com/',
    'https://na1.salesforce.com',
    'https://ACME.MY.SALESFORCE.COM',
  ])('accepts %s', (raw) => {
    expect(checkTokenApiBase(sf, raw, NO_OVERRIDES)).toBe(new URL(raw).origin);
  });

  it.each([
    ['http://acme.my.salesforce.com', /not https/],
    ['https://acme.my.salesforce.com:8443', /port/],
    ['https://salesforce.com.evil.example', /not a Salesforce host/],
    ['https://evilsalesforce.com', /not a Salesforce host/],
    ['https://acme.my.salesforce.com.', /dot/],
    ['https://acme.my.salesforce.com@evil.example', /user info/],
    ['https://evil.example#.salesforce.com', /not a Salesforce host/],
    ['https://evil.example/?.salesforce.com', /not a Salesforce host/],
    ['https://evil.example\\.salesforce.com', /not a Salesforce host/],
    ['https://0.0.0.0', /not a Salesforce host/],
    ['https://127.1', /not a Salesforce host/],
    ['https://2130706433', /not a Salesforce host/],
    ['https://0x7f000001', /not a Salesforce host/],
    ['https://0177.0.0.1', /not a Salesforce host/],
    ['https://[::1]', /not a Salesforce host/],
    ['https://[::ffff:127.0.0.1]', /not a Salesforce host/],
    ['https://169.254.169.254', /not a Salesforce host/],
    ['https://localhost', /not a Salesforce host/],
    ['file:///etc/passwd', /http\(s\)/],
    ['', /expected a URL/],
  ])('refuses %s', (raw, why) => {
    expect(() => checkTokenApiBase(sf, raw, NO_OVERRIDES)).toThrow(why);
  });

  it('refuses a non-string', () => {
    expect(() => checkTokenApiBase(sf, 42, NO_OVERRIDES)).toThrow(/expected a URL, got 42/);
  });

  it('raises UPSTREAM for the Salesforce connection', () => {
    expect(() => checkTokenApiBase(sf, 'https://evil.example', NO_OVERRIDES)).toThrow(
      expect.objectContaining({ code: 'UPSTREAM', crm: 'salesforce' }),
    );
  });

  it('accepts a sandbox origin only when the operator allowlisted it', () => {
    expect(() => checkTokenApiBase(sf, 'http://127.0.0.1:5123', NO_OVERRIDES)).toThrow();
    expect(checkTokenApiBase(sf, 'http://127.0.0.1:5123', SANDBOX)).toBe('http://127.0.0.1:5123');
    // A sandbox standing for a company host by a path keeps it; query and fragment never pass.
    expect(checkTokenApiBase(sf, 'http://127.0.0.1:5123/c/acme/?x=1#y', SANDBOX)).toBe(
      'http://127.0.0.1:5123/c/acme',
    );
    expect(checkTokenApiBase(sf, 'https://acme.my.salesforce.com/c/acme', NO_OVERRIDES)).toBe(
      'https://acme.my.salesforce.com',
    );
    expect(() => checkTokenApiBase(sf, 'http://localhost:5123', SANDBOX)).toThrow();
  });

  it('refuses any host for a CRM whose token responses name none', () => {
    expect(() => checkTokenApiBase(hs, 'https://api.hubapi.com', NO_OVERRIDES)).toThrow(/does not name/);
  });
});

describe('vendor URL overrides', () => {
  it('are refused unless the operator enabled them', () => {
    expect(() => checkVendorUrlOverride('http://127.0.0.1:5000', NO_OVERRIDES)).toThrow(/disabled/);
    expect(() => checkVendorUrlOverride('http://127.0.0.1:5000', NO_OVERRIDES)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });

  it('are accepted for allowlisted origins', () => {
    expect(checkVendorUrlOverride('http://127.0.0.1:5000/', SANDBOX)).toBe('http://127.0.0.1:5000');
    expect(checkVendorUrlOverride('https://sf.sandbox.example/base', SANDBOX)).toBe(
      'https://sf.sandbox.example/base',
    );
  });

  it.each([
    'http://0.0.0.0:5000',
    'http://127.0.0.2:5000',
    'http://[::1]:5000',
    'http://169.254.169.254/latest/meta-data',
    'http://localhost:5000',
    'https://127.0.0.1:5000',
    'https://sandbox.example',
    'https://evil.example/sandbox.example',
    'https://sandbox.example.evil.example',
    'https://x.sandbox.example.',
    'http://127.0.0.1:5000@evil.example',
    'file:///etc/passwd',
  ])('refuse %s even with overrides on', (raw) => {
    expect(() => checkVendorUrlOverride(raw, SANDBOX)).toThrow();
  });

  it('see through IPv4 spellings the same way the socket does', () => {
    // All of these reach 127.0.0.1, which the sandbox policy allowlists: the guard must treat them
    // exactly like 127.0.0.1 (same answer), never as some other, unlisted host.
    for (const raw of [
      'http://127.1:9',
      'http://2130706433:9',
      'http://0x7f000001:9',
      'http://0177.0.0.1:9',
    ]) {
      expect(checkVendorUrlOverride(raw, SANDBOX)).toBe('http://127.0.0.1:9');
    }
    const strict: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:5000'] };
    expect(() => checkVendorUrlOverride('http://127.1:5001', strict)).toThrow(/not in VENDOR_URL_ALLOWLIST/);
  });

  it('accept another host of the vendor itself without the operator switch', () => {
    expect(resolveVendorHosts(sf, { auth: 'https://test.salesforce.com' }, NO_OVERRIDES)).toEqual({
      auth: 'https://test.salesforce.com',
      api: null,
    });
    expect(() => resolveVendorHosts(sf, { auth: 'http://test.salesforce.com' }, NO_OVERRIDES)).toThrow(
      /disabled/,
    );
  });

  it('default to the vendor hosts and refuse unknown keys', () => {
    expect(resolveVendorHosts(hs, {}, NO_OVERRIDES)).toEqual({
      auth: 'https://app.hubspot.com',
      api: 'https://api.hubapi.com',
    });
    expect(() => resolveVendorHosts(hs, { apii: 'http://127.0.0.1:1' }, SANDBOX)).toThrow(
      /unknown vendor URL key "apii"/,
    );
  });
});

describe('isAllowlisted', () => {
  it('matches scheme, host and port exactly unless wildcarded', () => {
    const list = ['https://a.example', 'http://b.example:8080', 'https://*.c.example:*'];
    expect(isAllowlisted(new URL('https://a.example/x'), list)).toBe(true);
    expect(isAllowlisted(new URL('https://a.example:444/x'), list)).toBe(false);
    expect(isAllowlisted(new URL('http://a.example/x'), list)).toBe(false);
    expect(isAllowlisted(new URL('http://b.example:8080'), list)).toBe(true);
    expect(isAllowlisted(new URL('http://b.example'), list)).toBe(false);
    expect(isAllowlisted(new URL('https://x.y.c.example:1'), list)).toBe(true);
    expect(isAllowlisted(new URL('https://c.example'), list)).toBe(false);
  });

  it('ignores malformed entries rather than matching everything', () => {
    expect(isAllowlisted(new URL('https://evil.example'), ['*', 'https://*', '', 'evil.example'])).toBe(
      false,
    );
  });
});

/**
 * The permanent SSRF table: every way of aiming our server (and a tenant's token) at itself, the
 * cloud metadata endpoint or a non-http scheme that an adversarial pass found. Each must be refused
 * both as the API base a token response names and as a connection's vendor URL override under a
 * strict allowlist. Add a row for every new trick; never remove one.
 */
const SSRF_TABLE: readonly (readonly [trick: string, url: string])[] = [
  ['loopback IPv4', 'https://127.0.0.1/'],
  ['localhost', 'https://localhost/'],
  ['loopback IPv6', 'https://[::1]/'],
  ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/'],
  ['decimal IPv4', 'https://2130706433/'],
  ['hex IPv4', 'https://0x7f000001/'],
  ['short IPv4', 'https://127.1/'],
  ['octal IPv4', 'https://0177.0.0.1/'],
  ['unspecified address', 'https://0.0.0.0/'],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
  ['cloud metadata, decimal', 'https://2852039166/'],
  ['private range', 'https://10.0.0.5/'],
  ['file scheme', 'file:///etc/passwd'],
  ['gopher scheme', 'gopher://127.0.0.1:6379/_FLUSHALL'],
  ['userinfo before a vendor-looking host', 'https://acme.my.salesforce.com@evil.example/'],
  ['vendor-looking userinfo', 'https://login.salesforce.com:x@127.0.0.1/'],
  ['empty userinfo', 'https://:@acme.my.salesforce.com/'],
  ['vendor host hidden in a fragment', 'https://evil.example#@acme.my.salesforce.com/'],
  ['vendor host hidden in a query', 'https://evil.example?@acme.my.salesforce.com/'],
  ['trailing dot', 'https://acme.my.salesforce.com./'],
  ['odd port on a vendor host', 'https://acme.my.salesforce.com:8443/'],
  ['odd port on loopback', 'https://127.0.0.1:6379/'],
  ['plain http to a vendor host', 'http://acme.my.salesforce.com/'],
  ['vendor name as a subdomain of another domain', 'https://acme.my.salesforce.com.evil.example/'],
];

describe('the SSRF table', () => {
  const strict: VendorUrlPolicy = { allowOverrides: true, allowlist: ['https://*.sandbox.example'] };

  it.each(SSRF_TABLE)('refuses %s as a token response API base (%s)', (_trick, url) => {
    expect(() => checkTokenApiBase(sf, url, NO_OVERRIDES)).toThrow(/refused/);
  });

  it.each(SSRF_TABLE)('refuses %s as a vendor URL override (%s)', (_trick, url) => {
    expect(() =>
      checkVendorUrlOverride(url, strict, 'Salesforce API URL', sf.tokenApiHost?.hostPattern),
    ).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }) as Error);
  });
});
