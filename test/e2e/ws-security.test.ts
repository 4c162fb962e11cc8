import { print } from 'graphql';
import { type Client } from 'graphql-ws/client';
import WebSocket from 'ws';
import { ADMIN_COMMANDS } from '../../src/admin/commands';
import { connectionEventsChannel } from '../../src/events/connection-events';
import { MAX_REQUEST_BYTES } from '../../src/server/limits';
import { WS_CLOSE } from '../../src/server/websocket';
import { ConnectionEventsDocument, CreateConnectionDocument, ViewerDocument } from './generated/operations';
import { request, startTestGateway, type TestGateway, wsClient } from './support/gateway';

/** A raw socket speaking graphql-transport-ws, to send what a well-behaved client never would. */
function rawSocket(url: string): {
  socket: WebSocket;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  messages: Record<string, unknown>[];
} {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data: Buffer) =>
    messages.push(JSON.parse(data.toString()) as Record<string, unknown>),
  );
  socket.on('error', () => undefined); // a refused frame can surface as EPIPE/ECONNRESET on our side
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return { socket, opened, closed, messages };
}

async function acknowledged(messages: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < 400 && !messages.some((m) => m.type === 'connection_ack'); i += 1) {
    await new Promise((r) => setTimeout(r, 25));
  }
  expect(messages).toContainEqual({ type: 'connection_ack' });
}

/** Resolves with the next result or error of one operation sent over `client`. */
function once(client: Client, query: string, variables?: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve) => {
    client.subscribe(
      { query, variables },
      { next: resolve, error: resolve, complete: () => resolve('completed') },
    );
  });
}

const createInput = { input: { crm: 'hubspot', displayName: 'x', credentials: { accessToken: 'x' } } };

describe('WebSocket security', () => {
  let gw: TestGateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gw.close();
  });
  const open = (key: string, onClosed?: (code: number, reason: string) => void) => {
    const c = wsClient(gw.url, `Bearer ${key}`, onClosed);
    clients.push(c);
    return c;
  };
  const keyId = async (tenantId: string) => (await gw.ctx.store.apiKeys.listForTenant(tenantId))[0]!.id;

  it("closes a revoked key's open socket (4401) when keys:revoke runs, ending its subscription", async () => {
    const t = await gw.tenant('ws-revoked');
    let closedWith: { code: number; reason: string } | undefined;
    const client = open(t.key, (code, reason) => (closedWith = { code, reason }));
    // Proves the socket is authenticated and working before the revocation.
    expect(await once(client, '{ viewer { scope } }')).toEqual({ data: { viewer: { scope: 'read_write' } } });
    const events = new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: print(ConnectionEventsDocument) },
        { next: () => undefined, error: resolve, complete: () => resolve('completed') },
      );
    });

    await ADMIN_COMMANDS['keys:revoke']!.run(gw.ctx, { positionals: [await keyId(t.tenantId)], options: {} });

    for (let i = 0; i < 200 && !closedWith; i += 1) await new Promise((r) => setTimeout(r, 25));
    expect(closedWith).toEqual({
      code: WS_CLOSE.UNAUTHENTICATED,
      reason: 'Unauthorized: the API key was revoked',
    });
    await expect(events).resolves.toBeDefined(); // the subscription ended with the socket
    // The key is refused everywhere: a new socket, and HTTP.
    const reopened = await new Promise<number>((resolve) => {
      const c = open(t.key, (code) => resolve(code));
      c.subscribe(
        { query: '{ health }' },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    expect(reopened).toBe(WS_CLOSE.UNAUTHENTICATED);
    expect((await request(gw.url, ViewerDocument, undefined, { key: t.key })).status).toBe(401);
  });

  it('checks the key before every operation: a scope lowered on an open socket applies to its next operation', async () => {
    const t = await gw.tenant('ws-downgraded');
    const client = open(t.key);
    expect(await once(client, '{ viewer { scope } }')).toEqual({ data: { viewer: { scope: 'read_write' } } });
    const id = await keyId(t.tenantId);
    await ADMIN_COMMANDS['keys:set-scope']!.run(gw.ctx, { positionals: [id], options: { scope: 'read' } });

    let result: unknown;
    for (let i = 0; i < 100; i += 1) {
      result = await once(client, '{ viewer { scope } }');
      if (JSON.stringify(result).includes('"read"')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(result).toEqual({ data: { viewer: { scope: 'read' } } });
    expect(await once(client, print(CreateConnectionDocument), createInput)).toMatchObject({
      data: null,
      errors: [{ extensions: { code: 'FORBIDDEN' } }],
    });
    expect(await gw.ctx.store.connections.listForTenant(t.tenantId)).toEqual([]);
  });

  it(`refuses a 2 MB message with close code ${WS_CLOSE.MESSAGE_TOO_BIG} and stays up`, async () => {
    const t = await gw.tenant('ws-big');
    const raw = rawSocket(gw.url);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: t.key } }));
    await acknowledged(raw.messages);
    const query = `{ health } # ${'x'.repeat(2 * MAX_REQUEST_BYTES)}`;
    raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    expect((await raw.closed).code).toBe(WS_CLOSE.MESSAGE_TOO_BIG);
    expect(raw.messages.filter((m) => m.type !== 'connection_ack')).toEqual([]); // nothing was answered
    // The gateway still serves.
    expect((await request(gw.url, ViewerDocument, undefined, { key: t.key })).status).toBe(200);
  });

  it('refuses large unauthenticated connection_init messages before parsing them', async () => {
    // Eight sockets, each sending an 8 MB connection_init: each is refused from the frame header. One
    // after the other: masking 8 MB blocks this process (client and server alike) for a while.
    const init = JSON.stringify({ type: 'connection_init', payload: { junk: 'x'.repeat(8 * 1024 * 1024) } });
    for (let i = 0; i < 8; i += 1) {
      const s = rawSocket(gw.url);
      await s.opened;
      s.socket.send(init);
      expect((await s.closed).code).toBe(WS_CLOSE.MESSAGE_TOO_BIG);
      expect(s.messages).toEqual([]);
    }
    // Under the frame limit but over what an unauthenticated socket may send.
    const small = rawSocket(gw.url);
    await small.opened;
    small.socket.send(JSON.stringify({ type: 'connection_init', payload: { junk: 'x'.repeat(100 * 1024) } }));
    expect(await small.closed).toMatchObject({
      code: WS_CLOSE.MESSAGE_TOO_BIG,
      reason: expect.stringMatching(/^connection_init is \d+ bytes/) as unknown,
    });
    expect(small.messages).toEqual([]);
  });

  it(`closes a socket that never sends connection_init at the init timeout (${WS_CLOSE.INIT_TIMEOUT})`, async () => {
    const quick = await startTestGateway({ connectionInitWaitTimeoutMs: 300 });
    try {
      const raw = rawSocket(quick.url);
      await raw.opened;
      expect((await raw.closed).code).toBe(WS_CLOSE.INIT_TIMEOUT);
      expect(raw.messages).toEqual([]);
    } finally {
      await quick.close();
    }
  });

  it(`closes open sockets with ${WS_CLOSE.GOING_AWAY} when the gateway shuts down`, async () => {
    const other = await startTestGateway();
    const t = await other.tenant('ws-shutdown', 'read');
    const closed = new Promise<number>((resolve) => {
      const c = wsClient(other.url, `Bearer ${t.key}`, (code) => resolve(code));
      clients.push(c);
      c.subscribe(
        { query: print(ConnectionEventsDocument) },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    // Wait for the ack: the subscription is registered once its channel has a subscriber.
    for (let i = 0; i < 200; i += 1) {
      const channel = connectionEventsChannel(other.ctx.redisPrefix, t.tenantId);
      const [, n] = (await other.ctx.redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(n) > 0) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await other.close();
    expect(await closed).toBe(WS_CLOSE.GOING_AWAY);
  });
});
