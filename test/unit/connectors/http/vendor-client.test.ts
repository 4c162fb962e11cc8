import net from 'node:net';
import nock from '../../../support/nock';
import { CRMS, CRM_DEFINITIONS } from '../../../../src/connectors/registry';
import { salesforceHooks } from '../../../../src/connectors/salesforce/hooks';
import { vendorHooks } from '../../../../src/connectors/vendor-access';
import {
  type AcquireOptions,
  type BudgetGate,
  type BudgetSelection,
  type BudgetWaitTally,
  type HttpTransport,
} from '../../../../src/connectors/http/http.types';
import { type VendorClientOptions, VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { operationDeadline } from '../../../../src/vendor-calls/deadline';
import { DEFAULT_RETRY_POLICY } from '../../../../src/connectors/http/retry-policy';
import { CrmNotFoundError, CrmRateLimitedError } from '../../../../src/errors';

import { RecordingBudget, RecordingTokens, rejection } from '../../../support/connector-doubles';

const API = 'https://api.vendor.test';

function client(over: Partial<VendorClientOptions> = {}) {
  const tokens = new RecordingTokens();
  const budget = new RecordingBudget();
  const slept: number[] = [];
  const http = new VendorHttpClient({
    crm: 'acme',
    baseUrl: API,
    tokens,
    budget,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
    },
    ...over,
  });
  return { http, tokens, budget, slept };
}

/**
 * A gate that makes every check after the first wait `waitMs` (as if the budget were just spent) and
 * refuses once the request's tally would pass `maxWaitMs` — the gate's rule, to see what the client
 * hands it across attempts.
 */
class WaitingBudget implements BudgetGate {
  tallies: BudgetWaitTally[] = [];
  /** The tally's total as each check began. */
  waitedBefore: number[] = [];
  acquired: (readonly string[] | undefined)[] = [];
  observed: (readonly string[] | undefined)[] = [];
  exhausted_: (readonly string[] | undefined)[] = [];
  gateSlept: number[] = [];

  constructor(
    private readonly waitMs: number,
    private readonly maxWaitMs = 2000,
  ) {}

  async acquire(_p: unknown, _c?: number, options: AcquireOptions = {}): Promise<void> {
    const tally = options.wait ?? { waitedMs: 0 };
    this.tallies.push(tally);
    this.waitedBefore.push(tally.waitedMs);
    this.acquired.push(options.budgets);
    if (this.tallies.length === 1) return;
    if (tally.waitedMs + this.waitMs > this.maxWaitMs) {
      throw new CrmRateLimitedError('budget', { crm: 'acme', retryAfterMs: this.waitMs });
    }
    this.gateSlept.push(this.waitMs);
    tally.waitedMs += this.waitMs;
  }

  async observe(_h: unknown, options: BudgetSelection = {}): Promise<void> {
    this.observed.push(options.budgets);
  }

  async exhausted(_ms: number, options: BudgetSelection = {}): Promise<void> {
    this.exhausted_.push(options.budgets);
  }

  async backOff(options: BudgetSelection): Promise<number> {
    this.exhausted_.push(options.budgets);
    return 1000;
  }

  async reopen(): Promise<void> {}

  async releaseProbe(): Promise<void> {}
}

describe('VendorHttpClient', () => {
  it('injects the token, gates on the budget and hands headers to the budget', async () => {
    nock(API, { reqheaders: { authorization: 'Bearer tok-1' } })
      .get('/v1/things')
      .query({ limit: '2' })
      .reply(200, { ok: true }, { 'x-ratelimit-remaining': '9', 'x-request-id': 'req-1' });
    const { http, budget } = client();
    const res = await http.request({
      method: 'GET',
      url: '/v1/things',
      query: { limit: 2, skip: undefined },
    });
    expect(res.body).toEqual({ ok: true });
    expect(res.requestId).toBe('req-1');
    expect(budget.acquired).toEqual(['interactive']);
    expect(budget.observed[0]['x-ratelimit-remaining']).toBe('9');
  });

  it('resolves relative URLs against the API base the token names', async () => {
    nock('https://acme.my.vendor.test')
      .get('/services/x')
      .reply(200, 'plain', { 'content-type': 'text/plain' });
    const { http, tokens } = client();
    tokens.current = { value: 'tok-1', expiresAt: null, apiBaseUrl: 'https://acme.my.vendor.test' };
    await expect(http.request({ method: 'GET', url: 'services/x' })).resolves.toMatchObject({
      body: 'plain',
    });
  });

  it('on 401 refreshes once and retries once with the new token', async () => {
    nock(API)
      .get('/me')
      .matchHeader('authorization', 'Bearer tok-1')
      .reply(401, [{ errorCode: 'INVALID_SESSION_ID' }]);
    nock(API).get('/me').matchHeader('authorization', 'Bearer tok-2').reply(200, { me: 1 });
    const { http, tokens } = client();
    await expect(http.request({ method: 'GET', url: '/me' })).resolves.toMatchObject({ body: { me: 1 } });
    expect(tokens.refreshes).toEqual(['tok-1']);
  });

  it('fails AUTH_EXPIRED when the refreshed token is rejected too (no second refresh)', async () => {
    nock(API).get('/me').twice().reply(401, { message: 'expired', category: 'EXPIRED_AUTHENTICATION' });
    const { http, tokens } = client();
    const err = await rejection(http.request({ method: 'GET', url: '/me' }));
    expect(err.code).toBe('AUTH_EXPIRED');
    expect(err.status).toBe(401);
    expect(tokens.refreshes).toHaveLength(1);
  });

  it('sleeps on a 429 for an interactive read, honouring Retry-After', async () => {
    nock(API).get('/x').reply(429, { message: 'slow down' }, { 'retry-after': '2' });
    nock(API).get('/x').reply(200, {});
    const { http, slept, budget } = client();
    await http.request({ method: 'GET', url: '/x' });
    expect(slept).toEqual([2000]);
    expect(budget.exhaustedFor).toEqual([2000]);
    expect(budget.acquired).toHaveLength(2);
  });

  it('throws RATE_LIMITED with retryAfterMs in background work instead of sleeping', async () => {
    nock(API).get('/x').reply(429, { message: 'slow down' }, { 'retry-after': '3' });
    const { http, slept } = client({ priority: 'background' });
    const err = await rejection(http.request({ method: 'GET', url: '/x' }));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(3000);
    expect(err.retryable).toBe(true);
    expect(slept).toEqual([]);
  });

  it('treats Salesforce 403 REQUEST_LIMIT_EXCEEDED as an exhausted budget, not a permission error', async () => {
    nock(API)
      .get('/q')
      .reply(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
    const { http, budget, slept } = client({ hooks: salesforceHooks });
    const err = await rejection(http.request({ method: 'GET', url: '/q' }));
    expect(err.code).toBe('RATE_LIMITED');
    // No word on when it comes back: the gate's probe schedule says when to try, not a fixed lockout.
    expect(err.retryAfterMs).toBe(budget.backOffMs);
    expect(budget.backedOff).toEqual([false]);
    expect(budget.exhaustedFor).toEqual([]);
    expect(slept).toEqual([]);
  });

  it('without a budget gate, an untold exhausted budget falls back on the policy’s budget wait', async () => {
    nock(API)
      .get('/q')
      .reply(403, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }]);
    const { http } = client({ hooks: salesforceHooks, budget: undefined });
    const err = await rejection(http.request({ method: 'GET', url: '/q' }));
    expect(err.retryAfterMs).toBe(DEFAULT_RETRY_POLICY.budgetExhaustedWaitMs);
  });

  it('bounds the budget wait of an interactive request across all its attempts, apart from retry sleeps', async () => {
    // Each budget check of a retry waits 1,500 ms: one such wait fits the gate's 2 s, two do not.
    nock(API).get('/x').times(2).reply(503, 'down');
    const budget = new WaitingBudget(1500);
    const { http, slept } = client({ budget });
    const err = await rejection(http.request({ method: 'GET', url: '/x' }));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(1500);
    // Every attempt was checked against one tally for the whole request...
    expect(budget.tallies).toHaveLength(3);
    expect(new Set(budget.tallies).size).toBe(1);
    expect(budget.waitedBefore).toEqual([0, 0, 1500]);
    expect(budget.gateSlept).toEqual([1500]);
    // ...while the retry sleeps after the 503s are the retry policy's, counted apart.
    expect(slept).toEqual([125, 250]);

    // The next request starts with a tally of its own.
    nock(API).get('/y').reply(200, {});
    await http.request({ method: 'GET', url: '/y' });
    expect(budget.waitedBefore[3]).toBe(0);
    expect(budget.tallies[3]).not.toBe(budget.tallies[0]);
  });

  it('draws on the budgets a request names, and corrects and blocks only those', async () => {
    nock(API).post('/search').reply(429, { message: 'You have reached your secondly limit.' });
    nock(API).post('/search').reply(200, { results: [] });
    nock(API).get('/plain').reply(200, {});
    const budget = new WaitingBudget(0);
    const { http } = client({ budget });
    await http.request({ method: 'POST', url: '/search', json: {}, idempotent: true, budgets: ['search'] });
    await http.request({ method: 'GET', url: '/plain' });
    expect(budget.acquired).toEqual([['search'], ['search'], undefined]);
    expect(budget.observed).toEqual([['search'], ['search'], undefined]);
    expect(budget.exhausted_).toEqual([['search']]);
  });

  describe('told waits from reset headers (HubSpot TEN_SECONDLY_ROLLING, no Retry-After)', () => {
    const TEN_SECONDLY = {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    };
    const HEADERS = {
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': '100',
      'x-hubspot-ratelimit-remaining': '0',
    };
    const hubspotHooks = () => ({ hooks: vendorHooks(CRM_DEFINITIONS.hubspot, CRMS.hubspot.budgets) });

    it('background work is told the interval and every caller is held back for it', async () => {
      nock(API).get('/x').reply(429, TEN_SECONDLY, HEADERS);
      const { http, budget, slept } = client({ ...hubspotHooks(), priority: 'background' });
      const err = await rejection(http.request({ method: 'GET', url: '/x' }));
      expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 10_000, vendorCode: 'THROTTLED' });
      expect(budget.exhaustedFor).toEqual([10_000]);
      expect(slept).toEqual([]);
    });

    it('an interactive read sleeps the interval (within its 10 s of retry sleeps) and retries', async () => {
      nock(API).get('/x').reply(429, TEN_SECONDLY, HEADERS);
      nock(API).get('/x').reply(200, { ok: 1 });
      const { http, slept } = client(hubspotHooks());
      await expect(http.request({ method: 'GET', url: '/x' })).resolves.toMatchObject({ body: { ok: 1 } });
      expect(slept).toEqual([10_000]);
    });

    it('Retry-After, when sent, wins over the interval', async () => {
      nock(API)
        .get('/x')
        .reply(429, TEN_SECONDLY, { ...HEADERS, 'retry-after': '2' });
      const { http } = client({ ...hubspotHooks(), priority: 'background' });
      await expect(rejection(http.request({ method: 'GET', url: '/x' }))).resolves.toMatchObject({
        retryAfterMs: 2000,
      });
    });

    it('a DAILY refusal is not told the burst interval: no reset stated, so the probe schedule', async () => {
      nock(API)
        .get('/x')
        .reply(
          429,
          { ...TEN_SECONDLY, message: 'You have reached your daily limit.', policyName: 'DAILY' },
          { ...HEADERS, 'x-hubspot-ratelimit-remaining': '57', 'x-hubspot-ratelimit-daily-remaining': '0' },
        );
      const { http } = client({ ...hubspotHooks(), priority: 'background' });
      await expect(rejection(http.request({ method: 'GET', url: '/x' }))).resolves.toMatchObject({
        code: 'RATE_LIMITED',
        vendorCode: 'BUDGET_EXHAUSTED',
        retryAfterMs: new RecordingBudget().backOffMs,
      });
    });

    it('without the budgets declared the hooks know no reset header (jittered backoff instead)', async () => {
      nock(API).get('/x').reply(429, TEN_SECONDLY, HEADERS);
      const { http } = client({ priority: 'background' });
      await expect(rejection(http.request({ method: 'GET', url: '/x' }))).resolves.toMatchObject({
        retryAfterMs: 125,
      });
    });
  });

  it('retries 5xx on reads with jittered backoff, then fails UNAVAILABLE', async () => {
    nock(API).get('/x').times(4).reply(503, 'down');
    const { http, slept } = client();
    const err = await rejection(http.request({ method: 'GET', url: '/x' }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(slept).toEqual([125, 250, 500]);
  });

  it('never resends a create whose outcome is unknown', async () => {
    const scope = nock(API).post('/things', { name: 'a' }).once().reply(502, 'bad gateway');
    const { http } = client();
    const err = await rejection(http.request({ method: 'POST', url: '/things', json: { name: 'a' } }));
    expect(scope.isDone()).toBe(true);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.details).toEqual({ outcomeUnknown: true });
  });

  it('resends a create the vendor refused with 429', async () => {
    nock(API).post('/things').reply(429, {}, { 'retry-after': '0' });
    nock(API).post('/things').reply(201, { id: '1' });
    const { http } = client();
    await expect(http.request({ method: 'POST', url: '/things', json: {} })).resolves.toMatchObject({
      status: 201,
    });
  });

  it('resends a create the vendor hooks call not applied (423); without the hook a 423 is final', async () => {
    nock(API).post('/things').reply(423, {});
    nock(API).post('/things').reply(201, { id: '1' });
    const { http } = client({ hooks: { isNotApplied: (res) => res.status === 423 } });
    await expect(http.request({ method: 'POST', url: '/things', json: {} })).resolves.toMatchObject({
      status: 201,
    });
    const scope = nock(API).post('/things').once().reply(423, {});
    const err = await rejection(client().http.request({ method: 'POST', url: '/things', json: {} }));
    expect([scope.isDone(), err.code]).toEqual([true, 'UPSTREAM']);
  });

  it('maps error statuses to typed errors with the vendor code and request id', async () => {
    nock(API).get('/c/1').reply(
      404,
      { status: 'error', message: 'resource not found', category: 'OBJECT_NOT_FOUND' },
      {
        'x-request-id': 'corr-9',
      },
    );
    const { http } = client();
    const err = await rejection(http.request({ method: 'GET', url: '/c/1' }));
    expect(err).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
      vendorCode: 'OBJECT_NOT_FOUND',
      vendorRequestId: 'corr-9',
    });
    expect(err.message).toContain('resource not found');
  });

  it('lets a connector override one hook and keep the rest', async () => {
    nock(API)
      .get('/x')
      .reply(400, { error: { code: '0x80040217', message: 'no such row' } });
    const { http } = client({ hooks: { parseError: (_res, extra) => new CrmNotFoundError('gone', extra) } });
    const err = await rejection(http.request({ method: 'GET', url: '/x' }));
    expect(err.code).toBe('NOT_FOUND');
  });

  describe('redirects', () => {
    it('keeps credentials on a same-origin redirect', async () => {
      nock(API).get('/a').reply(302, '', { location: '/b' });
      nock(API, { reqheaders: { authorization: 'Bearer tok-1' } })
        .get('/b')
        .reply(200, { b: 1 });
      const { http } = client();
      await expect(http.request({ method: 'GET', url: '/a' })).resolves.toMatchObject({ body: { b: 1 } });
    });

    it('drops credentials when a redirect leaves the host', async () => {
      nock(API).get('/a').reply(307, '', { location: 'https://evil.example/steal' });
      nock('https://evil.example', { badheaders: ['authorization'] })
        .get('/steal')
        .reply(200, {});
      const { http } = client();
      await http.request({ method: 'GET', url: '/a' });
    });

    it('drops credentials on a downgrade to http on the same host', async () => {
      nock(API).get('/a').reply(301, '', { location: 'http://api.vendor.test/a' });
      nock('http://api.vendor.test', { badheaders: ['authorization'] })
        .get('/a')
        .reply(200, {});
      const { http } = client();
      await http.request({ method: 'GET', url: '/a' });
    });

    it('refuses non-http redirect targets', async () => {
      nock(API).get('/a').reply(302, '', { location: 'file:///etc/passwd' });
      const { http } = client();
      const err = await rejection(http.request({ method: 'GET', url: '/a' }));
      expect(err.code).toBe('UPSTREAM');
      expect(err.message).toContain('non-http');
    });

    it('stops redirect loops', async () => {
      nock(API).get('/a').times(3).reply(302, '', { location: '/a' });
      const { http } = client({ maxRedirects: 2 });
      const err = await rejection(http.request({ method: 'GET', url: '/a' }));
      expect(err.message).toContain('more than 2 times');
    });
  });

  describe('network failures', () => {
    let closedPort: number;
    beforeAll(async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      closedPort = (server.address() as net.AddressInfo).port;
      await new Promise((resolve) => server.close(resolve));
      // A real refused socket, so nock steps aside (its fetch interceptor cannot pass a POST body through).
      nock.restore();
    });
    afterAll(() => nock.activate());

    it('resends even a create when the connection was refused (it never left)', async () => {
      const { http, slept } = client({ baseUrl: `http://127.0.0.1:${closedPort}` });
      const err = await rejection(http.request({ method: 'POST', url: '/things', json: {} }));
      expect(err.code).toBe('UNAVAILABLE');
      expect(err.message).toContain('ECONNREFUSED');
      expect(err.details).toMatchObject({ outcomeUnknown: false, attempts: 4 });
      expect(slept).toHaveLength(3);
    });
  });

  it('takes an injected transport and times a hung attempt out as outcome-unknown', async () => {
    const seen: string[] = [];
    const hanging: HttpTransport = (req) =>
      new Promise((_resolve, reject) => {
        seen.push(`${req.method} ${req.url}`);
        req.signal?.addEventListener('abort', () => reject(req.signal?.reason));
      });
    const { http } = client({ transport: hanging, timeoutMs: 50 });
    const err = await rejection(http.request({ method: 'POST', url: '/slow', json: {} }));
    expect(seen).toEqual(['POST https://api.vendor.test/slow']);
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('TimeoutError');
    expect(err.details).toMatchObject({ outcomeUnknown: true });
  });

  it('reports each attempt to onCall', async () => {
    nock(API).get('/x').reply(500, 'x');
    nock(API).get('/x').reply(200, {});
    const events: unknown[] = [];
    const { http } = client({ onCall: (e) => events.push(e) });
    await http.request({ method: 'GET', url: '/x' });
    expect(events).toMatchObject([
      { crm: 'acme', method: 'GET', status: 500 },
      { crm: 'acme', method: 'GET', status: 200 },
    ]);
  });
});

describe('VendorHttpClient budget probes', () => {
  const LIMIT_EXCEEDED = [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }];
  const PROBE = { method: 'GET' as const, url: '/v1/limits' };

  it('sends the vendor’s cheap probe first on a probe slot, reopens the budget from its headers, then the request', async () => {
    const order: string[] = [];
    nock(API)
      .get('/v1/limits')
      .reply(200, () => (order.push('probe'), {}), { 'sforce-limit-info': 'api-usage=40/1000' })
      .get('/v1/records')
      .reply(200, () => (order.push('records'), { ok: true }));
    const { http, budget } = client({ hooks: { budgetProbe: PROBE } });
    budget.grants = ['probe'];
    const res = await http.request({ method: 'GET', url: '/v1/records' });
    expect(res.body).toEqual({ ok: true });
    expect(order).toEqual(['probe', 'records']);
    expect(budget.reopened).toEqual([expect.objectContaining({ 'sforce-limit-info': 'api-usage=40/1000' })]);
    expect(budget.backedOff).toEqual([]);
    // The request itself was admitted afresh after the reopen; the probe took no budget of its own.
    expect(budget.acquired).toHaveLength(2);
  });

  it('a refused probe moves the schedule on and the request is not sent', async () => {
    const scope = nock(API).get('/v1/limits').reply(403, LIMIT_EXCEEDED);
    const { http, budget, slept } = client({ hooks: { ...salesforceHooks, budgetProbe: PROBE } });
    budget.grants = ['probe'];
    budget.backOffMs = 4000;
    const err = await rejection(http.request({ method: 'GET', url: '/v1/records' }));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 4000 });
    expect(budget.backedOff).toEqual([true]);
    expect(budget.reopened).toEqual([]);
    expect(slept).toEqual([]);
    scope.done();
  });

  it('a probe that fails otherwise (503) frees the slot and is not retried in-process', async () => {
    nock(API).get('/v1/limits').reply(503, 'down');
    const { http, budget, slept } = client({ hooks: { budgetProbe: PROBE } });
    budget.grants = ['probe'];
    const err = await rejection(http.request({ method: 'GET', url: '/v1/records' }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(budget.probesReleased).toBe(1);
    expect(budget.backedOff).toEqual([]);
    expect(slept).toEqual([]);
  });

  it('without a probe hook the request itself is the probe: served, it reopens the budget', async () => {
    nock(API).get('/v1/records').reply(200, { ok: true });
    const { http, budget } = client();
    budget.grants = ['probe'];
    await http.request({ method: 'GET', url: '/v1/records' });
    expect(budget.reopened).toHaveLength(1);
    expect(budget.acquired).toHaveLength(1);
  });
});

describe('VendorHttpClient operation deadline', () => {
  // The abort of a call in flight is seen end to end against a sandbox (test/e2e/operation-deadline);
  // nock does not honour abort signals.
  it('sends nothing once the deadline has passed, and names the call that was late', async () => {
    const deadline = operationDeadline(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const { http } = client({ deadline });
    const err = await rejection(http.request({ method: 'GET', url: '/v1/slow', query: { q: 'secret' } }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('deadline (1 ms, OPERATION_TIMEOUT_MS)');
    expect(err.message).toContain('acme GET /v1/slow was about to be sent (attempt 1)');
    expect(err.message).not.toContain('secret');
    expect(err.details).toMatchObject({ deadlineMs: 1 });
  });

  it('does not begin a retry sleep that would end after the deadline', async () => {
    nock(API).get('/v1/x').reply(503, 'down', { 'retry-after': '5' });
    const { http, slept } = client({ deadline: operationDeadline(1000) });
    const err = await rejection(http.request({ method: 'GET', url: '/v1/x' }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('acme GET /v1/x answered HTTP 503 and its retry was due 5000 ms later');
    expect(slept).toEqual([]);
  });

  it('a retry sleep the deadline interrupts ends the request', async () => {
    nock(API).get('/v1/x').reply(503, 'down', { 'retry-after': '0.3' });
    const { http } = client({
      deadline: operationDeadline(150),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: () => 0,
    });
    const err = await rejection(http.request({ method: 'GET', url: '/v1/x' }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('waiting to retry');
  });
});
