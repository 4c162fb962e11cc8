import {
  defaultHooks,
  defaultIsRateLimited,
  extractVendorError,
} from '../../../../src/connectors/http/hooks';

const res = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers,
  text: typeof body === 'string' ? body : JSON.stringify(body),
  json: typeof body === 'string' ? undefined : body,
});
const NOW = Date.parse('2026-11-27T04:00:00Z');

describe('extractVendorError', () => {
  it.each([
    [
      'Salesforce array',
      [{ message: 'bad field', errorCode: 'INVALID_FIELD' }],
      'bad field',
      'INVALID_FIELD',
    ],
    [
      'HubSpot',
      { status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' },
      'resource not found',
      'OBJECT_NOT_FOUND',
    ],
    ['OData', { error: { code: '0x80040217', message: 'no row' } }, 'no row', '0x80040217'],
    ['OAuth', { error: 'invalid_grant', error_description: 'expired' }, 'expired', 'invalid_grant'],
    [
      'Zoho',
      { code: 'INVALID_TOKEN', message: 'invalid oauth token', status: 'error' },
      'invalid oauth token',
      'INVALID_TOKEN',
    ],
  ])('reads the %s shape', (_n, body, message, code) => {
    expect(extractVendorError(body)).toEqual({ message, code });
  });

  it('copes with nothing useful', () => {
    expect(extractVendorError(undefined)).toEqual({});
    expect(extractVendorError([])).toEqual({});
    expect(extractVendorError({ message: '' })).toEqual({ message: undefined, code: undefined });
  });
});

describe('defaultIsRateLimited', () => {
  it('reads a 429 with Retry-After as throttling', () => {
    expect(defaultIsRateLimited(res(429, {}, { 'retry-after': '3' }), NOW)).toEqual({
      kind: 'throttled',
      retryAfterMs: 3000,
    });
  });
  it("reads HubSpot's DAILY 429 and Salesforce's 403 REQUEST_LIMIT_EXCEEDED as an exhausted budget", () => {
    expect(defaultIsRateLimited(res(429, { policyName: 'DAILY', errorType: 'RATE_LIMIT' }), NOW)).toEqual({
      kind: 'budget_exhausted',
      retryAfterMs: null,
    });
    expect(defaultIsRateLimited(res(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }]), NOW)).toMatchObject({
      kind: 'budget_exhausted',
    });
  });
  it('leaves other 403s alone (a missing scope is not a rate limit)', () => {
    expect(defaultIsRateLimited(res(403, { category: 'MISSING_SCOPES' }), NOW)).toBeNull();
  });
});

describe('defaultHooks', () => {
  it('injects the declared scheme and maps statuses to typed errors', () => {
    const hooks = defaultHooks({ authScheme: 'Zoho-oauthtoken', requestIdHeader: 'X-Correlation-Id' });
    const headers: Record<string, string> = {};
    hooks.authorize(headers, { value: 'tok', expiresAt: null });
    expect(headers.authorization).toBe('Zoho-oauthtoken tok');
    const cases: [number, string][] = [
      [400, 'VALIDATION'],
      [401, 'AUTH_EXPIRED'],
      [403, 'UPSTREAM'],
      [404, 'NOT_FOUND'],
      [409, 'CONFLICT'],
      [412, 'CONFLICT'],
      [422, 'VALIDATION'],
      [429, 'RATE_LIMITED'],
      [500, 'UNAVAILABLE'],
      [503, 'UNAVAILABLE'],
      [418, 'UPSTREAM'],
    ];
    for (const [status, code] of cases) {
      const err = hooks.parseError(res(status, { message: 'm' }, { 'x-correlation-id': 'corr' }), {
        crm: 'zoho',
      });
      expect([status, err.code, err.vendorRequestId, err.crm]).toEqual([status, code, 'corr', 'zoho']);
    }
  });
});
