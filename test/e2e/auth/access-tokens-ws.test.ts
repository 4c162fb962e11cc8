import 'reflect-metadata';
import { print } from 'graphql';
import { type Client } from 'graphql-ws';
import {
  CancelWriteDocument,
  ConnectionEventsDocument,
  type ConnectionEventsSubscription,
  CreateContactWriteDocument,
  HealthDocument,
  WriteOperationUpdatedDocument,
  type WriteOperationUpdatedSubscription,
} from '../generated/operations';
import { request, wsClient } from '../support/gateway';
import {
  connectionEventsChannel,
  createConnectionEventPublisher,
} from '../../../src/events/connection-events';
import { mintAccessToken } from '../../../src/security/access-tokens/access-token';
import { AccessTokenKeys } from '../../../src/security/access-tokens/signing-keys';
import { storeChangesChannel } from '../../../src/store/changes';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { forgedTokens, mint } from './support';

jest.setTimeout(60_000);

/**
 * Access tokens on the WebSocket (connectionParams.authorization): subscriptions deliver only the
 * token's connections, bad tokens and expiry close the socket 4401, and revoking the minting key closes
 * its tokens' sockets on every gateway.
 */
let stack: ReadStack;
let t: ReadTenant;
let keyId: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('tokensws'),
    orgs: {
      salesforce: [{ id: 'default', seed: 6, counts: { Contact: 2, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 6, counts: { contacts: 2, deals: 1 } }],
    },
  });
  t = await stack.tenant('tokws');
  keyId = (await stack.ctx.store.apiKeys.listForTenant(t.tenantId))[0]!.id;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.close();
});

type Closed = { code: number; reason: string };
/** A client on `url` with `authorization`, and a promise of how its socket closes. */
function open(url: string, authorization: string): { client: Client; closed: Promise<Closed> } {
  let client!: Client;
  const closed = new Promise<Closed>((resolve) => {
    client = wsClient(url, authorization, (code, reason) => resolve({ code, reason }));
  });
  clients.push(client);
  return { client, closed };
}

/** Keeps `client` subscribed to something, so the socket stays in use. */
function keepBusy(client: Client): void {
  client.subscribe(
    { query: print(ConnectionEventsDocument) },
    { next: () => undefined, error: () => undefined, complete: () => undefined },
  );
}

/** The items a subscription delivers, awaitable one by one. */
function collect<T>(client: Client, query: string, variables?: Record<string, unknown>) {
  const items: T[] = [];
  let wake: (() => void) | null = null;
  client.subscribe<T>(
    { query, variables },
    {
      next: (r) => {
        if (r.data) items.push(r.data as T);
        wake?.();
      },
      error: () => wake?.(),
      complete: () => undefined,
    },
  );
  return {
    items,
    async until(done: (items: T[]) => boolean): Promise<T[]> {
      while (!done(items)) await new Promise<void>((r) => (wake = r));
      return items;
    },
  };
}

async function waitForSubscribers(channel: string, n: number): Promise<void> {
  await within(5000, async () => {
    const [, count] = (await stack.ctx.redis.pubsub('NUMSUB', channel)) as [string, number];
    expect(Number(count)).toBeGreaterThanOrEqual(n);
  });
}

it("delivers connection events of the token's connections only", async () => {
  const token = await mint(stack.url, t.key, { connectionIds: [t.connections.salesforce] });
  const { client } = open(stack.url, `Bearer ${token}`);
  const events = collect<ConnectionEventsSubscription>(client, print(ConnectionEventsDocument));
  await waitForSubscribers(connectionEventsChannel(stack.ctx.redisPrefix, t.tenantId), 1);
  const publisher = createConnectionEventPublisher({
    redis: stack.ctx.redis,
    redisPrefix: stack.ctx.redisPrefix,
  });
  const event = (connectionId: string) => ({
    type: 'STATUS_CHANGED' as const,
    connectionId,
    crm: 'x',
    status: 'NEEDS_REAUTH' as const,
    reason: null,
    occurredAt: new Date(),
  });
  // The other connection's event goes first: had it been delivered, it would be the first item.
  await publisher.publishConnectionEvent(t.tenantId, event(t.connections.hubspot));
  await publisher.publishConnectionEvent(t.tenantId, event(t.connections.salesforce));
  const got = await events.until((items) => items.length >= 1);
  expect(got.map((e) => e.connectionEvents.connectionId)).toEqual([t.connections.salesforce]);
});

it("pushes write operations of the token's connections only", async () => {
  const token = await mint(stack.url, t.key, { connectionIds: [t.connections.hubspot], scope: 'READ_WRITE' });
  const write = async (connectionId: string) =>
    (
      await request(
        stack.url,
        CreateContactWriteDocument,
        { connectionId, input: { lastName: 'Ws' } },
        { key: t.key },
      )
    ).body.data!.createContact.id;
  const hidden = await write(t.connections.salesforce);
  const own = await write(t.connections.hubspot);
  const { client } = open(stack.url, token);
  const updates = collect<WriteOperationUpdatedSubscription>(client, print(WriteOperationUpdatedDocument), {
    ids: [hidden, own],
  });
  // Both current states are read in one batch; the hidden one would arrive with (or before) the own one.
  await updates.until((items) => items.some((i) => i.writeOperationUpdated.id === own));
  await request(stack.url, CancelWriteDocument, { id: own }, { key: t.key });
  const got = await updates.until((items) =>
    items.some((i) => i.writeOperationUpdated.status === 'CANCELLED'),
  );
  expect(got.map((i) => i.writeOperationUpdated.id)).toEqual([own, own]);
});

it('closes a socket with a forged token 4401', async () => {
  const good = await mint(stack.url, t.key, { connectionIds: [t.connections.salesforce] });
  const grant = {
    tenantId: t.tenantId,
    keyId,
    scope: 'read' as const,
    connectionIds: [t.connections.salesforce],
    objects: ['contact' as const],
    subject: 'user-1',
  };
  for (const [label, forged] of forgedTokens(good, stack.ctx.keyRing, grant)) {
    const { client, closed } = open(stack.url, `Bearer ${forged}`);
    client.subscribe(
      { query: print(HealthDocument) },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    const { code, reason } = await closed;
    expect({ label, code }).toEqual({ label, code: 4401 });
    expect(reason).toMatch(/^Unauthorized: /);
  }
});

it('closes an open socket 4401 when its token expires', async () => {
  // Minted here for a 2-second life (the API's minimum is 1 s of a 900 s default).
  const { token } = mintAccessToken(
    new AccessTokenKeys(stack.ctx.keyRing),
    {
      tenantId: t.tenantId,
      keyId,
      scope: 'read',
      connectionIds: [t.connections.hubspot],
      objects: ['contact'],
      subject: 'short',
    },
    2,
  );
  const { client, closed } = open(stack.url, token);
  keepBusy(client);
  expect(await closed).toEqual({ code: 4401, reason: 'Unauthorized: the access token has expired' });
});

it("closes its tokens' sockets on two gateways when the minting key is revoked", async () => {
  const peer = await stack.peer();
  try {
    await waitForSubscribers(storeChangesChannel(stack.ctx.redisPrefix), 2);
    const victim = await stack.tenant('wsrevoked');
    const token = await mint(stack.url, victim.key, { connectionIds: [victim.connections.hubspot] });
    const sockets = [open(stack.url, token), open(peer.url, token)];
    for (const s of sockets) keepBusy(s.client);
    await waitForSubscribers(connectionEventsChannel(stack.ctx.redisPrefix, victim.tenantId), 2);
    const victimKey = (await stack.ctx.store.apiKeys.listForTenant(victim.tenantId))[0]!.id;
    await stack.ctx.store.apiKeys.revoke(victimKey);
    for (const { closed } of sockets) {
      const outcome = await Promise.race([
        closed,
        new Promise<string>((r) => setTimeout(() => r('still open after 1 s'), 1000)),
      ]);
      expect(outcome).toEqual({
        code: 4401,
        reason: 'Unauthorized: the access token was minted by an API key that is revoked',
      });
    }
  } finally {
    await peer.close();
  }
});
