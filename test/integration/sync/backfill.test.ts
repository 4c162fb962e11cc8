import { loadEnv } from '../../../src/config/env';
import { type CrmObject } from '../../../src/connectors/types';
import { createLogger } from '../../../src/logger';
import { type AppContext, createAppContext } from '../../../src/runtime/context';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { type BackfillDeps, backfillObject } from '../../../src/sync/backfill/backfill-object';
import { type PollDeps, pollObject } from '../../../src/sync/poll/poll-object';
import { SyncLock } from '../../../src/sync/poll/sync-lock';
import { ingestOf } from '../../../src/sync/ingest';
import { syncJobDeps } from '../../../src/worker/sync/sync-deps';
import { type IngestChanges } from '../../../src/sync/types';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { eventsByRecord, sandboxAdmin } from '../../support/sync-records';
import { within } from '../../support/within';

/**
 * Backfill against the real sandboxes and stores: a connection's first sync lists every record and
 * records each once (CREATED, source BACKFILL), resumes where a dead worker left it, runs beside
 * polling, and — as a reconcile — records the deletions a change feed no longer reports.
 */

jest.setTimeout(90_000);

const CONTACTS = 600;
let stack: ReadStack;
let tenant: ReadTenant;
let ingest: IngestChanges;
let hubspot: ConnectionView;
let salesforce: ConnectionView;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('backfill'),
    orgs: {
      salesforce: [{ id: 'default', seed: 35, counts: { Contact: CONTACTS, Opportunity: 4, Account: 3 } }],
      hubspot: [{ id: 'default', seed: 35, counts: { contacts: 6, deals: 2 } }],
    },
  });
  tenant = await stack.tenant('backfill');
  await stack.unthrottle('salesforce', tenant.connections.salesforce);
  await stack.unthrottle('hubspot', tenant.connections.hubspot);
  hubspot = await stack.ctx.store.connections.getById(tenant.connections.hubspot);
  salesforce = await stack.ctx.store.connections.getById(tenant.connections.salesforce);
  ingest = ingestOf({ ...stack.ctx, logger });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** What a worker's poll and backfill processors are given (src/worker/sync/sync-deps.ts), with overrides. */
function deps(overrides: Partial<BackfillDeps> = {}): { backfill: BackfillDeps; poll: PollDeps } {
  const { backfill, poll } = syncJobDeps({ ...stack.ctx, logger }, overrides.ingest ?? ingest);
  return { backfill: { ...backfill, ...overrides }, poll };
}

const admin = (crm: 'hubspot' | 'salesforce', method: string, path: string, body?: unknown) =>
  sandboxAdmin(stack, crm, method, path, body);
const eventsById = (connection: ConnectionView, object: CrmObject) =>
  eventsByRecord(stack, connection, object);

/** Runs an object's backfill to its end, chunk after chunk. */
async function backfillAll(d: BackfillDeps, c: ConnectionView, object: CrmObject): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const out = await backfillObject(d, c, object, 5);
    if (out.result !== 'more') return;
  }
}

it('polls beside a running backfill: a newer change is recorded by the poll meanwhile, and once', async () => {
  const { backfill, poll } = deps({ pageSize: 2 });
  expect(await pollObject(poll, hubspot, 'contact')).toMatchObject({ result: 'started' });
  expect(await backfillObject(backfill, hubspot, 'contact', 1)).toMatchObject({ result: 'more', records: 2 });

  // A backfill chunk is mid-page (its lock is held): a second backfill waits, a poll does not.
  const other = new SyncLock(stack.ctx.redis, stack.ctx.redisPrefix, 'backfill');
  const held = (await other.tryAcquire(hubspot.id, 'contact'))!;
  try {
    expect(await backfillObject(backfill, hubspot, 'contact', 1)).toMatchObject({ result: 'busy' });
    const id = String(
      (
        await admin('hubspot', 'POST', '/records/contacts', {
          firstname: 'New',
          lastname: 'Er',
          email: `n.${Date.now()}@example.com`,
        })
      ).id,
    );
    expect(await pollObject(poll, hubspot, 'contact')).toMatchObject({ result: 'done', events: 1 });
    expect((await eventsById(hubspot, 'contact')).get(id)).toEqual([['CREATED', 'POLL']]);
    expect(await stack.ctx.syncControl.status(hubspot)).toMatchObject({
      state: 'BACKFILLING',
      // The sandbox counts its contacts (exportRecords reports a total).
      backfill: { state: 'RUNNING', done: 2, total: expect.any(Number) },
    });
  } finally {
    await other.release(held);
  }
  await backfillAll(backfill, hubspot, 'contact');
  const events = await eventsById(hubspot, 'contact');
  // Every record once: the seeded ones by the backfill, the new one by the poll (the backfill's later
  // listing of it compared equal).
  expect([...events.values()].map((e) => e.length)).toEqual([...events.values()].map(() => 1));
  expect([...events.values()].filter((e) => e[0]![1] === 'BACKFILL')).toHaveLength(6);
  const state = await stack.ctx.store.syncStates.getBackfill(hubspot.id, 'contact');
  expect(state).toMatchObject({ state: 'DONE', mode: 'INITIAL', done: 7, cursor: null });
});

it('reconciles in full when the change feed cannot reach back: records gone from the CRM become DELETED', async () => {
  const { backfill, poll } = deps();
  await pollObject(poll, salesforce, 'deal');
  await backfillAll(backfill, salesforce, 'deal');
  const known = [...(await eventsById(salesforce, 'deal')).keys()];
  expect(known.length).toBeGreaterThanOrEqual(3);
  const [gone, kept] = known;
  await admin('salesforce', 'DELETE', `/records/Opportunity/${gone}`);
  await admin('salesforce', 'PATCH', `/records/Opportunity/${kept}`, { Name: 'Renamed in the CRM' });

  // The mark falls out of the change feed's reach (as after 16 days without a poll).
  const stored = (await stack.ctx.store.syncStates.getPoll(salesforce.id, 'deal'))!;
  const lease = (await poll.lock.tryAcquire(salesforce.id, 'deal', stored.fence))!;
  await stack.ctx.store.syncStates.putPoll(
    { ...stored, highWater: new Date(Date.now() - 16 * 86_400_000) },
    lease.fence,
  );
  await poll.lock.release(lease);
  expect(await pollObject(poll, salesforce, 'deal')).toMatchObject({ result: 'reconcile' });
  expect((await stack.ctx.syncControl.status(salesforce)).backfill.state).toBe('RUNNING');

  await backfillAll(backfill, salesforce, 'deal');
  const events = await eventsById(salesforce, 'deal');
  expect(events.get(gone!)).toEqual([
    ['CREATED', 'BACKFILL'],
    ['DELETED', 'BACKFILL'],
  ]);
  expect(events.get(kept!)).toEqual([
    ['CREATED', 'BACKFILL'],
    ['UPDATED', 'BACKFILL'],
  ]);
  for (const id of known.slice(2)) expect(events.get(id)).toEqual([['CREATED', 'BACKFILL']]);
  const state = await stack.ctx.store.syncStates.getBackfill(salesforce.id, 'deal');
  expect(state).toMatchObject({ state: 'DONE', mode: 'RECONCILE', done: known.length - 1 });
  // The poll mark restarted at the reconcile's start.
  expect((await stack.ctx.store.syncStates.getPoll(salesforce.id, 'deal'))!.highWater).toEqual(
    state!.startedAt,
  );
});

describe('a first sync in worker jobs', () => {
  const contexts: AppContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.close();
  });

  /** Another worker process's context over the stack's stores: one backfill page per job. */
  async function workerContext(): Promise<{ ctx: AppContext; worker: RunningWorker }> {
    const ctx = await createAppContext({
      env: loadEnv({
        ...stack.gatewayEnv(0),
        SYNC_POLL_EVERY_MS: '1000',
        SYNC_BACKFILL_CHUNK_PAGES: '1',
        SYNC_BACKFILL_PAGE_SIZE: '100',
      }),
      logger,
      keyRing: stack.ctx.keyRing,
      ...testStoreUrls(),
      dbName: stack.ctx.store.conn.name,
      redisPrefix: stack.ctx.redisPrefix,
    });
    contexts.push(ctx);
    return { ctx, worker: await startWorker(ctx) };
  }

  it('backfills a few hundred records with progress; a worker killed mid-way leaves the rest to another; each record once', async () => {
    // A worker dies right after ingesting the second page, before storing its position.
    let pages = 0;
    const dying: IngestChanges = async (batch) => {
      const out = await ingest(batch);
      if (++pages === 2) throw new Error('worker killed');
      return out;
    };
    await expect(
      backfillObject(deps({ ingest: dying, pageSize: 100 }).backfill, salesforce, 'contact', 10),
    ).rejects.toThrow('worker killed');
    expect(await stack.ctx.store.syncStates.getBackfill(salesforce.id, 'contact')).toMatchObject({
      state: 'RUNNING',
      done: 100,
    });

    // Worker A takes the run over (its first poll kicks the backfill), and is closed mid-way.
    await stack.setFaults('salesforce', { latencyMs: 150 });
    const a = await workerContext();
    await within(30_000, async () => {
      const s = await stack.ctx.store.syncStates.getBackfill(salesforce.id, 'contact');
      expect(s!.done).toBeGreaterThanOrEqual(200);
    });
    await a.worker.close();
    await a.ctx.close();
    const paused = await stack.ctx.store.syncStates.getBackfill(salesforce.id, 'contact');
    expect(paused).toMatchObject({ state: 'RUNNING' });
    expect(paused!.done).toBeLessThan(CONTACTS);
    await stack.setFaults('salesforce', null);

    // Worker B finishes it.
    const b = await workerContext();
    await within(30_000, async () =>
      expect(await stack.ctx.store.syncStates.getBackfill(salesforce.id, 'contact')).toMatchObject({
        state: 'DONE',
      }),
    );
    await b.worker.close();
    const done = await stack.ctx.store.syncStates.getBackfill(salesforce.id, 'contact');
    const live = stack.liveCount('salesforce', 'contact'); // the seed puts ~2% in the recycle bin
    expect(done).toMatchObject({ state: 'DONE', mode: 'INITIAL', done: live, total: live, cursor: null });
    const events = await eventsById(salesforce, 'contact');
    expect(events.size).toBe(live);
    for (const e of events.values()) expect(e).toEqual([['CREATED', 'BACKFILL']]);
    const status = await stack.ctx.syncControl.status(salesforce);
    expect(status).toMatchObject({ state: 'POLLING', lastError: null });
    expect(status.lastPollAt).not.toBeNull();
  });
});
