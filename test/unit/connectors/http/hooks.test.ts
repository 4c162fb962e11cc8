import { type BudgetDeclaration } from '../../../../src/config/crms';
import { CRMS } from '../../../../src/connectors/registry';
import {
  defaultHooks,
  defaultIsRateLimited,
  extractVendorError,
  resetWaitFromHeaders,
} from '../../../../src/connectors/http/hooks';
import { hubspotHooks } from '../../../../src/connectors/hubspot/hooks';
import { salesforceHooks } from '../../../../src/connectors/salesforce/hooks';

// Vendor quirks live with each vendor; the default consults them (`isBudgetExhausted`).
const HS_EXHAUSTED = hubspotHooks.isBudgetExhausted;
const SF_EXHAUSTED = salesforceHooks.isBudgetExhausted;

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
    const daily = res(429, { policyName: 'DAILY', errorType: 'RATE_LIMIT' });
    expect(defaultIsRateLimited(daily, NOW, [], HS_EXHAUSTED)).toEqual({
      kind: 'budget_exhausted',
      retryAfterMs: null,
    });
    const limitExceeded = res(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(defaultIsRateLimited(limitExceeded, NOW, [], SF_EXHAUSTED)).toMatchObject({
      kind: 'budget_exhausted',
    });
    // Without the vendor's word, the default knows only 429 throttling.
    expect(defaultIsRateLimited(daily, NOW)).toMatchObject({ kind: 'throttled' });
    expect(defaultIsRateLimited(limitExceeded, NOW)).toBeNull();
  });
  it('leaves other 403s alone (a missing scope is not a rate limit)', () => {
    expect(defaultIsRateLimited(res(403, { category: 'MISSING_SCOPES' }), NOW, [], SF_EXHAUSTED)).toBeNull();
  });
});

describe('reset headers as the told wait', () => {
  const HS = CRMS.hubspot.budgets;
  const TEN_SECONDLY = { policyName: 'TEN_SECONDLY_ROLLING', errorType: 'RATE_LIMIT' };
  const hsHeaders = {
    'x-hubspot-ratelimit-interval-milliseconds': '10000',
    'x-hubspot-ratelimit-max': '100',
    'x-hubspot-ratelimit-remaining': '0',
  };
  /** A vendor whose two windows both state their reset, in seconds (the default unit). */
  const twoWindows: BudgetDeclaration[] = [
    {
      name: 'minute',
      scope: 'account',
      limit: 60,
      windowMs: 60_000,
      headers: { style: 'remaining', remaining: 'x-min-remaining', reset: 'x-min-reset' },
    },
    {
      name: 'hour',
      scope: 'account',
      limit: 1000,
      windowMs: 3_600_000,
      headers: { style: 'remaining', remaining: 'x-hour-remaining', reset: 'x-hour-reset', resetUnit: 's' },
    },
  ];

  it("takes HubSpot's X-HubSpot-RateLimit-Interval-Milliseconds (ms) on a TEN_SECONDLY_ROLLING 429", () => {
    expect(defaultIsRateLimited(res(429, TEN_SECONDLY, hsHeaders), NOW, HS)).toEqual({
      kind: 'throttled',
      retryAfterMs: 10_000,
    });
    // Through the hooks the declaration is handed to.
    expect(defaultHooks({ budgets: HS }).isRateLimited(res(429, TEN_SECONDLY, hsHeaders), NOW)).toEqual({
      kind: 'throttled',
      retryAfterMs: 10_000,
    });
  });

  it('prefers Retry-After, seconds or HTTP date', () => {
    expect(
      defaultIsRateLimited(res(429, TEN_SECONDLY, { ...hsHeaders, 'retry-after': '1' }), NOW, HS),
    ).toMatchObject({ retryAfterMs: 1000 });
    const date = new Date(NOW + 4000).toUTCString();
    expect(
      defaultIsRateLimited(res(429, TEN_SECONDLY, { ...hsHeaders, 'retry-after': date }), NOW, HS),
    ).toMatchObject({ retryAfterMs: 4000 });
  });

  it('gives an exhausted allocation only the reset of a budget shown spent', () => {
    const daily = { policyName: 'DAILY', errorType: 'RATE_LIMIT' };
    const burstLeft = { ...hsHeaders, 'x-hubspot-ratelimit-remaining': '40' };
    expect(defaultIsRateLimited(res(429, daily, burstLeft), NOW, HS, HS_EXHAUSTED)).toEqual({
      kind: 'budget_exhausted',
      retryAfterMs: null,
    });
  });

  it('reads seconds, milliseconds and epoch values, and the spent window first', () => {
    const headers = {
      'x-min-remaining': '0',
      'x-min-reset': '12',
      'x-hour-remaining': '500',
      'x-hour-reset': '1800',
    };
    expect(resetWaitFromHeaders(headers, NOW, twoWindows)).toBe(12_000);
    // Nothing shown spent: the longest stated wait.
    expect(resetWaitFromHeaders({ ...headers, 'x-min-remaining': '3' }, NOW, twoWindows)).toBe(1_800_000);
    expect(resetWaitFromHeaders({ ...headers, 'x-min-remaining': '3' }, NOW, twoWindows, true)).toBeNull();
    // An epoch in seconds under the same name.
    expect(
      resetWaitFromHeaders(
        { 'x-min-remaining': '0', 'x-min-reset': String(NOW / 1000 + 30) },
        NOW,
        twoWindows,
      ),
    ).toBe(30_000);
    expect(resetWaitFromHeaders({ 'x-min-reset': 'soon' }, NOW, twoWindows)).toBeNull();
    expect(resetWaitFromHeaders({}, NOW, twoWindows)).toBeNull();
    // Salesforce declares no reset header.
    expect(
      resetWaitFromHeaders({ 'sforce-limit-info': 'api-usage=5/5' }, NOW, CRMS.salesforce.budgets),
    ).toBeNull();
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

describe('HubSpot status quirks', () => {
  it('reads 423 (locked) and 477 (portal migrating) as passing unavailability; the default does not', () => {
    for (const status of [423, 477]) {
      expect(hubspotHooks.parseError!(res(status, { message: 'busy' }), { crm: 'hubspot' })).toMatchObject({
        code: 'UNAVAILABLE',
        status,
      });
      expect(defaultHooks().parseError(res(status, { message: 'busy' }), { crm: 'x' }).code).toBe('UPSTREAM');
    }
  });

  it('tells the retry policy that 423 and 477 were not applied; other statuses are left to HTTP', () => {
    for (const status of [423, 477]) expect(hubspotHooks.isNotApplied!(res(status, {}))).toBe(true);
    for (const status of [409, 429, 503]) expect(hubspotHooks.isNotApplied!(res(status, {}))).toBe(false);
    expect(defaultHooks().isNotApplied).toBeUndefined();
  });
});
