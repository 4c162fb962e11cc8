import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../../metrics';

/** Poll lag per connection (as status reports it) and what the poller did, on the process registry. */
const lag = new Gauge({
  name: 'cgw_sync_poll_lag_seconds',
  help: 'Now minus the high-water mark of the connection object furthest behind, after its last poll',
  labelNames: ['crm', 'connection'] as const,
  registers: [metricsRegistry],
});

const polls = new Counter({
  name: 'cgw_sync_polls_total',
  help: 'Polls of a connection object by CRM and result (done, started, reconcile, busy, failed), and connections skipped (paused)',
  labelNames: ['crm', 'result'] as const,
  registers: [metricsRegistry],
});

export const pollMetrics = {
  lag(connection: { id: string; crm: string }, lagMs: number | null): void {
    if (lagMs !== null) lag.set({ crm: connection.crm, connection: connection.id }, lagMs / 1000);
  },
  polled(crm: string, result: string): void {
    polls.inc({ crm, result });
  },
};
