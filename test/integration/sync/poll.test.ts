import { createLogger } from '../../../src/logger';
import { backgroundMetadata } from '../../../src/reads/background-metadata';
import { type CrmObject } from '../../../src/connectors/types';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { ingestOf } from '../../../src/sync/ingest';
import { syncJobDeps } from '../../../src/worker/sync/sync-deps';
import { type PollDeps, pollObject } from '../../../src/sync/poll/poll-object';
import { POLL_OVERLAP_MS } from '../../../src/sync/poll/poll-window';
import { type IngestChanges } from '../../../src/sync/types';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { eventsByRecord, sandboxAdmin } from '../../support/sync-records';

/**
 * Polling against the real sandboxes and stores: changes made as a CRM user would (the sandboxes'
 * admin API) and missed by webhooks reach the change history through the next poll, once each —
 * across page boundaries inside one timestamp, overlap re-reads, a poll that dies mid-way and two
 * workers polling at once.
 */

jest.setTimeout(60_000);

let stack: ReadStack;
let tenant: ReadTenant;
let ingest: IngestChanges;
let hubspot: ConnectionView;
let salesforce: ConnectionView;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('poll'),
    orgs: {
      salesforce: [{ id: 'default', seed: 34, counts: { Contact: 12, Opportunity: 2, Account: 2 } }],
      hubspot: [{ id: 'default', seed: 34, counts: { contacts: 6, deals: 2 } }],
    },
  });
  tenant = await stack.tenant('poll');
  hubspot = await stack.ctx.store.connections.getById(tenant.connections.hubspot);
  salesforce = await stack.ctx.store.connections.getById(tenant.connections.salesforce);
  await stack.unthrottle('salesforce', salesforce.id);
  await stack.unthrottle('hubspot', hubspot.id);
  salesforce = await stack.ctx.store.connections.getById(salesforce.id);
  hubspot = await stack.ctx.store.connections.getById(hubspot.id);
  ingest = ingestOf({ ...stack.ctx, logger });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** A poller as a worker builds one (src/worker/sync/sync-deps.ts), with its own lock client state. */
function poller(overrides: Partial<PollDeps> = {}): PollDeps {
  return { ...syncJobDeps({ ...stack.ctx, logger }, overrides.ingest ?? ingest).poll, ...overrides };
}

/** Counts ingest calls and what they were given, then ingests for real. */
function counting(): { ingest: IngestChanges; calls: number; changes: number } {
  const c = {
    calls: 0,
    changes: 0,
    ingest: async (batch: Parameters<IngestChanges>[0]) => {
      c.calls += 1;
      c.changes += batch.changes.length;
      return ingest(batch);
    },
  };
  return c;
}

const admin = (crm: 'hubspot' | 'salesforce', method: string, path: string, body?: unknown) =>
  sandboxAdmin(stack, crm, method, path, body);
const eventsById = (connection: ConnectionView, object: CrmObject) =>
  eventsByRecord(stack, connection, object);

/** Six Salesforce contacts created in one collections call: one request, one SystemModstamp. */
async function sameInstantContacts(n: number): Promise<string[]> {
  const connector = (await backgroundMetadata(stack.ctx, salesforce)).connector;
  const tag = Math.random().toString(36).slice(2, 8);
  const results = await connector.upsertRecords(
    'contact',
    Array.from({ length: n }, (_, i) => ({
      ref: String(i),
      fields: { LastName: `Tie${tag}${i}`, Email: `tie.${tag}.${i}@example.com` },
    })),
  );
  return results.map((r) => (r.ok ? r.remoteId : Promise.reject(new Error(JSON.stringify(r))))) as string[];
}

it('closes the gap of dropped webhooks at the next poll: one event per CRM-side change', async () => {
  const deps = poller();
  // The first poll of an object only sets its mark (the backfill pulls what exists).
  expect(await pollObject(deps, hubspot, 'contact')).toMatchObject({ result: 'started' });
  // No webhook target: every delivery of these edits is dropped.
  const a = String(
    (
      await admin('hubspot', 'POST', '/records/contacts', {
        firstname: 'Ada',
        lastname: 'L',
        email: `ada.${Date.now()}@example.com`,
      })
    ).id,
  );
  const b = String(
    (
      await admin('hubspot', 'POST', '/records/contacts', {
        firstname: 'Bea',
        lastname: 'K',
        email: `bea.${Date.now()}@example.com`,
      })
    ).id,
  );
  await admin('hubspot', 'PATCH', `/records/contacts/${a}`, { firstname: 'Augusta' });
  await admin('hubspot', 'DELETE', `/records/contacts/${b}`);

  const out = await pollObject(deps, hubspot, 'contact');
  expect(out).toMatchObject({ result: 'done' });
  const events = await eventsById(hubspot, 'contact');
  expect(events.get(a)).toEqual([['CREATED', 'POLL']]);
  // Created and deleted between two polls: seen once, as the deletion of a record never seen.
  expect(events.get(b)).toEqual([['DELETED', 'POLL']]);
  const state = await stack.ctx.store.syncStates.getPoll(hubspot.id, 'contact');
  expect(state).toMatchObject({ pollCursor: null, lastError: null });

  // Another edit and poll: exactly the one UPDATED more.
  await admin('hubspot', 'PATCH', `/records/contacts/${a}`, { lastname: 'Lovelace' });
  await pollObject(deps, hubspot, 'contact');
  expect((await eventsById(hubspot, 'contact')).get(a)).toEqual([
    ['CREATED', 'POLL'],
    ['UPDATED', 'POLL'],
  ]);
});

it('records each of the records that share one timestamp across a page boundary once, and nothing on the overlap re-read', async () => {
  const deps = poller({ pageSize: 4 });
  await pollObject(deps, salesforce, 'contact');
  const ids = await sameInstantContacts(9);
  const connector = (await backgroundMetadata(stack.ctx, salesforce)).connector;
  const stamps = new Set((await connector.getRecords('contact', ids)).map((r) => r!.updatedAt));
  expect(stamps.size).toBe(1); // the premise: one instant for all nine

  const counter = counting();
  const out = await pollObject({ ...deps, ingest: counter.ingest }, salesforce, 'contact');
  expect(out.result).toBe('done');
  expect(out.pages).toBeGreaterThanOrEqual(3); // nine ties over pages of four
  const events = await eventsById(salesforce, 'contact');
  for (const id of ids) expect(events.get(id)).toEqual([['CREATED', 'POLL']]);

  // The next poll re-reads the overlap (the nine are inside it) and records nothing.
  const again = await pollObject(deps, salesforce, 'contact');
  expect(again).toMatchObject({ result: 'done', events: 0 });
  expect(again.changes).toBeGreaterThanOrEqual(ids.length);
  expect(await eventsById(salesforce, 'contact')).toEqual(events);
  // The mark is the latest change time seen, which the next poll reads from minus the overlap.
  const state = await stack.ctx.store.syncStates.getPoll(salesforce.id, 'contact');
  expect(state!.highWater!.getTime()).toBeGreaterThanOrEqual(Date.parse([...stamps][0]!));
  expect(POLL_OVERLAP_MS).toBe(120_000);
});

it('catches a change that became visible after the poll passed its time (a late commit), through the overlap', async () => {
  const deps = poller();
  await pollObject(deps, salesforce, 'contact');
  await sameInstantContacts(1);
  await pollObject(deps, salesforce, 'contact');
  const mark = (await stack.ctx.store.syncStates.getPoll(salesforce.id, 'contact'))!.highWater!;
  // A contact stamped 30 s before the mark, appearing only now: as a transaction that committed late.
  await admin('salesforce', 'PUT', '/clock', { offsetMs: mark.getTime() - 30_000 - Date.now() });
  let late: string;
  try {
    late = String((await admin('salesforce', 'POST', '/records/Contact', { LastName: 'Late' })).Id);
  } finally {
    await admin('salesforce', 'PUT', '/clock', { offsetMs: 0 });
  }
  const connector = (await backgroundMetadata(stack.ctx, salesforce)).connector;
  const [record] = await connector.getRecords('contact', [late]);
  expect(Date.parse(record!.updatedAt!)).toBeLessThan(mark.getTime()); // the premise: behind the mark

  expect(await pollObject(deps, salesforce, 'contact')).toMatchObject({ result: 'done', events: 1 });
  expect((await eventsById(salesforce, 'contact')).get(late)).toEqual([['CREATED', 'POLL']]);
});

it('resumes a poll that died mid-pages from the cursor stored after its last ingested page', async () => {
  const deps = poller({ pageSize: 3 });
  await pollObject(deps, salesforce, 'deal'); // sets the mark
  await pollObject(deps, salesforce, 'contact');
  const ids = await sameInstantContacts(10);
  // The worker "dies" right after its third page was ingested, before that page's cursor was stored.
  const dyingPages: string[][] = [];
  const dying: IngestChanges = async (batch) => {
    const out = await ingest(batch);
    dyingPages.push(batch.changes.map((c) => c.remoteId));
    if (dyingPages.length === 3) throw new Error('worker killed');
    return out;
  };
  await expect(pollObject({ ...deps, ingest: dying }, salesforce, 'contact')).rejects.toThrow(
    'worker killed',
  );
  const stored = await stack.ctx.store.syncStates.getPoll(salesforce.id, 'contact');
  expect(stored).toMatchObject({ lastError: expect.stringContaining('worker killed') });
  expect(stored!.pollCursor).not.toBeNull(); // after page two

  const resumedPages: string[][] = [];
  const out = await pollObject(
    {
      ...deps,
      ingest: async (batch) => {
        resumedPages.push(batch.changes.map((c) => c.remoteId));
        return ingest(batch);
      },
    },
    salesforce,
    'contact',
  );
  expect(out.result).toBe('done');
  const events = await eventsById(salesforce, 'contact');
  for (const id of ids) expect(events.get(id)).toEqual([['CREATED', 'POLL']]);
  // Resumed at the page it died on (read again, recorded nothing twice), never before it.
  expect(resumedPages[0]).toEqual(dyingPages[2]);
  const before = new Set([...dyingPages[0]!, ...dyingPages[1]!]);
  expect(resumedPages.flat().filter((id) => before.has(id))).toEqual([]);
  expect(await stack.ctx.store.syncStates.getPoll(salesforce.id, 'contact')).toMatchObject({
    pollCursor: null,
    lastError: null,
  });
});

it('lets one of two workers polling one object at once read it; the other does nothing', async () => {
  await pollObject(poller(), salesforce, 'contact');
  const ids = await sameInstantContacts(8);
  // Slow vendor calls, so both workers are surely inside their poll at the same time.
  await stack.setFaults('salesforce', { latencyMs: 40 });
  const workers = Array.from({ length: 4 }, () => counting());
  try {
    const outs = await Promise.all(
      workers.map((w) => pollObject(poller({ pageSize: 3, ingest: w.ingest }), salesforce, 'contact')),
    );
    expect(outs.map((o) => o.result).sort()).toEqual(['busy', 'busy', 'busy', 'done']);
    const reader = outs.findIndex((o) => o.result === 'done');
    // Only the reader ingested, each page once.
    expect(workers.map((w) => w.calls)).toEqual(workers.map((_, i) => (i === reader ? outs[i]!.pages : 0)));
  } finally {
    await stack.setFaults('salesforce', null);
  }
  const events = await eventsById(salesforce, 'contact');
  for (const id of ids) expect(events.get(id)).toEqual([['CREATED', 'POLL']]);
});

it('asks for a full reconcile, and restarts the mark at its start, when the mark is older than the change feed reaches', async () => {
  const deps = poller();
  await pollObject(deps, salesforce, 'deal');
  // A mark from 16 days ago, stored as a poller would (under the lock, with its fence).
  const stored = (await stack.ctx.store.syncStates.getPoll(salesforce.id, 'deal'))!;
  const lease = (await deps.lock.tryAcquire(salesforce.id, 'deal', stored.fence))!;
  const old = new Date(Date.now() - 16 * 86_400_000);
  await stack.ctx.store.syncStates.putPoll({ ...stored, highWater: old }, lease.fence);
  await deps.lock.release(lease);

  const before = Date.now();
  expect(await pollObject(deps, salesforce, 'deal')).toMatchObject({ result: 'reconcile', pages: 0 });
  const requested = await deps.requests.latest(salesforce.id, 'deal');
  expect(requested!.getTime()).toBeGreaterThanOrEqual(before);
  const after = await stack.ctx.store.syncStates.getPoll(salesforce.id, 'deal');
  expect(after).toMatchObject({ highWater: requested, restartedAt: requested, pollCursor: null });
  // Polling goes on from there.
  expect(await pollObject(deps, salesforce, 'deal')).toMatchObject({ result: 'done' });
});
