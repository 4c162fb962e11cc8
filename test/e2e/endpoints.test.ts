import net from 'node:net';
import Redis from 'ioredis';
import { loadEnv } from '../../src/config/env';
import { disconnectRedis } from '../../src/runtime/services/redis-disconnect';
import { startGatewayServer } from '../../src/server/http-server';
import {
  ConnectionDocument,
  ConnectionEventsDocument,
  HealthDocument,
  ViewerDocument,
} from './generated/operations';
import { request, startTestGateway, type TestGateway } from './support/gateway';

describe('gateway endpoints', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ corsOrigins: ['https://app.example'], graphiql: true });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('/healthz and /readyz', async () => {
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('/readyz answers 503 and names the failing store while Redis does not answer', async () => {
    // A port that was just free and is now closed: connecting is refused at once.
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const deadRedis = new Redis(`redis://127.0.0.1:${closedPort}`, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    deadRedis.on('error', () => undefined); // the refusals are what this test is about
    const server = await startGatewayServer({ ...gw.ctx, redis: deadRedis }, { host: '127.0.0.1', port: 0 });
    try {
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
      expect(body.status).toBe('not ready');
      expect(body.checks).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'redis', ok: false, error: expect.any(String) as unknown }),
          expect.objectContaining({ name: 'mongodb', ok: true }),
        ]),
      );
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // alive, just not ready
    } finally {
      await server.close();
      disconnectRedis(deadRedis); // disconnect() would leave a 2 s timer (see disconnectRedis)
    }
  });

  it('while stopping, answers /readyz 503 "draining" and keeps serving until DRAIN_DELAY_MS has passed', async () => {
    const env = loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DRAIN_DELAY_MS: '1500' });
    const server = await startGatewayServer({ ...gw.ctx, env }, { host: '127.0.0.1', port: 0 });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const closing = server.close();
    let closed = false;
    void closing.then(() => (closed = true));
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'draining' });
    // The load balancer may still send requests during the delay: they are answered, not refused.
    const res = await request(server.url, HealthDocument, {});
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(closed).toBe(false);
    await closing;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('refuses a DRAIN_DELAY_MS that the shutdown timeout would cut short', () => {
    expect(() => loadEnv({ DRAIN_DELAY_MS: '10000', SHUTDOWN_TIMEOUT_MS: '10000' })).toThrow(
      /DRAIN_DELAY_MS: must be shorter than SHUTDOWN_TIMEOUT_MS/,
    );
  });

  it('answers a malformed JSON body with a GraphQL BAD_USER_INPUT error in JSON, not an HTML page', async () => {
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: '{"query": "{ health }",',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toMatch(/^expected a JSON request body .*got invalid JSON: /);
  });

  it('/metrics counts and times operations by name and result', async () => {
    const { key } = await gw.tenant('metrics');
    await request(gw.url, ViewerDocument, undefined, { key });
    await request(gw.url, ViewerDocument); // UNAUTHENTICATED (401): rejected before execution
    await request(gw.url, ConnectionDocument, { id: '0123456789abcdef01234567' }, { key }); // NOT_FOUND
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(text).toMatch(/^graphql_operations_total\{operation="Viewer",type="query",result="ok"\} [1-9]/m);
    expect(text).toMatch(
      /^graphql_operations_total\{operation="Viewer",type="query",result="rejected"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^graphql_operations_total\{operation="Connection",type="query",result="error"\} [1-9]/m,
    );
    expect(text).toMatch(
      /^graphql_operation_duration_seconds_count\{operation="Viewer",type="query",result="ok"\} [1-9]/m,
    );
    expect(text).toMatch(/^process_cpu_user_seconds_total /m); // the defaults
  });

  it('refuses subscriptions over HTTP, pointing at the WebSocket', async () => {
    const { key } = await gw.tenant('sub-over-http');
    const res = await request(gw.url, ConnectionEventsDocument, undefined, { key });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(/WebSocket/);
  });

  it('answers CORS for allowlisted origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${gw.url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('https://app.example');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends Vary: Origin on every response once CORS is configured, allowed origin or not', async () => {
    const varies = (res: Response) =>
      (res.headers.get('vary') ?? '')
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .includes('origin');
    const get = (headers: Record<string, string>) =>
      fetch(`${gw.url}/graphql?query=%7Bhealth%7D`, {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true', ...headers },
      });
    expect(varies(await get({ origin: 'https://app.example' }))).toBe(true);
    const refused = await get({ origin: 'https://evil.example' });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(varies(refused)).toBe(true);
    expect(varies(await get({}))).toBe(true); // no Origin: a cache must still not reuse it for one
    const refusedPreflight = await fetch(`${gw.url}/graphql`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(varies(refusedPreflight)).toBe(true);
  });

  it('serves GraphiQL to browsers and its assets from installed packages', async () => {
    const page = await fetch(`${gw.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/graphiql/assets/graphiql.min.js');
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/); // no CDN
    const asset = await fetch(`${gw.url}/graphiql/assets/graphiql.min.css`);
    expect(asset.status).toBe(200);
    expect((await fetch(`${gw.url}/graphiql/assets/..%2Fpackage.json`)).status).toBe(404);
    // Programs still get GraphQL on GET.
    const get = await fetch(`${gw.url}/graphql?query=%7Bhealth%7D`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await get.json()).toEqual({ data: { health: 'ok' } });
  });

  it('turns GraphiQL and introspection off in production unless enabled', async () => {
    const prod = { ...gw.ctx, env: loadEnv({ NODE_ENV: 'production' }) };
    const server = await startGatewayServer(prod, { host: '127.0.0.1', port: 0 });
    try {
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      });
      const body = (await res.json()) as { errors?: { extensions: { code: string } }[] };
      expect(body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
      expect((await request(server.url, HealthDocument)).body).toEqual({ data: { health: 'ok' } });
    } finally {
      await server.close();
    }
  });

  it('turns GraphiQL and introspection on in production when ENABLE_GRAPHIQL / ENABLE_INTROSPECTION say so', async () => {
    const env = loadEnv({ NODE_ENV: 'production', ENABLE_GRAPHIQL: 'true', ENABLE_INTROSPECTION: 'true' });
    expect(env.isProduction).toBe(true);
    const server = await startGatewayServer({ ...gw.ctx, env }, { host: '127.0.0.1', port: 0 });
    try {
      const page = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toContain('/graphiql/assets/graphiql.min.js');
      const res = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
      });
      expect(await res.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await server.close();
    }
  });
});
