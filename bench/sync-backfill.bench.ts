/**
 * `npm run bench:sync` (backfill part; issue 18 "Benchmark"): a connection's first sync of every
 * contact through the real pieces — the scheduler's first poll, chained `sync-backfill` jobs on a real
 * worker, the connector's export (Salesforce: one Bulk API 2.0 query job above its 10,000-record
 * threshold; HubSpot: list paging), the ingest (snapshots, change log, one CREATED per record).
 *
 * - `sync.backfill.<crm>.records_per_s`: from the trigger to the backfill of every object DONE.
 * - `sync.backfill.<crm>.ceiling_records_per_s`: the same sandbox org read through the connector's
 *   `exportRecords` alone, in the same run — what the vendor side allows; the gap is the ingest's cost.
 * Each CRM runs alone (the other connection is disabled meanwhile). The run fails unless every live
 * record was recorded exactly once.
 *
 *   --salesforce=N (default 50,000; `BENCH_QUICK=1`: 12,000)   --hubspot=N (20,000; quick: 4,000)
 */
import 'reflect-metadata';
import { type CrmObject } from '../src/connectors/types';
import { type ConnectionView } from '../src/store/repositories/connections.repo';
import { SYNC_OBJECTS } from '../src/sync/sync-control';
import { startWorker } from '../src/worker/worker';
import { type ReadStack } from '../test/support/read-stack';
import { eventsByRecord } from '../test/support/sync-records';
import { arg, runBench } from './support/bench-cli';
import { withBenchStack } from './support/bench-stack';

const QUICK = process.env.BENCH_QUICK === '1';
type Crm = 'salesforce' | 'hubspot';

/** Records per second of the connector's export alone: every contact, page after page. */
async function exportCeiling(
  s: ReadStack,
  connection: ConnectionView,
): Promise<{ perSecond: number; count: number }> {
  const started = performance.now();
  let cursor: string | null = null;
  let count = 0;
  do {
    const page = await s.ctx.crm.connectorFor(connection, 'background').exportRecords!('contact', { cursor });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return { perSecond: count / ((performance.now() - started) / 1000), count };
}

/** Resolves when the backfill of every synced object of the connection is DONE; throws on FAILED. */
async function backfillDone(s: ReadStack, connectionId: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  const deadline = started + timeoutMs;
  let nextReport = started + 10_000;
  for (;;) {
    const { backfill } = await s.ctx.store.syncStates.forConnection(connectionId);
    const failed = backfill.find((b) => b.state === 'FAILED');
    if (failed) throw new Error(`backfill of ${failed.object} failed: ${failed.lastError}`);
    const sum = backfill.reduce((n, b) => n + b.done, 0);
    if (Date.now() >= nextReport) {
      // Progress on stderr: a rate that falls as the collections grow shows a store-side cost per record.
      console.error(
        `backfill ${connectionId}: ${sum} records after ${((Date.now() - started) / 1000).toFixed(0)} s`,
      );
      nextReport = Date.now() + 10_000;
    }
    const done = SYNC_OBJECTS.every((o: CrmObject) =>
      backfill.some((b) => b.object === o && b.state === 'DONE'),
    );
    if (done) return sum;
    if (Date.now() > deadline) throw new Error(`backfill not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const counts: Record<Crm, number> = {
    salesforce: arg('salesforce', QUICK ? 12_000 : 50_000),
    hubspot: arg('hubspot', QUICK ? 4_000 : 20_000),
  };
  await withBenchStack(
    'bench-sync-backfill',
    {
      orgs: {
        salesforce: [
          { id: 'default', seed: 7, counts: { Contact: counts.salesforce, Opportunity: 1, Account: 1 } },
        ],
        hubspot: [{ id: 'default', seed: 7, counts: { contacts: counts.hubspot, deals: 1 } }],
      },
    },
    async (s) => {
      const tenant = await s.tenant('bench-backfill');
      for (const crm of ['salesforce', 'hubspot'] as const) {
        await s.unthrottle(crm, tenant.connections[crm]);
        await s.ctx.store.connections.setStatus(tenant.connections[crm], 'DISABLED', 'bench: measured alone');
      }
      const worker = await startWorker(s.ctx);
      for (const crm of ['salesforce', 'hubspot'] as const) {
        const id = tenant.connections[crm];
        await s.ctx.store.connections.setStatus(id, 'ACTIVE');
        const connection = await s.ctx.store.connections.getById(id);
        const ceiling = await exportCeiling(s, connection);

        const started = performance.now();
        await s.ctx.syncControl.trigger(connection);
        const records = await backfillDone(s, id, QUICK ? 600_000 : 1_800_000);
        const seconds = (performance.now() - started) / 1000;
        const contacts = await eventsByRecord(s, connection, 'contact');
        const recordedTwice = [...contacts.values()].filter((kinds) => kinds.length !== 1).length;
        if (contacts.size !== ceiling.count || recordedTwice > 0)
          throw new Error(
            `${crm}: ${contacts.size} of ${ceiling.count} contacts recorded, ${recordedTwice} more than once`,
          );
        const p = `BENCH sync.backfill.${crm}`;
        console.log(`${p}.records ${records} records`);
        console.log(`${p}.seconds ${seconds.toFixed(1)} s`);
        console.log(`${p}.records_per_s ${(records / seconds).toFixed(0)} records/s`);
        console.log(`${p}.ceiling_records_per_s ${ceiling.perSecond.toFixed(0)} records/s`);
        await s.ctx.store.connections.setStatus(id, 'DISABLED', 'bench: measured');
      }
      await worker.close();
    },
  );
}

runBench(main);
