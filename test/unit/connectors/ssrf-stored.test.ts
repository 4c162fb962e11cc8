import { CRMS } from '../../../src/connectors/registry';
import { NO_OVERRIDES, resolveVendorHosts, type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { BadUserInputError, ServerConfigError } from '../../../src/errors';

/**
 * The same refused vendor URL is the caller's error when the caller sent it, and the operator's when
 * it comes from a stored connection the configuration allowed when it was made.
 */
describe('resolveVendorHosts: whose error a refused override is', () => {
  const hs = CRMS.hubspot;
  const sandboxUrls = { auth: 'http://127.0.0.1:4101', api: 'http://127.0.0.1:4101' };
  const otherList: VendorUrlPolicy = { allowOverrides: true, allowlist: ['https://*.sandbox.example'] };

  it('is BAD_USER_INPUT for overrides in the request being served', () => {
    expect(() => resolveVendorHosts(hs, sandboxUrls, NO_OVERRIDES)).toThrow(BadUserInputError);
  });

  it.each([
    ['overrides off', NO_OVERRIDES, /ALLOW_VENDOR_URL_OVERRIDES=false.*overrides are disabled/],
    ['an allowlist without it', otherList, /VENDOR_URL_ALLOWLIST=https:\/\/\*\.sandbox\.example.*not in/],
  ])('is a ServerConfigError for a stored connection, with %s', (_what, policy, reason) => {
    let thrown: unknown;
    try {
      resolveVendorHosts(hs, sandboxUrls, policy, '65f0c0ffee0000000000beef');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ServerConfigError);
    const err = thrown as ServerConfigError;
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).not.toMatch(/127\.0\.0\.1|ALLOW_VENDOR_URL_OVERRIDES/);
    expect(err.operatorMessage).toMatch(/HubSpot connection 65f0c0ffee0000000000beef/);
    expect(err.operatorMessage).toMatch(reason);
  });

  it('resolves a stored connection the policy allows', () => {
    const policy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
    expect(resolveVendorHosts(hs, sandboxUrls, policy, '65f0c0ffee0000000000beef')).toEqual({
      auth: 'http://127.0.0.1:4101',
      api: 'http://127.0.0.1:4101',
    });
  });
});
