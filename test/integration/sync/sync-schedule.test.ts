import { createLogger } from '../../../src/logger';
import { QUEUES } from '../../../src/queue/queues';
import { SYNC_BACKFILL_JOB, SYNC_POLL_JOB } from '../../../src/queue/sync.producer';
import { ingestOf } from '../../../src/sync/ingest';
import { pollObject } from '../../../src/sync/poll/poll-object';
import { syncJobDeps } from '../../../src/worker/sync/sync-deps';
import { processSyncSchedule } from '../../../src/worker/sync/sync-schedule.processor';
import {
  READ_CRMS,
  type ReadStack,
  type ReadTenant,
  smallOrgs,
  startReadStack,
} from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The poll schedule and sync control over real Redis and FerretDB: due connections get one poll job
 * each (duplicates collapse), paused ones none and show PAUSED, and resync asks for a reconcile that
 * status reports at once.
 */

let stack: ReadStack;
let tenant: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('sync_schedule'),
    orgs: smallOrgs(['default'], 36),
  });
  tenant = await stack.tenant('schedule');
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it('enqueues one poll per due active connection, skips paused ones visibly, and reports both', async () => {
  const { ctx } = stack;
  const queue = ctx.queues.get(QUEUES.sync);
  await ctx.store.connections.setStatus(tenant.connections.hubspot, 'NEEDS_REAUTH', 'refresh token revoked');
  const schedule = processSyncSchedule({
    connections: ctx.store.connections,
    syncStates: ctx.store.syncStates,
    queue,
    logger: createLogger({ level: 'silent' }),
    pollEveryMs: 30_000,
  });
  // Every connection of the tenant (one per CRM) but the paused one is due.
  const active = READ_CRMS.filter((crm) => crm !== 'hubspot').map((crm) => tenant.connections[crm]);
  expect(await schedule()).toEqual({ due: active.length, paused: 1 });
  expect(await schedule()).toEqual({ due: active.length, paused: 1 });
  const waiting = await queue.getWaiting();
  const polled = waiting
    .filter((j) => j.name === SYNC_POLL_JOB)
    .map((j) => (j.data as { connectionId: string }).connectionId);
  expect(polled.sort()).toEqual([...active].sort());

  const hubspot = await ctx.store.connections.getById(tenant.connections.hubspot);
  const salesforce = await ctx.store.connections.getById(tenant.connections.salesforce);
  expect(await ctx.syncControl.status(hubspot)).toEqual({
    state: 'PAUSED',
    lastPollAt: null,
    lagMs: null,
    backfill: { state: 'NOT_STARTED', done: 0, total: null },
    lastError: 'refresh token revoked',
  });
  expect(await ctx.syncControl.status(salesforce)).toMatchObject({ state: 'PENDING' });

  // trigger collapses with the poll already waiting (one per connection still); resync asks for a
  // reconcile, shown at once.
  await ctx.syncControl.trigger(salesforce);
  await ctx.syncControl.resync(salesforce);
  const jobs = await queue.getWaiting();
  expect(jobs.filter((j) => j.name === SYNC_POLL_JOB)).toHaveLength(active.length);
  expect(jobs.filter((j) => j.name === SYNC_BACKFILL_JOB)).toHaveLength(1);
  expect(await ctx.syncControl.status(salesforce)).toMatchObject({
    state: 'BACKFILLING',
    backfill: { state: 'RUNNING', done: 0 },
  });

  // Once polled, a connection is due again only a poll interval later.
  const { poll } = syncJobDeps(ctx, ingestOf(ctx));
  for (const id of active) {
    const connection = await ctx.store.connections.getById(id);
    for (const object of ['contact', 'deal'] as const) await pollObject(poll, connection, object);
  }
  await queue.empty();
  expect(await schedule()).toEqual({ due: 0, paused: 1 });
  expect(await queue.getWaiting()).toEqual([]);
});
