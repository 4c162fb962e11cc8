import net from 'node:net';
import nock from '../../../support/nock';
import { type HttpTransport } from '../../../../src/connectors/http/http.types';
import { type VendorClientOptions, VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { CrmNotFoundError } from '../../../../src/errors';

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
    const { http, budget, slept } = client();
    const err = await rejection(http.request({ method: 'GET', url: '/q' }));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBe(300_000);
    expect(budget.exhaustedFor).toEqual([300_000]);
    expect(slept).toEqual([]);
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
