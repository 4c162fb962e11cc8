import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../../metrics';
import { type WriteStatus } from '../../writes/write-operation.types';

/**
 * Write-engine metrics on the process registry (`/metrics`). Labels stay bounded: CRM kind, object,
 * batch kind, final status, reschedule reason. Queue depth and the oldest QUEUED write's age are set
 * by the reconciler (every run), so a scrape costs no store query.
 */

const operations = new Counter({
  name: 'cgw_write_operations_total',
  help: 'Write operations that reached a final status, by CRM and status',
  labelNames: ['crm', 'status'] as const,
  registers: [metricsRegistry],
});

const batchSize = new Histogram({
  name: 'cgw_write_batch_size',
  help: 'Operations per vendor write call (one flush claim)',
  labelNames: ['crm', 'batch_kind'] as const,
  buckets: [1, 2, 5, 10, 25, 50, 100, 200, 500, 1000],
  registers: [metricsRegistry],
});

const vendorCalls = new Counter({
  name: 'cgw_write_vendor_calls_total',
  help: 'Bulk write calls the engine made (upsertRecords/deleteRecords), by CRM, batch kind and result',
  labelNames: ['crm', 'batch_kind', 'result'] as const,
  registers: [metricsRegistry],
});

const reschedules = new Counter({
  name: 'cgw_write_reschedules_total',
  help: 'Writes put back to QUEUED without counting an attempt, by CRM and reason (rate_limited, connection)',
  labelNames: ['crm', 'reason'] as const,
  registers: [metricsRegistry],
});

const rateLimited = new Counter({
  name: 'cgw_write_rate_limited_total',
  help: 'Write calls refused for rate (a vendor 429 or our budget gate), by CRM',
  labelNames: ['crm'] as const,
  registers: [metricsRegistry],
});

const budgetWaits = new Counter({
  name: 'cgw_write_budget_waits_total',
  help: 'Flushes that claimed nothing because the budget admitted no write call yet (asked again when one fits), by CRM',
  labelNames: ['crm'] as const,
  registers: [metricsRegistry],
});

const claims = new Counter({
  name: 'cgw_write_claims_total',
  help: 'Flush claims by where they read the open operations: the Redis index, or the store (index not ready or unreadable)',
  labelNames: ['crm', 'source'] as const,
  registers: [metricsRegistry],
});

const indexRepairs = new Counter({
  name: 'cgw_write_open_index_repairs_total',
  help: 'Open-operations index entries the reconciler added, replaced or removed to match the store (a crash between the two writes, a lost Redis)',
  registers: [metricsRegistry],
});

const queueDepth = new Gauge({
  name: 'cgw_write_queue_depth',
  help: 'Write operations QUEUED (all connections), as of the last reconciler run',
  registers: [metricsRegistry],
});

const oldestAge = new Gauge({
  name: 'cgw_write_oldest_queued_age_seconds',
  help: 'Age of the oldest QUEUED write operation, as of the last reconciler run (0 when none)',
  registers: [metricsRegistry],
});

export const writeMetrics = {
  finished(crm: string, status: WriteStatus, n = 1): void {
    if (status === 'SUCCEEDED' || status === 'FAILED' || status === 'DEAD' || status === 'CANCELLED') {
      operations.inc({ crm, status }, n);
    }
  },
  batch(crm: string, batchKind: string, size: number, result: 'ok' | 'error'): void {
    batchSize.observe({ crm, batch_kind: batchKind }, size);
    vendorCalls.inc({ crm, batch_kind: batchKind, result });
  },
  rescheduled(crm: string, reason: 'rate_limited' | 'connection', n: number): void {
    if (n > 0) reschedules.inc({ crm, reason }, n);
  },
  rateLimited(crm: string): void {
    rateLimited.inc({ crm });
  },
  budgetWait(crm: string): void {
    budgetWaits.inc({ crm });
  },
  claimSource(crm: string, source: 'index' | 'store'): void {
    claims.inc({ crm, source });
  },
  indexRepaired(n: number): void {
    indexRepairs.inc(n);
  },
  queue(depth: number, oldestAcceptedAt: Date | null, now: number): void {
    queueDepth.set(depth);
    oldestAge.set(oldestAcceptedAt ? Math.max(0, (now - oldestAcceptedAt.getTime()) / 1000) : 0);
  },
};
