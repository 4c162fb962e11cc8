import { Counter, Gauge, Histogram } from 'prom-client';
import { type CallPriority } from './http/http.types';
import { metricsRegistry } from '../metrics';
import { type VendorCallEvent } from './http/vendor-client';

/**
 * Vendor-call metrics on the process registry (`/metrics`), per CRM and connection. Labels stay
 * bounded: CRM kind, connection id (a tenant has a few connections, and "which connection is failing
 * or running dry" is the question these answer), HTTP method and status class, error code, budget
 * name. The duration histogram stays per CRM: its buckets multiply every label.
 */

/** The connection label of a call made outside any connection (token endpoints during connect). */
const NO_CONNECTION = 'none';

const calls = new Counter({
  name: 'cgw_vendor_calls_total',
  help: 'Vendor API attempts, by CRM, connection, method and HTTP status class (0xx = the transport failed)',
  labelNames: ['crm', 'connection', 'method', 'status_class'] as const,
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
  help: 'Vendor calls that ended in a typed error, by CRM, connection and stable error code',
  labelNames: ['crm', 'connection', 'code'] as const,
  registers: [metricsRegistry],
});

const rateLimited = new Counter({
  name: 'cgw_vendor_rate_limited_total',
  help: 'Vendor answers that said "too many" (HTTP 429 or a vendor budget refusal), by CRM and connection',
  labelNames: ['crm', 'connection'] as const,
  registers: [metricsRegistry],
});

const budgetRefusals = new Counter({
  name: 'cgw_budget_refusals_total',
  help: 'Calls our budget gate refused RATE_LIMITED before reaching the vendor, by CRM, connection, budget and priority',
  labelNames: ['crm', 'connection', 'budget', 'priority'] as const,
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
  const connection = event.connectionId ?? NO_CONNECTION;
  calls.inc({
    crm: event.crm,
    connection,
    method: event.method,
    status_class: `${Math.floor(event.status / 100)}xx`,
  });
  duration.observe({ crm: event.crm }, event.durationMs / 1000);
  if (event.rateLimited) rateLimited.inc({ crm: event.crm, connection });
  if (event.errorCode) errors.inc({ crm: event.crm, connection, code: event.errorCode });
}

/** Pass as `onRefused` to a {@link import('../ratelimit/budget-gate').RedisBudgetGate}. */
export function budgetRefusalRecorder(
  crm: string,
  connectionId: string,
): (budget: string, priority: CallPriority) => void {
  return (budget, priority) => budgetRefusals.inc({ crm, connection: connectionId, budget, priority });
}

/** Pass as `onRemaining` to a {@link import('../ratelimit/budget-gate').RedisBudgetGate}. */
export function budgetRemainingRecorder(
  crm: string,
  connectionId: string,
): (budget: string, remaining: number) => void {
  return (budget, remaining) => budgetRemaining.set({ crm, connection: connectionId, budget }, remaining);
}

const revocations = new Counter({
  name: 'cgw_connection_revocations_total',
  help: "Deleted connections' grants: revoked at the vendor (or already dead), not revocable by API, or failed after the last attempt",
  labelNames: ['crm', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** Counts how revoking a deleted connection's grant ended (`tokens/revoke-grant.ts`). */
export function recordRevocation(crm: string, outcome: 'revoked' | 'not_revocable' | 'failed'): void {
  revocations.inc({ crm, outcome });
}
