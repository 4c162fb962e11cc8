import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { print } from 'graphql';
import { type Client } from 'graphql-ws/client';
import WebSocket from 'ws';
import { connectionEventsChannel } from '../../src/events/connection-events';
import { testStoreUrls } from '../support/stores';
import {
  ConnectionEventsDocument,
  type ConnectionEventsSubscription,
  CreateConnectionDocument,
  DeepConnectionEventsDocument,
  DeleteConnectionDocument,
  HealthDocument,
} from './generated/operations';
import { request, startTestGateway, type TestGateway, wsClient } from './support/gateway';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Publishes a connection event from a separate Node process through the compiled publisher, as the
 * worker does: nothing is shared with this process but Redis.
 */
async function publishFromAnotherProcess(
  redisPrefix: string,
  tenantId: string,
  connectionId: string,
): Promise<void> {
  const script = `
    const Redis = require('ioredis');
    const { createConnectionEventPublisher } = require('./dist/events/connection-events.js');
    const redis = new Redis(process.env.REDIS_URL);
    createConnectionEventPublisher({ redis, redisPrefix: process.env.PREFIX })
      .publishConnectionEvent(process.env.TENANT, {
        type: 'STATUS_CHANGED', connectionId: process.env.CONNECTION, crm: 'hubspot',
        status: 'NEEDS_REAUTH', reason: 'refresh token revoked', occurredAt: new Date('2026-01-02T03:04:05Z'),
      })
      .then(() => redis.quit(), (err) => { console.error(err); process.exit(1); });
  `;
  await promisify(execFile)(process.execPath, ['-e', script], {
    cwd: ROOT,
    env: {
      ...process.env,
      REDIS_URL: testStoreUrls().redisUrl,
      PREFIX: redisPrefix,
      TENANT: tenantId,
      CONNECTION: connectionId,
    },
  });
}

type Event = ConnectionEventsSubscription['connectionEvents'];

/** A subscription whose events are collected; `next()` resolves with the next one. */
function subscribeEvents(client: Client) {
  const events: Event[] = [];
  const waiters: ((e: Event) => void)[] = [];
  let failed: unknown;
  const unsubscribe = client.subscribe<ConnectionEventsSubscription>(
    { query: print(ConnectionEventsDocument) },
    {
      next: (result) => {
        const event = result.data?.connectionEvents;
        if (!event) return;
        const waiter = waiters.shift();
        if (waiter) waiter(event);
        else events.push(event);
      },
      error: (err) => {
        failed = err;
      },
      complete: () => undefined,
    },
  );
  return {
    unsubscribe,
    next(timeoutMs = 10000): Promise<Event> {
      if (failed) return Promise.reject(failed instanceof Error ? failed : new Error(JSON.stringify(failed)));
      const queued = events.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs);
        waiters.push((e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
    },
  };
}

describe('GraphQL over WebSocket', () => {
  let gw: TestGateway;
  const clients: Client[] = [];
  beforeAll(async () => {
    gw = await startTestGateway({ limits: { maxDepth: 2 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await gw.close();
  });

  const open = (authorization: string | undefined, onClosed?: (code: number, reason: string) => void) => {
    const c = wsClient(gw.url, authorization, onClosed);
    clients.push(c);
    return c;
  };

  /** Redis delivers only to channels subscribed when the message is published: wait for ours. */
  async function waitForSubscriber(tenantId: string): Promise<void> {
    const channel = connectionEventsChannel(gw.ctx.redisPrefix, tenantId);
    for (let i = 0; i < 200; i += 1) {
      const [, count] = (await gw.ctx.redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(count) > 0) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nobody subscribed to ${channel}`);
  }

  it("delivers another process's event to its tenant only", async () => {
    const a = await gw.tenant('ws-a', 'read');
    const b = await gw.tenant('ws-b', 'read');
    const subA = subscribeEvents(open(`Bearer ${a.key}`));
    const subB = subscribeEvents(open(b.key)); // the bare key is accepted too
    await waitForSubscriber(a.tenantId);
    await waitForSubscriber(b.tenantId);

    await publishFromAnotherProcess(gw.ctx.redisPrefix, a.tenantId, 'conn-of-a');
    expect(await subA.next()).toEqual({
      type: 'STATUS_CHANGED',
      connectionId: 'conn-of-a',
      crm: 'hubspot',
      status: 'NEEDS_REAUTH',
      reason: 'refresh token revoked',
      occurredAt: '2026-01-02T03:04:05.000Z',
    });

    // Published after A's event on the same Redis connection, so B sees it after A's if at all:
    // B's first event being its own proves A's never reached B.
    await publishFromAnotherProcess(gw.ctx.redisPrefix, b.tenantId, 'conn-of-b');
    expect((await subB.next()).connectionId).toBe('conn-of-b');
    subA.unsubscribe();
    subB.unsubscribe();
  });

  it('delivers CREATED and DELETED when a connection is created and deleted over HTTP', async () => {
    const t = await gw.tenant('ws-created');
    const sub = subscribeEvents(open(`Bearer ${t.key}`));
    await waitForSubscriber(t.tenantId);
    const created = await request(
      gw.url,
      CreateConnectionDocument,
      { input: { crm: 'hubspot', displayName: 'via http', credentials: { accessToken: 'x' } } },
      { key: t.key },
    );
    const id = created.body.data!.createConnection.id;
    expect(await sub.next()).toMatchObject({
      type: 'CREATED',
      connectionId: id,
      status: 'ACTIVE',
      crm: 'hubspot',
    });
    await request(gw.url, DeleteConnectionDocument, { id }, { key: t.key });
    expect(await sub.next()).toMatchObject({ type: 'DELETED', connectionId: id });
    sub.unsubscribe();
  });

  it('rejects an over-deep subscription before subscribing, on every send', async () => {
    const t = await gw.tenant('ws-deep', 'read');
    const client = open(`Bearer ${t.key}`);
    // The second send finds the document cached (src/server/document-cache.ts): rejected all the same.
    for (let i = 0; i < 2; i++) {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: print(DeepConnectionEventsDocument) },
          { next: () => resolve('unexpected data'), error: resolve, complete: () => resolve('completed') },
        );
      });
      expect(errors).toEqual([
        expect.objectContaining({
          message: 'DeepConnectionEvents is nested 3 levels deep; the limit is 2',
          extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX' }),
        }),
      ]);
    }
    const channel = connectionEventsChannel(gw.ctx.redisPrefix, t.tenantId);
    expect(await gw.ctx.redis.pubsub('NUMSUB', channel)).toEqual([channel, 0]);
  });

  it('applies the same auth rule to operations sent over the socket: FORBIDDEN for a read key', async () => {
    const t = await gw.tenant('ws-reader', 'read');
    const client = open(`Bearer ${t.key}`);
    const result = await new Promise<unknown>((resolve) => {
      client.subscribe(
        {
          query: print(CreateConnectionDocument),
          variables: { input: { crm: 'hubspot', displayName: 'x', credentials: { accessToken: 'x' } } },
        },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    expect(result).toMatchObject({ data: null, errors: [{ extensions: { code: 'FORBIDDEN' } }] });
    expect(await gw.ctx.store.connections.listForTenant(t.tenantId)).toEqual([]);
  });

  it('refuses a socket from a browser origin that is not allowed', async () => {
    const t = await gw.tenant('ws-origin', 'read');
    const status = await new Promise<number>((resolve, reject) => {
      const socket = new WebSocket(`${gw.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
        headers: { origin: 'https://evil.example' },
      });
      socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      socket.on('open', () => reject(new Error(`opened for ${t.tenantId}`)));
      socket.on('error', () => undefined);
    });
    expect(status).toBe(401);
  });

  it.each([
    ['no key', undefined],
    ['an unknown key', `Bearer cgw_abcdefgh_${'x'.repeat(43)}`],
    ['a malformed key', 'Basic dXNlcjpwYXNz'],
  ])('closes a connection with %s (4401)', async (_label, authorization) => {
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = open(authorization, (code, reason) => resolve({ code, reason }));
      client.subscribe(
        { query: print(HealthDocument) },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
    });
    const { code, reason } = await closed;
    expect(code).toBe(4401);
    expect(reason).toMatch(/^Unauthorized/);
  });
});
