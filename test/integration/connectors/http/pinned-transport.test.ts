import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ResolvedAddress, type Resolver } from '../../../../src/connectors/http/pinned-lookup';
import { pinnedTransport } from '../../../../src/connectors/http/pinned-transport';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { type CrmError } from '../../../../src/errors';

/**
 * The production vendor transport over a real socket, with an injected resolver (no DNS here): a
 * name is resolved once, a private answer is refused before any connection, and an allowed one is
 * connected to at the address that was checked while the request keeps its own Host.
 */

let server: http.Server;
let port: number;
const seen: { host?: string; url?: string }[] = [];
let connections = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ host: req.headers.host, url: req.url });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true }));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  seen.length = 0;
  connections = 0;
});

function resolver(table: Record<string, readonly ResolvedAddress[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  return Object.assign(
    async (hostname: string) => {
      calls.push(hostname);
      return table[hostname] ?? [];
    },
    { calls },
  );
}
const LOOPBACK: ResolvedAddress[] = [{ address: '127.0.0.1', family: 4 }];

describe('pinnedTransport', () => {
  it('refuses a vendor-looking host that resolves to loopback, before connecting', async () => {
    const resolve = resolver({ 'api.crm.example': LOOPBACK });
    const send = pinnedTransport({ resolve, allowlist: [] });
    await expect(
      send({ method: 'GET', url: `http://api.crm.example:${port}/x`, headers: {} }),
    ).rejects.toMatchObject({ name: 'PrivateAddressError', address: '127.0.0.1' });
    expect(connections).toBe(0);
    expect(resolve.calls).toEqual(['api.crm.example']);
  });

  it.each(['127.0.0.1', '[::1]', '2130706433', '0x7f000001'])(
    'refuses the IP literal %s without a lookup or a connection',
    async (host) => {
      const resolve = resolver({});
      const send = pinnedTransport({ resolve, allowlist: [] });
      await expect(
        send({ method: 'GET', url: `http://${host}:${port}/x`, headers: {} }),
      ).rejects.toMatchObject({
        name: 'PrivateAddressError',
      });
      expect(resolve.calls).toEqual([]);
      expect(connections).toBe(0);
    },
  );

  it('connects an allowlisted host to the address it checked, keeping the original Host', async () => {
    const resolve = resolver({ 'sandbox.crm.test': LOOPBACK });
    const send = pinnedTransport({ resolve, allowlist: ['http://sandbox.crm.test:*'] });
    const res = await send({
      method: 'POST',
      url: `http://sandbox.crm.test:${port}/y?q=1`,
      headers: {},
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(seen).toEqual([{ host: `sandbox.crm.test:${port}`, url: '/y?q=1' }]);
    expect(resolve.calls).toEqual(['sandbox.crm.test']);
  });

  it('through the vendor client, a private answer is UPSTREAM and never retried', async () => {
    const resolve = resolver({ 'api.crm.example': LOOPBACK });
    const http_ = new VendorHttpClient({
      crm: 'acme',
      baseUrl: `http://api.crm.example:${port}`,
      transport: pinnedTransport({ resolve, allowlist: [] }),
      sleep: async () => undefined,
    });
    const err = (await http_.request({ method: 'GET', url: '/x' }).catch((e: unknown) => e)) as CrmError;
    expect(err.code).toBe('UPSTREAM');
    expect(err.message).toContain('api.crm.example resolves to 127.0.0.1');
    expect(resolve.calls).toHaveLength(1);
    expect(connections).toBe(0);
  });
});
