import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics';
import { type VendorCallEvent } from './http/vendor-client';

/**
 * Vendor-call metrics on the process registry (`/metrics`). Labels stay bounded: CRM kind, HTTP status
 * class, error code; only the budget gauge carries the connection id, because "which connection is
 * about to run dry" is the question it answers.
 */

const calls = new Counter({
  name: 'cgw_vendor_calls_total',
  help: 'Vendor API attempts, by CRM, method and HTTP status class (0xx = the transport failed)',
  labelNames: ['crm', 'method', 'status_class'] as const,
  registers: [metricsRegistry],
});

const duration = new Histogram({
  name: 'cgw_vendor_call_duration_seconds',
  help: 'Duration of one vendor API attempt',
  labelNames: ['crm'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

const errors = new Counter({
  name: 'cgw_vendor_errors_total',
  help: 'Vendor calls that ended in a typed error, by CRM and stable error code',
  labelNames: ['crm', 'code'] as const,
  registers: [metricsRegistry],
});

const rateLimited = new Counter({
  name: 'cgw_vendor_rate_limited_total',
  help: 'Vendor answers that said "too many" (HTTP 429, Salesforce 403 REQUEST_LIMIT_EXCEEDED)',
  labelNames: ['crm'] as const,
  registers: [metricsRegistry],
});

const budgetRemaining = new Gauge({
  name: 'cgw_budget_remaining',
  help: 'Units left in a vendor budget after the last take or header correction',
  labelNames: ['crm', 'connection', 'budget'] as const,
  registers: [metricsRegistry],
});

/** Pass as `onCall` to a {@link import('./http/vendor-client').VendorHttpClient}. */
export function recordVendorCall(event: VendorCallEvent): void {
  calls.inc({ crm: event.crm, method: event.method, status_class: `${Math.floor(event.status / 100)}xx` });
  duration.observe({ crm: event.crm }, event.durationMs / 1000);
  if (event.rateLimited) rateLimited.inc({ crm: event.crm });
  if (event.errorCode) errors.inc({ crm: event.crm, code: event.errorCode });
}

/** Pass as `onRemaining` to a {@link import('../ratelimit/budget-gate').RedisBudgetGate}. */
export function budgetRemainingRecorder(
  crm: string,
  connectionId: string,
): (budget: string, remaining: number) => void {
  return (budget, remaining) => budgetRemaining.set({ crm, connection: connectionId, budget }, remaining);
}
