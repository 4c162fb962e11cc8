/**
 * `npm run bench:sync` (change-event part; issue 18 "Benchmark"): from a change in the CRM to the
 * subscriber, through the real pieces — the HubSpot sandbox, the gateway's webhook route, Bull, a
 * worker's ingest (batch read, snapshots, the change log) and `syncEvents` over a WebSocket.
 *
 * - `sync.webhook_to_event_ms.p50/.p99`: a contact edited through the sandbox's admin API, its signed
 *   delivery sent at once (the sandbox's batching window is forced: real HubSpot adds its own delay), to
 *   the UPDATED event at a `syncEvents` subscriber. One edit at a time.
 * - `sync.ingest.events_per_s`: a burst of signed deliveries naming existing contacts, 10 % of the events
 *   repeated (half within their delivery, half redelivered), 10 in flight, from the first delivery to the
 *   last event stored; `sync.ingest.duplicates_recorded` (target 0) and the vendor calls the ingest made,
 *   beside the sandbox's own ceiling for them (`sync.ingest.vendor_ceiling_records_per_s`).
 *
 * `BENCH_QUICK=1` shrinks the burst (2,000 events) and the edits (20). One process holds everything.
 */
import 'reflect-metadata';
import { freePort } from '../src/runtime/services';
import { KeyRing } from '../src/security/credentials-cipher';
import { startWorker } from '../src/worker/worker';
import { sandboxAdmin } from '../test/support/sync-records';
import { hubspotWebhookEvent, hubspotWebhookHeaders } from '../test/support/webhook-events';
import { arg, runBench } from './support/bench-cli';
import { withBenchStack } from './support/bench-stack';
import { percentile, subscribeSyncEvents } from './support/sync-subscriber';

const SECRET = 'bench-app-secret';
const QUICK = process.env.BENCH_QUICK === '1';
const BATCH = 100;
const IN_FLIGHT = 10;

interface HubSpotSandboxState {
  portalId: number | string;
  store: { order: { contacts: string[] } };
}

async function main(): Promise<void> {
  const burstEvents = arg('events', QUICK ? 2_000 : 10_000);
  const edits = arg('edits', QUICK ? 20 : 60);
  const publicUrl = `http://127.0.0.1:${await freePort()}`;
  await withBenchStack(
    'bench-sync-events',
    {
      orgs: {
        salesforce: [{ id: 'default', seed: 3, counts: { Contact: 10, Opportunity: 1, Account: 1 } }],
        hubspot: [{ id: 'default', seed: 3, counts: { contacts: burstEvents, deals: 1 } }],
      },
      keyRing: KeyRing.parse(KeyRing.generateSpec('bench')),
      env: { PUBLIC_URL: publicUrl },
    },
    async (s) => {
      const tenant = await s.tenant('bench-sync');
      const connection = await s.ctx.store.connections.getById(tenant.connections.hubspot);
      await s.ctx.store.connections.update(connection.id, {
        settings: { ...connection.settings, webhookClientSecret: SECRET },
      });
      const sandbox = s.sandboxes.sandboxes.hubspot!;
      const admin = (method: string, path: string, body?: unknown) =>
        sandboxAdmin(s, 'hubspot', method, path, body);
      const worker = await startWorker(s.ctx);

      // One subscriber for the whole run: every event, with its arrival time.
      const arrivals = await subscribeSyncEvents(s.url, tenant.key);

      // Phase 1: edit → event, one at a time, the sandbox's own signed deliveries to the gateway.
      await admin('PUT', '/webhooks', { url: `${s.url}/webhooks/hubspot`, secret: SECRET });
      const ids = (sandbox.server.org('default').state as unknown as HubSpotSandboxState).store.order
        .contacts;
      const latencies: number[] = [];
      for (let i = 0; i < edits; i++) {
        const id = ids[i]!;
        const seen = arrivals.of(id).length;
        const started = performance.now();
        await admin('PATCH', `/records/contacts/${id}`, { firstname: `Edit ${i}` });
        await admin('POST', '/webhooks/flush');
        latencies.push((await arrivals.waitFor(id, seen, 30_000)) - started);
      }
      await admin('DELETE', '/webhooks');
      latencies.sort((a, b) => a - b);
      console.log(`BENCH sync.webhook_to_event_ms.p50 ${percentile(latencies, 50).toFixed(1)} ms`);
      console.log(`BENCH sync.webhook_to_event_ms.p99 ${percentile(latencies, 99).toFixed(1)} ms`);

      // Phase 2: a burst naming contacts never synced yet (each becomes one CREATED), 10 % repeats.
      const portalId = Number(
        (sandbox.server.org('default').state as unknown as HubSpotSandboxState).portalId,
      );
      const targets = ids.slice(edits, edits + burstEvents - edits);
      const fresh = Math.round(BATCH * 0.9);
      const deliveries: Record<string, unknown>[][] = [];
      const sent: Record<string, unknown>[][] = [];
      for (let k = 0; k * fresh < targets.length; k++) {
        const events = targets
          .slice(k * fresh, (k + 1) * fresh)
          .map((id) => hubspotWebhookEvent(portalId, { objectId: Number(id), occurredAt: Date.now() }));
        const earlier = sent[k - 20] ?? events;
        const again = [...events.slice(0, 5), ...earlier.slice(5, 10)].map((e) => ({
          ...e,
          attemptNumber: 1,
        }));
        deliveries.push([...events, ...again]);
        sent.push(events);
      }
      const unique = targets.length;
      const sentEvents = deliveries.reduce((n, d) => n + d.length, 0);
      const signedUrl = `${s.ctx.env.PUBLIC_URL ?? s.url}/webhooks/hubspot`;
      s.clearLogs();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (next < deliveries.length) {
            const body = JSON.stringify(deliveries[next++]);
            const res = await fetch(`${s.url}/webhooks/hubspot`, {
              method: 'POST',
              headers: hubspotWebhookHeaders(body, signedUrl, SECRET),
              body,
            });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
          }
        }),
      );
      const acked = performance.now();
      const deadline = Date.now() + (QUICK ? 300_000 : 900_000);
      const recorded = () => targets.filter((id) => arrivals.of(id).length > 0).length;
      while (recorded() < unique) {
        if (Date.now() > deadline)
          throw new Error(`${unique - recorded()} of ${unique} burst records had no event in time`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const lastEvent = Math.max(...targets.map((id) => arrivals.of(id)[0]!));
      await new Promise((r) => setTimeout(r, 2_000));
      const duplicates = targets.reduce((n, id) => n + (arrivals.of(id).length - 1), 0);
      const seconds = (lastEvent - started) / 1000;
      const reads = s.calls('hubspot', /batch\/read/);
      console.log(`BENCH sync.ingest.events_sent ${sentEvents} events (${unique} distinct)`);
      console.log(`BENCH sync.ingest.ack_seconds ${((acked - started) / 1000).toFixed(2)} s`);
      console.log(`BENCH sync.ingest.events_per_s ${(unique / seconds).toFixed(1)} events/s`);
      console.log(`BENCH sync.ingest.duplicates_recorded ${duplicates} events`);
      console.log(`BENCH sync.ingest.vendor_reads ${reads} calls`);
      // The vendor's ceiling for those reads: its burst limit (HubSpot: 110 calls per 10 s for an app
      // installed over OAuth, docs/vendors/hubspot.md "Rate limits") times the records one batch read returns.
      console.log(
        `BENCH sync.ingest.vendor_ceiling_records_per_s ${((110 / 10) * BATCH).toFixed(0)} records/s`,
      );
      await arrivals.close();
      await worker.close();
    },
  );
}

runBench(main);
