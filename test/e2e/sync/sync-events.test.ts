import { type Client } from 'graphql-ws';
import { type TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { encodeRecordId } from '../../../src/reads/ids';
import { startGatewayServer } from '../../../src/server/http-server';
import { startWorker } from '../../../src/worker/worker';
import { type NewChangeEvent } from '../../../src/store/repositories/change-events.repo';
import { type ChangeKind } from '../../../src/store/models/change-event.model';
import { request, startTestGateway, type TestGateway, wsClient } from '../support/gateway';
import { within } from '../../support/within';

/**
 * `syncEvents` and `changeHistory` as a client sees them: events recorded by any process (here: the
 * change log, as a worker records them) are pushed in order, replayed after a cursor with no gap and no
 * duplicate at the seam — across a gateway restart too — and never to another tenant. Hostile cursors
 * are BAD_USER_INPUT.
 */

interface Pushed {
  syncEvents: {
    cursor: string;
    remoteId: string;
    kind: string;
    source: string;
    connectionId: string;
    changes: { field: string; before: unknown; after: unknown }[];
  };
}

const SUBSCRIPTION = `subscription($after: String, $filter: SyncEventFilter) {
  syncEvents(after: $after, filter: $filter) { cursor remoteId kind source connectionId changes { field before after } }
}`;

let gw: TestGateway;
const clients: Client[] = [];
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await gw.close();
});

let counter = 0;
function event(tenantId: string, kind: ChangeKind = 'UPDATED', connectionId = 'conn_a'): NewChangeEvent {
  const at = new Date();
  counter += 1;
  return {
    tenantId,
    connectionId,
    object: 'contact',
    remoteId: `r${counter}`,
    kind,
    source: 'WEBHOOK',
    changes: [{ field: 'email', before: null, after: `r${counter}@example.com` }],
    occurredAt: at,
    observedAt: at,
    hard: false,
    writeOperationId: null,
  };
}

async function record(tenantId: string, events: NewChangeEvent[]) {
  return gw.ctx.changeLog.record(
    tenantId,
    events.map((e) => ({
      event: e,
      snapshot: {
        tenantId,
        connectionId: e.connectionId,
        object: e.object,
        remoteId: e.remoteId,
        fields: [],
        isDeleted: false,
        remoteUpdatedAt: null,
        writeOperationId: null,
      },
      isNew: true,
    })),
  );
}

function subscribe(url: string, key: string, variables: Record<string, unknown> = {}) {
  const client = wsClient(url, `Bearer ${key}`);
  clients.push(client);
  const items: Pushed['syncEvents'][] = [];
  const errors: unknown[] = [];
  client.subscribe<Pushed>(
    { query: SUBSCRIPTION, variables },
    {
      next: (r) => {
        if (r.data) items.push(r.data.syncEvents);
        if (r.errors) errors.push(...r.errors);
      },
      error: (e) => errors.push(...(Array.isArray(e) ? e : [e])),
      complete: () => undefined,
    },
  );
  return { client, items, errors };
}

/**
 * Waits until a live-only subscription is live: records marker events (DELETED, so filtered
 * subscriptions see them too) until each subscription has received one, then forgets the markers.
 */
async function live(tenantId: string, ...subs: ReturnType<typeof subscribe>[]) {
  await subscribed(tenantId, 1);
  for (let attempt = 0; ; attempt++) {
    const [marker] = await record(tenantId, [event(tenantId, 'DELETED', 'conn_marker')]);
    try {
      await within(1_000, async () => {
        for (const s of subs) expect(s.items.some((e) => e.remoteId === marker!.remoteId)).toBe(true);
      });
      break;
    } catch (err) {
      if (attempt >= 20) throw err;
    }
  }
  for (const s of subs) s.items.splice(0, s.items.length);
}

async function subscribed(tenantId: string, n: number) {
  const channel = `${gw.ctx.redisPrefix}:events:sync:${tenantId}`;
  await within(10_000, async () => {
    const [, count] = (await gw.ctx.redis.pubsub('NUMSUB', channel)) as [string, number];
    expect(Number(count)).toBeGreaterThanOrEqual(n);
  });
}

it("pushes a tenant's new events in order, to that tenant only, filtered as asked", async () => {
  const a = await gw.tenant('sync-a');
  const b = await gw.tenant('sync-b');
  await record(a.tenantId, [event(a.tenantId)]); // before subscribing: not pushed
  const all = subscribe(gw.url, a.key);
  const deletes = subscribe(gw.url, a.key, { filter: { types: ['DELETED'] } });
  const other = subscribe(gw.url, b.key);
  await live(a.tenantId, all, deletes);
  await live(b.tenantId, other);
  const fresh = [event(a.tenantId), event(a.tenantId, 'DELETED'), event(a.tenantId, 'UPDATED', 'conn_b')];
  await record(a.tenantId, fresh.slice(0, 2));
  await record(a.tenantId, fresh.slice(2));
  await within(10_000, async () => expect(all.items).toHaveLength(3));
  expect(all.items.map((e) => e.remoteId)).toEqual(fresh.map((e) => e.remoteId));
  expect(all.items[0]!.changes).toEqual([
    { field: 'email', before: null, after: fresh[0]!.changes[0]!.after },
  ]);
  await within(10_000, async () =>
    expect(deletes.items.map((e) => e.remoteId)).toEqual([fresh[1]!.remoteId]),
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(other.items).toEqual([]);
  expect(all.errors).toEqual([]);
});

it('replays after a cursor then goes live with no gap and no duplicate, while events keep coming', async () => {
  const t = await gw.tenant('sync-replay');
  const first = await record(t.tenantId, [event(t.tenantId)]);
  const current = subscribe(gw.url, t.key);
  await live(t.tenantId, current);
  const second = [event(t.tenantId)];
  await record(t.tenantId, second);
  await within(10_000, async () => expect(current.items).toHaveLength(1));
  const cursor = current.items[0]!.cursor;
  expect(first).toHaveLength(1);

  // 600 stored after the cursor (more than one read chunk), then 60 more while the replay runs.
  const stored: string[] = [];
  for (let i = 0; i < 6; i++) {
    const batch = Array.from({ length: 100 }, () => event(t.tenantId));
    await record(t.tenantId, batch);
    stored.push(...batch.map((e) => e.remoteId));
  }
  const replay = subscribe(gw.url, t.key, { after: cursor });
  const during = Array.from({ length: 60 }, () => event(t.tenantId));
  await Promise.all(
    Array.from({ length: 6 }, (_, i) => record(t.tenantId, during.slice(i * 10, i * 10 + 10))),
  );
  await within(20_000, async () => expect(replay.items.length).toBeGreaterThanOrEqual(660));
  await new Promise((r) => setTimeout(r, 300));
  const got = replay.items.map((e) => e.remoteId);
  expect(got).toHaveLength(660);
  expect(new Set(got).size).toBe(660);
  expect(got.slice(0, 600)).toEqual(stored);
  expect(new Set(got.slice(600))).toEqual(new Set(during.map((e) => e.remoteId)));
});

it('resumes on another gateway after a restart with every event it missed', async () => {
  const t = await gw.tenant('sync-restart');
  const peer = await startGatewayServer(gw.ctx, { host: '127.0.0.1', port: 0 });
  const before = subscribe(peer.url, t.key);
  await live(t.tenantId, before);
  await record(t.tenantId, [event(t.tenantId)]);
  await within(10_000, async () => expect(before.items).toHaveLength(1));
  const cursor = before.items[0]!.cursor;
  await before.client.dispose();
  await peer.close();
  const missed = Array.from({ length: 5 }, () => event(t.tenantId));
  await record(t.tenantId, missed);
  const after = subscribe(gw.url, t.key, { after: cursor });
  await within(10_000, async () => expect(after.items).toHaveLength(5));
  expect(after.items.map((e) => e.remoteId)).toEqual(missed.map((e) => e.remoteId));
});

it('refuses forged, altered and foreign cursors with BAD_USER_INPUT', async () => {
  const t = await gw.tenant('sync-cursor');
  const other = await gw.tenant('sync-cursor-other');
  const theirs = subscribe(gw.url, other.key);
  await live(other.tenantId, theirs);
  await record(other.tenantId, [event(other.tenantId)]);
  await within(10_000, async () => expect(theirs.items).toHaveLength(1));
  const foreign = theirs.items[0]!.cursor;
  const altered = foreign.slice(0, -2) + (foreign.endsWith('AA') ? 'BB' : 'AA');
  for (const after of [foreign, altered, 'c1.k.AAAA', 'x'.repeat(5_000), '{"seq":1}']) {
    const s = subscribe(gw.url, t.key, { after });
    await within(10_000, async () => expect(s.errors.length).toBeGreaterThan(0));
    expect(JSON.stringify(s.errors)).toMatch(/BAD_USER_INPUT/);
    expect(s.items).toEqual([]);
  }
});

it("pages one record's changeHistory to its end at an odd page size, and refuses another record's cursor", async () => {
  const t = await gw.tenant('sync-history');
  const connection = await gw.ctx.store.connections.create({
    tenantId: t.tenantId,
    crm: 'hubspot',
    displayName: 'history',
    credentials: { accessToken: 'unused' },
  });
  const e = event(t.tenantId, 'UPDATED', connection.id);
  const noise = event(t.tenantId, 'UPDATED', connection.id);
  for (let i = 0; i < 7; i++) {
    await record(t.tenantId, [{ ...e, changes: [{ field: 'n', before: i, after: i + 1 }] }, noise]);
  }
  type Page = {
    changeHistory: {
      nodes: { changes: { after: number }[] }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };
  const history = (remoteId: string, connectionId = connection.id) =>
    parse(`query($after: String) {
      changeHistory(connectionId: "${connectionId}", object: CONTACT, remoteId: "${remoteId}", first: 3, after: $after) {
        nodes { changes { after } } pageInfo { hasNextPage endCursor }
      }
    }`) as TypedDocumentNode<Page, { after?: string | null }>;
  const seen: number[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const res: Awaited<ReturnType<typeof request<Page, { after?: string | null }>>> = await request(
      gw.url,
      history(e.remoteId),
      { after },
      { key: t.key },
    );
    expect(res.body.errors).toBeUndefined();
    const page: Page['changeHistory'] = res.body.data!.changeHistory;
    pages += 1;
    seen.push(...page.nodes.map((n) => n.changes[0]!.after));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
  expect(pages).toBe(3);

  const first = await request(gw.url, history(e.remoteId), {}, { key: t.key });
  const foreign = await request(
    gw.url,
    history(noise.remoteId),
    { after: first.body.data!.changeHistory.pageInfo.endCursor },
    { key: t.key },
  );
  expect(JSON.stringify(foreign.body.errors)).toMatch(/BAD_USER_INPUT/);

  // Another tenant asking for this connection's history: NOT_FOUND, as for an unknown id.
  const stranger = await gw.tenant('sync-history-stranger');
  const refused = await request(gw.url, history(e.remoteId), {}, { key: stranger.key });
  expect(JSON.stringify(refused.body.errors)).toMatch(/NOT_FOUND/);
});

describe('lifecycle and privacy', () => {
  const gql = <T>(q: string) => parse(q) as TypedDocumentNode<T, Record<string, unknown>>;

  async function seeded(name: string) {
    const t = await gw.tenant(name);
    const connection = await gw.ctx.store.connections.create({
      tenantId: t.tenantId,
      crm: 'hubspot',
      displayName: name,
      credentials: { accessToken: 'unused' },
    });
    const kept = event(t.tenantId, 'UPDATED', connection.id);
    const erased = event(t.tenantId, 'UPDATED', connection.id);
    await record(t.tenantId, [kept, erased, { ...erased, kind: 'DELETED', changes: [] }]);
    return { t, connection, kept, erased };
  }

  const historyOf = (connectionId: string, remoteId: string) =>
    gw.ctx.store.changeEvents.forRecord(connectionId, 'contact', remoteId);

  it("eraseRecord removes one record's snapshot and history, for its own tenant's read_write key only", async () => {
    const { t, connection, kept, erased } = await seeded('erase');
    const id = encodeRecordId({ object: 'contact', connectionId: connection.id, remoteId: erased.remoteId });
    const erase = gql<{ eraseRecord: { snapshots: number; events: number } }>(
      `mutation($id: ID!) { eraseRecord(id: $id, object: CONTACT) { snapshots events } }`,
    );
    const reader = await gw.tenant('erase-reader', 'read');
    expect(JSON.stringify((await request(gw.url, erase, { id }, { key: reader.key })).body.errors)).toMatch(
      /FORBIDDEN/,
    );
    const stranger = await gw.tenant('erase-stranger');
    expect(JSON.stringify((await request(gw.url, erase, { id }, { key: stranger.key })).body.errors)).toMatch(
      /NOT_FOUND/,
    );
    expect(
      (await request(gw.url, erase, { id: 'not-an-id!' }, { key: t.key })).body.errors?.[0]?.extensions?.code,
    ).toBe('BAD_USER_INPUT');
    expect(await historyOf(connection.id, erased.remoteId)).toHaveLength(2);

    const res = await request(gw.url, erase, { id }, { key: t.key });
    expect(res.body.data?.eraseRecord).toEqual({ snapshots: 1, events: 2 });
    expect(await historyOf(connection.id, erased.remoteId)).toEqual([]);
    expect(await historyOf(connection.id, kept.remoteId)).toHaveLength(1);
  });

  it('deleting a connection purges its snapshots, history and writes in a worker job', async () => {
    const { t, connection, kept } = await seeded('purge');
    const other = await seeded('purge-other');
    const worker = await startWorker(gw.ctx);
    try {
      const del = gql<{ deleteConnection: { id: string } }>(
        `mutation($id: ID!) { deleteConnection(id: $id) { id } }`,
      );
      expect((await request(gw.url, del, { id: connection.id }, { key: t.key })).body.errors).toBeUndefined();
      await within(20_000, async () => {
        expect(await historyOf(connection.id, kept.remoteId)).toEqual([]);
        const snaps = await gw.ctx.store.recordSnapshots.findMany(connection.id, 'contact', [kept.remoteId]);
        expect(snaps.size).toBe(0);
      });
      expect(await historyOf(other.connection.id, other.kept.remoteId)).toHaveLength(1);
    } finally {
      await worker.close();
    }
  });
});
