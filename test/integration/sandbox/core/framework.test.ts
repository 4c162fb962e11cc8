import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { createToyServer, type ToyEvent } from './toy-vendor';

let server: ReturnType<typeof createToyServer>;
let live: ListeningSandbox;

async function call(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${live.baseUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

async function login(org = 'a'): Promise<{ access: string; refresh: string }> {
  const res = await call('POST', '/token', { org, grant: 'new' });
  expect(res.status).toBe(200);
  return res.json as { access: string; refresh: string };
}

beforeEach(async () => {
  server = createToyServer();
  live = await server.listen();
});
afterEach(async () => {
  await live.close();
});

describe('server and orgs', () => {
  it('listens on a free loopback port and serves each org its own deterministic data', async () => {
    expect(live.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.org('a').state.records.size).toBe(20);
    expect(server.org('b').state.records.size).toBe(5);
    const again = createToyServer();
    expect([...again.org('a').state.records.values()]).toEqual([...server.org('a').state.records.values()]);
    const { access } = await login('b');
    const res = await call('GET', '/things/t4', undefined, access);
    expect(res.json).toMatchObject({ id: 't4' });
    expect((await call('GET', '/things/t10', undefined, access)).status).toBe(404);
  });

  it('seeds clusters of records that share one modified timestamp', () => {
    const times = [...server.org('a').state.records.values()].map((r) => r.modifiedAt);
    expect(new Set(times).size).toBeLessThan(times.length);
  });

  it('creates, resets and drops orgs through the admin API', async () => {
    expect((await call('POST', '/__sandbox/orgs', { id: 'c', seed: 9, counts: { thing: 3 } })).status).toBe(
      201,
    );
    expect(server.org('c').state.records.size).toBe(3);
    expect((await call('POST', '/__sandbox/orgs', { id: 'c' })).status).toBe(409);
    expect((await call('POST', '/__sandbox/orgs', { id: 'bad id!' })).status).toBe(400);
    await call('POST', '/__sandbox/orgs/c/records/thing', { name: 'New' });
    expect(server.org('c').state.records.size).toBe(4);
    await call('PATCH', '/__sandbox/orgs/c/faults', { latencyMs: 5 });
    const reset = await call('POST', '/__sandbox/orgs/c/reset', { counts: { thing: 7 } });
    expect(reset.json).toMatchObject({ id: 'c', counts: { thing: 7 } });
    expect(server.org('c').state.records.size).toBe(7);
    expect(server.org('c').faults.current.latencyMs).toBe(0);
    expect((await call('DELETE', '/__sandbox/orgs/c')).status).toBe(200);
    expect((await call('GET', '/__sandbox/orgs/c/faults')).status).toBe(404);
    const list = (await call('GET', '/__sandbox/orgs')).json as { id: string }[];
    expect(list.map((o) => o.id)).toEqual(['a', 'b']);
    expect((await call('GET', '/__sandbox/orgs/a/credentials')).json).toEqual({
      baseUrl: live.baseUrl,
      org: 'a',
    });
  });

  it('creates, edits and deletes records as a CRM user, answering bad input with the vendor hook status', async () => {
    const made = await call('POST', '/__sandbox/orgs/a/records/thing', { name: 'Zed' });
    expect(made.status).toBe(201);
    const id = (made.json as { id: string }).id;
    expect(
      (await call('PATCH', `/__sandbox/orgs/a/records/thing/${id}`, { name: 'Zed 2' })).json,
    ).toMatchObject({ name: 'Zed 2' });
    expect((await call('DELETE', `/__sandbox/orgs/a/records/thing/${id}`)).json).toMatchObject({
      deleted: true,
    });
    expect((await call('GET', `/__sandbox/orgs/a/records/thing/${id}`)).json).toMatchObject({
      deleted: true,
    });
    expect((await call('GET', '/__sandbox/orgs/a/records/thing/nope')).status).toBe(404);
    expect((await call('POST', '/__sandbox/orgs/a/records/thing', { nom: 1 })).json).toEqual({
      error: 'name is required',
    });
    expect((await call('POST', '/__sandbox/orgs/a/records/thing/t1/restore')).status).toBe(404);
  });
});

describe('request log', () => {
  it('counts vendor calls per org and route pattern, not admin calls', async () => {
    const { access } = await login();
    for (const id of ['t1', 't2', 't3']) await call('GET', `/things/${id}`, undefined, access);
    await call('GET', '/things/t1', undefined, 'unknown-token');
    const log = server.org('a').log;
    expect(log.count('GET /things/:id')).toBe(3);
    expect(log.count('POST /token')).toBe(1);
    expect(log.count((k) => k.startsWith('GET '))).toBe(3);
    const snap = (await call('GET', '/__sandbox/orgs/a/requests?limit=2')).json as {
      total: number;
      counters: Record<string, number>;
      entries: { url: string; status: number; route: string }[];
    };
    expect(snap.total).toBe(4);
    expect(snap.counters['GET /things/:id']).toBe(3);
    expect(snap.entries.map((e) => e.url)).toEqual(['/things/t2', '/things/t3']);
    expect(server.org('b').log.total).toBe(0);
    expect(server.unattributed.count('GET /things/:id')).toBe(1);
    await call('DELETE', '/__sandbox/orgs/a/requests');
    expect(server.org('a').log.total).toBe(0);
  });
});

describe('clock', () => {
  it('moves an org clock by offset or advance and ages its tokens', async () => {
    const { access } = await login();
    const before = Date.now();
    const set = (await call('PUT', '/__sandbox/orgs/a/clock', { offsetMs: 60_000 })).json as {
      nowMs: number;
      offsetMs: number;
    };
    expect(set.offsetMs).toBe(60_000);
    expect(set.nowMs).toBeGreaterThanOrEqual(before + 60_000);
    const adv = (await call('PUT', '/__sandbox/orgs/a/clock', { advanceMs: 3_600_000 })).json as {
      offsetMs: number;
    };
    expect(adv.offsetMs).toBe(3_660_000);
    expect(server.org('b').clock.offsetMs).toBe(0);
    expect((await call('GET', '/things/t1', undefined, access)).status).toBe(401);
    expect((await call('PUT', '/__sandbox/orgs/a/clock', { offsetMs: 'x' })).status).toBe(400);
  });
});

describe('fault knobs', () => {
  it('adds latency', async () => {
    const { access } = await login();
    await call('PATCH', '/__sandbox/orgs/a/faults', { latencyMs: 120 });
    const t0 = performance.now();
    await call('GET', '/things/t1', undefined, access);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('adds latencyMs plus a jitter drawn from 0..latencyJitterMs, and logs what it added', async () => {
    const { access } = await login();
    const org = server.org('a');
    await call('PATCH', '/__sandbox/orgs/a/faults', { latencyMs: 3, latencyJitterMs: 12 });
    org.log.clear();
    await Promise.all(Array.from({ length: 40 }, () => call('GET', '/things/t1', undefined, access)));
    const drawn = org.log.snapshot(40).entries.map((e) => e.injectedLatencyMs);
    expect(drawn).toHaveLength(40);
    for (const ms of drawn) {
      expect(ms).toBeGreaterThanOrEqual(3);
      expect(ms).toBeLessThanOrEqual(15);
    }
    // The jitter is really drawn: several distinct delays, not latencyMs every time.
    expect(new Set(drawn).size).toBeGreaterThan(3);
    await call('PATCH', '/__sandbox/orgs/a/faults', { latencyJitterMs: 0 });
    org.log.clear();
    await Promise.all(Array.from({ length: 5 }, () => call('GET', '/things/t1', undefined, access)));
    expect(org.log.snapshot(5).entries.map((e) => e.injectedLatencyMs)).toEqual([3, 3, 3, 3, 3]);
    await call('DELETE', '/__sandbox/orgs/a/faults');
    org.log.clear();
    await call('GET', '/things/t1', undefined, access);
    expect(org.log.snapshot(1).entries[0]).not.toHaveProperty('injectedLatencyMs');
  });

  it('answers a share of requests with server errors drawn from errorStatuses', async () => {
    const { access } = await login();
    await call('PUT', '/__sandbox/orgs/a/faults', { errorRate: 1, errorStatuses: [502] });
    const res = await call('GET', '/things/t1', undefined, access);
    expect(res).toEqual({ status: 502, json: { error: 'boom' } });
    expect(server.org('a').log.snapshot(1).entries[0]).toMatchObject({ status: 502, fault: 'serverError' });
    await call('PUT', '/__sandbox/orgs/a/faults', { errorRate: 0.5 });
    const statuses = await Promise.all(
      Array.from({ length: 60 }, () => call('GET', '/things/t1', undefined, access)),
    );
    const failed = statuses.filter((s) => s.status >= 500).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
    expect((await call('GET', '/versions', undefined, access)).status).toBe(200);
  });

  it('rate-limits by rate and by storm, and only the org it is set on', async () => {
    const a = await login('a');
    const b = await login('b');
    await call('PATCH', '/__sandbox/orgs/a/faults', { rateLimitRate: 1 });
    expect((await call('GET', '/things/t1', undefined, a.access)).status).toBe(429);
    expect((await call('GET', '/things/t1', undefined, b.access)).status).toBe(200);
    await call('PUT', '/__sandbox/orgs/a/faults', { rateLimitStormMs: 400 });
    expect((await call('GET', '/things/t1', undefined, a.access)).status).toBe(429);
    await new Promise((r) => setTimeout(r, 450));
    expect((await call('GET', '/things/t1', undefined, a.access)).status).toBe(200);
    expect((await call('PATCH', '/__sandbox/orgs/a/faults', { rateLimitRate: 2 })).status).toBe(400);
    expect((await call('PATCH', '/__sandbox/orgs/a/faults', { noSuchKnob: 1 })).status).toBe(400);
  });

  it('issues short-lived access tokens and revokes refresh tokens', async () => {
    await call('PATCH', '/__sandbox/orgs/a/faults', { accessTokenTtlMs: 400 });
    const { access, refresh } = await login();
    expect((await call('GET', '/things/t1', undefined, access)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 450));
    expect((await call('GET', '/things/t1', undefined, access)).status).toBe(401);
    expect((await call('POST', '/token', { org: 'a', grant: 'refresh', refresh })).status).toBe(200);
    await call('PATCH', '/__sandbox/orgs/a/faults', { revokeRefreshTokens: true });
    expect((await call('POST', '/token', { org: 'a', grant: 'refresh', refresh })).status).toBe(400);
    await call('DELETE', '/__sandbox/orgs/a/faults');
    expect((await call('POST', '/token', { org: 'a', grant: 'refresh', refresh })).status).toBe(200);
    expect((await call('POST', '/__sandbox/orgs/a/tokens/revoke')).json).toMatchObject({ revoked: 3 });
    expect((await call('POST', '/token', { org: 'a', grant: 'refresh', refresh })).status).toBe(400);
    const fresh = await login();
    expect((await call('POST', '/__sandbox/orgs/a/tokens/expire')).json).toMatchObject({
      expired: expect.any(Number),
    });
    expect((await call('GET', '/things/t1', undefined, fresh.access)).status).toBe(401);
  });

  it('applies a write and then destroys the connection (lost response)', async () => {
    const { access } = await login();
    await call('PATCH', '/__sandbox/orgs/a/faults', { lostResponseRate: 1 });
    const before = server.org('a').state.records.size;
    await expect(call('POST', '/things', { name: 'Lost' }, access)).rejects.toThrow();
    expect(server.org('a').state.records.size).toBe(before + 1);
    expect(server.org('a').log.snapshot(1).entries[0]).toMatchObject({
      method: 'POST',
      fault: 'lostResponse',
    });
    expect((await call('GET', '/things/t1', undefined, access)).status).toBe(200);
  });

  it('delays search visibility (index lag)', async () => {
    const { access } = await login();
    await call('PATCH', '/__sandbox/orgs/a/faults', { indexLagMs: 400 });
    const made = (await call('POST', '/things', { name: 'Fresh' }, access)).json as { id: string };
    expect((await call('GET', '/search', undefined, access)).json).not.toContain(made.id);
    await new Promise((r) => setTimeout(r, 450));
    expect((await call('GET', '/search', undefined, access)).json).toContain(made.id);
  });
});

describe('webhook dispatcher', () => {
  let receiver: http.Server;
  let received: ToyEvent[][];
  let url: string;
  let failFirst: number;

  beforeEach(async () => {
    received = [];
    failFirst = 0;
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst--;
          res.writeHead(500).end();
          return;
        }
        received.push(JSON.parse(body) as ToyEvent[]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await call('PUT', '/__sandbox/orgs/a/webhooks', { url });
  });
  afterEach(async () => {
    await new Promise((r) => receiver.close(r));
  });

  const changeMany = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++)
      await call('PATCH', `/__sandbox/orgs/a/records/thing/t${i}`, { name: `n${i}` });
    await call('POST', '/__sandbox/orgs/a/webhooks/flush');
  };

  it('delivers admin changes in batches and retries failed deliveries', async () => {
    failFirst = 1;
    await changeMany(12);
    // A retried batch arrives after later batches, as it does from real vendors.
    const flat = received.flat();
    expect(flat.map((e) => e.id).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
    expect(Math.max(...received.map((b) => b.length))).toBeLessThanOrEqual(5);
    const view = (await call('GET', '/__sandbox/orgs/a/webhooks')).json as {
      stats: { delivered: number };
      deliveries: { status: number }[];
    };
    expect(view.stats.delivered).toBe(12);
    expect(view.deliveries.some((d) => d.status === 500)).toBe(true);
  });

  it('drops, duplicates and reorders deliveries when told to', async () => {
    await call('PATCH', '/__sandbox/orgs/a/faults', { webhookDropRate: 1 });
    await changeMany(4);
    expect(received).toEqual([]);
    await call('PUT', '/__sandbox/orgs/a/faults', { webhookDuplicateRate: 1 });
    await changeMany(3);
    expect(received.flat().map((e) => e.id)).toEqual(['t0', 't0', 't1', 't1', 't2', 't2']);
    received = [];
    await call('PUT', '/__sandbox/orgs/a/faults', { webhookReorder: true });
    await changeMany(12);
    const ids = received.flat().map((e) => e.id);
    expect([...ids].sort()).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`).sort());
    expect(ids).not.toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
  });

  it('has no webhooks admin for an org target cleared', async () => {
    await call('DELETE', '/__sandbox/orgs/a/webhooks');
    await changeMany(2);
    expect(received).toEqual([]);
  });
});
