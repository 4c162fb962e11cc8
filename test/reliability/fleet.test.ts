import { type Client } from 'graphql-ws';
import { wsClient } from '../e2e/support/gateway';
import { within } from '../support/within';
import { UPSERT_CONTACTS } from '../support/write-contract';
import Redis from 'ioredis';
import { type AppContext } from '../../src/runtime/context';
import { disconnectRedis } from '../../src/runtime/services/redis-disconnect';
import { fleetForFile } from './support/fleet';

/**
 * The fleet harness itself, which the scale-out scenarios (issue 23) trust: 2 gateway and 3 worker
 * processes, each its own OS process, serving one tenant over one database and Redis; a gateway
 * killed with -9 comes back on the same URL.
 */
describe('the reliability fleet', () => {
  const fleet = fleetForFile({ prefix: 'cgwfleet' });

  const CONTACTS = `query ($c: ID!) { contacts(connectionId: $c, first: 2) { edges { node { id } } } }`;

  it('runs 2 gateways and 3 workers as separate processes, each gateway serving the tenant', async () => {
    const pids = [...fleet().gateways, ...fleet().workers].map((p) => p.pid);
    expect(new Set([...pids, process.pid]).size).toBe(6);
    expect(new Set(fleet().urls).size).toBe(2);
    for (const i of [0, 1]) {
      const body = await fleet().exec(CONTACTS, { c: fleet().tenant.connections.hubspot }, i);
      expect(body.errors).toBeUndefined();
      expect((body.data as { contacts: { edges: unknown[] } }).contacts.edges).toHaveLength(2);
    }
    expect(() => fleet().exec(CONTACTS, {}, 2)).toThrow('no gateway 2');
  });

  it('kills a gateway with -9 and restarts it on the same URL', async () => {
    const { pid, url } = fleet().gateways[1]!;
    await fleet().gateways[1]!.kill9();
    expect(() => process.kill(pid!, 0)).toThrow();
    await expect(fleet().exec(CONTACTS, { c: fleet().tenant.connections.hubspot }, 1)).rejects.toThrow();
    await fleet().gateways[1]!.restart();
    expect(fleet().gateways[1]!.url).toBe(url);
    expect(fleet().gateways[1]!.starts).toBe(2);
    const body = await fleet().exec(CONTACTS, { c: fleet().tenant.connections.hubspot }, 1);
    expect(body.errors).toBeUndefined();
  });

  it('takes a list cursor issued by one gateway on the other', async () => {
    const c = fleet().tenant.connections.hubspot;
    const PAGE = `query ($c: ID!, $after: String) { contacts(connectionId: $c, first: 2, after: $after) { edges { node { id } } pageInfo { endCursor } } }`;
    type Page = { contacts: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string } } };
    const page = async (g: number, after?: string) => {
      const body = await fleet().exec(PAGE, { c, after }, g);
      expect(body.errors).toBeUndefined();
      return (body.data as Page).contacts;
    };
    const first = await page(0);
    const onOther = await page(1, first.pageInfo.endCursor);
    const onSame = await page(0, first.pageInfo.endCursor);
    expect(onOther.edges.length).toBeGreaterThan(0);
    // Cursors are sealed afresh on every answer: the pages, not the cursors, are the same.
    expect(onOther.edges).toEqual(onSame.edges);
    expect(onOther.edges.map((e) => e.node.id)).not.toContain(first.edges[0]!.node.id);
  });

  it('replays an idempotency key used on one gateway when the retry reaches the other', async () => {
    const c = fleet().tenant.connections.salesforce;
    const key = `handoff-${Date.now()}`;
    const items = [{ input: { lastName: 'Handoff', email: `${key}@example.org` } }];
    const ids = async (g: number) => {
      const body = await fleet().exec(UPSERT_CONTACTS, { c, items, key }, g);
      expect(body.errors).toBeUndefined();
      return (body.data as { upsertContacts: { id: string }[] }).upsertContacts.map((o) => o.id);
    };
    const first = await ids(0);
    expect(await ids(1)).toEqual(first);
    // The same key with another body is a different request, refused wherever it lands.
    const other = await fleet().exec(
      UPSERT_CONTACTS,
      { c, items: [{ input: { lastName: 'Other' } }], key },
      1,
    );
    expect(other.errors).toBeDefined();
  });

  it('resumes syncEvents(after:) on one gateway from a cursor the other pushed, with no gap', async () => {
    const { tenantId, connections, key } = fleet().tenant;
    const remoteIds = Array.from({ length: 6 }, (_, i) => `handoff-${Date.now()}-${i}`);
    const live = subscribe(0);
    const redis = new Redis(fleet().redis.url, { maxRetriesPerRequest: 1 });
    try {
      // Gateway 0 delivers what is recorded from now on once its subscription is on Redis.
      const channel = `${fleet().name}:events:sync:${tenantId}`;
      await within(10_000, async () => {
        const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
        expect(Number(count)).toBeGreaterThanOrEqual(1);
      });
      await record(fleet().stack.ctx, tenantId, connections.hubspot, remoteIds);
      await within(15_000, async () => expect(live.ours(remoteIds)).toHaveLength(6));
      const resumed = subscribe(1, live.items.find((e) => e.remoteId === remoteIds[0])!.cursor);
      await within(15_000, async () =>
        expect({ got: resumed.ours(remoteIds), errors: resumed.errors }).toEqual({
          got: remoteIds.slice(1),
          errors: [],
        }),
      );
      await resumed.client.dispose();
    } finally {
      await live.client.dispose();
      disconnectRedis(redis);
    }

    function subscribe(gateway: number, after?: string) {
      const client: Client = wsClient(fleet().urls[gateway]!, `Bearer ${key}`);
      const items: { remoteId: string; cursor: string }[] = [];
      const errors: unknown[] = [];
      client.subscribe<{ syncEvents: { remoteId: string; cursor: string } }>(
        {
          query: 'subscription ($after: String) { syncEvents(after: $after) { remoteId cursor } }',
          variables: { after },
        },
        {
          next: (r) => {
            if (r.data) items.push(r.data.syncEvents);
            if (r.errors) errors.push(...r.errors);
          },
          error: (e) => errors.push(e),
          complete: () => undefined,
        },
      );
      const ours = (ids: string[]) => items.map((e) => e.remoteId).filter((r) => ids.includes(r));
      return { client, items, errors, ours };
    }
  });
});

/** Change events of `remoteIds`, recorded as a worker's ingest records them (the deployment's change log). */
async function record(
  ctx: AppContext,
  tenantId: string,
  connectionId: string,
  remoteIds: string[],
): Promise<void> {
  const at = new Date();
  const common = { tenantId, connectionId, object: 'contact' as const, remoteId: '', writeOperationId: null };
  await ctx.changeLog.record(
    tenantId,
    remoteIds.map((remoteId) => ({
      event: {
        ...common,
        remoteId,
        kind: 'UPDATED' as const,
        source: 'WEBHOOK' as const,
        changes: [{ field: 'email', before: null, after: `${remoteId}@example.org` }],
        occurredAt: at,
        observedAt: at,
        hard: false,
      },
      snapshot: { ...common, remoteId, fields: [], isDeleted: false, remoteUpdatedAt: null },
      isNew: true,
    })),
  );
}
