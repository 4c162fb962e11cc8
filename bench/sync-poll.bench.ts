/**
 * `npm run bench:sync` (polling part; issue 18 "Benchmark"): from an edit in the CRM to the subscriber
 * when only polling can see it — a Salesforce connection (no signed webhooks), the real scheduler,
 * `sync-poll` jobs on a real worker, the ingest and `syncEvents` over a WebSocket.
 *
 * - `sync.poll_to_event_ms.p50/.p99`: a contact edited through the sandbox's admin API at a random
 *   moment (gaps drawn uniformly from 0 to one poll interval, so edits land anywhere in the cycle) to its
 *   UPDATED event at a subscriber. Edits are not waited for one by one: polling's latency is the wait
 *   for the next due poll plus the poll itself, and a bench that waited would fall into step with it.
 * - `sync.poll.interval_ms` and `sync.poll.schedule_tick_ms` beside them: the figure is dominated by
 *   `SYNC_POLL_EVERY_MS` (a deployment choice; 30 s by default) and the schedule's tick. The expected
 *   p50 is about half the interval plus half a tick; what the gateway adds is the rest.
 *
 *   --poll-every=MS (default 5000)   --edits=N (default 40; `BENCH_QUICK=1`: 12)
 */
import 'reflect-metadata';
import { SYNC_SCHEDULE_EVERY_MS } from '../src/queue/sync.producer';
import { startWorker } from '../src/worker/worker';
import { sandboxAdmin } from '../test/support/sync-records';
import { arg, runBench } from './support/bench-cli';
import { withBenchStack } from './support/bench-stack';
import { percentile, subscribeSyncEvents } from './support/sync-subscriber';

const QUICK = process.env.BENCH_QUICK === '1';

async function main(): Promise<void> {
  const pollEveryMs = arg('poll-every', 5_000);
  const edits = arg('edits', QUICK ? 12 : 40);
  await withBenchStack(
    'bench-sync-poll',
    {
      orgs: {
        salesforce: [{ id: 'default', seed: 5, counts: { Contact: 20, Opportunity: 2, Account: 2 } }],
        hubspot: [{ id: 'default', seed: 5, counts: { contacts: 2, deals: 1 } }],
      },
      env: { SYNC_POLL_EVERY_MS: String(pollEveryMs) },
    },
    async (s) => {
      const tenant = await s.tenant('bench-poll');
      await s.unthrottle('salesforce', tenant.connections.salesforce);
      // Only the Salesforce connection is measured; the HubSpot one would only share the worker.
      await s.ctx.store.connections.setStatus(tenant.connections.hubspot, 'DISABLED', 'bench');
      const arrivals = await subscribeSyncEvents(s.url, tenant.key);
      const worker = await startWorker(s.ctx);

      // Warm-up: the records to edit, created as a CRM user would and seen once (CREATED, by a poll).
      const ids: string[] = [];
      for (let i = 0; i < edits; i++) {
        const created = await sandboxAdmin(s, 'salesforce', 'POST', '/records/Contact', {
          LastName: `Poll ${i}`,
        });
        ids.push(String(created.Id));
      }
      for (const id of ids) await arrivals.waitFor(id, 0, 120_000);

      const editedAt: number[] = [];
      for (const id of ids) {
        await new Promise((r) => setTimeout(r, Math.random() * pollEveryMs));
        await sandboxAdmin(s, 'salesforce', 'PATCH', `/records/Contact/${id}`, { FirstName: 'Edited' });
        editedAt.push(performance.now());
      }
      const latencies: number[] = [];
      for (const [i, id] of ids.entries()) {
        latencies.push((await arrivals.waitFor(id, 1, 120_000)) - editedAt[i]!);
      }
      latencies.sort((a, b) => a - b);
      console.log(`BENCH sync.poll.interval_ms ${pollEveryMs} ms`);
      console.log(`BENCH sync.poll.schedule_tick_ms ${SYNC_SCHEDULE_EVERY_MS} ms`);
      console.log(`BENCH sync.poll_to_event_ms.p50 ${percentile(latencies, 50).toFixed(0)} ms`);
      console.log(`BENCH sync.poll_to_event_ms.p99 ${percentile(latencies, 99).toFixed(0)} ms`);
      await arrivals.close();
      await worker.close();
    },
  );
}

runBench(main);
