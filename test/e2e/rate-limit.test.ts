import { type Client } from 'graphql-ws/client';
import { ViewerDocument } from './generated/operations';
import { request, startTestGateway, type TestGateway, wsClient } from './support/gateway';

/**
 * The per-key and per-tenant request limits, counted in Redis. Minute windows with small limits, so
 * the test never depends on how fast it runs.
 */
describe('request rate limits', () => {
  let gw: TestGateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    gw = await startTestGateway({
      requestRateLimits: { keyPerSecond: 0, keyPerMinute: 3, tenantPerMinute: 5 },
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gw.close();
  });

  it('answers the request past a key’s limit with 429 RATE_LIMITED, retryAfterMs and Retry-After', async () => {
    const { key } = await gw.tenant('rl-key');
    for (let i = 0; i < 3; i += 1) {
      expect((await request(gw.url, ViewerDocument, undefined, { key })).status).toBe(200);
    }
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ viewer { scope } }' }),
    });
    expect(res.status).toBe(429);
    const body = (await res.json()) as {
      data?: unknown;
      errors: { message: string; extensions: Record<string, unknown> }[];
    };
    expect(body).not.toHaveProperty('data');
    expect(body.errors[0]!.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryable: true,
      limit: 'key_per_minute',
      max: 3,
    });
    const retryAfterMs = body.errors[0]!.extensions.retryAfterMs as number;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(63_000);
    expect(Number(res.headers.get('retry-after'))).toBe(Math.ceil(retryAfterMs / 1000));
    expect(body.errors[0]!.message).toMatch(/^this API key's limit of 3 requests per minute is reached/);
  });

  it("counts a tenant's keys together, and one tenant's flood leaves another tenant alone", async () => {
    const a = await gw.tenant('rl-tenant');
    const second = await gw.ctx.store.apiKeys.create(a.tenantId, 'second', 'read');
    const other = await gw.tenant('rl-other');
    const statuses: number[] = [];
    for (const key of [a.key, a.key, a.key, second.key, second.key, second.key]) {
      statuses.push((await request(gw.url, ViewerDocument, undefined, { key })).status);
    }
    // 3 on the first key (its own limit), then the tenant's 5th, then the tenant limit.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await request(gw.url, ViewerDocument, undefined, { key: other.key })).status).toBe(200);
  });

  it('counts WebSocket operations too: the operation past the limit fails RATE_LIMITED, the socket stays', async () => {
    const { key } = await gw.tenant('rl-ws');
    const client = wsClient(gw.url, `Bearer ${key}`);
    clients.push(client);
    const run = () =>
      new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: '{ health }' },
          { next: resolve, error: resolve, complete: () => undefined },
        );
      });
    for (let i = 0; i < 3; i += 1) expect(await run()).toEqual({ data: { health: 'ok' } });
    expect(await run()).toEqual([
      expect.objectContaining({
        extensions: expect.objectContaining({
          code: 'RATE_LIMITED',
          retryAfterMs: expect.any(Number) as unknown,
        }) as unknown,
      }),
    ]);
  });

  it('does not count requests without a key (health stays open)', async () => {
    for (let i = 0; i < 6; i += 1) {
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health }' }),
      });
      expect(res.status).toBe(200);
    }
  });
});
