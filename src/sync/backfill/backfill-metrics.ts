import { Gauge } from 'prom-client';
import { type CrmObject } from '../../connectors/types';
import { metricsRegistry } from '../../metrics';
import { type BackfillState } from '../../store/repositories/sync-states.repo';

/**
 * Backfill progress per connection and object (a label per connection: one series per connected
 * object, as many as the deployment has connections — what an operator watches a first sync by).
 */
const done = new Gauge({
  name: 'cgw_sync_backfill_done',
  help: 'Records the current backfill run of a connection object has listed and ingested',
  labelNames: ['crm', 'connection', 'object'] as const,
  registers: [metricsRegistry],
});

const total = new Gauge({
  name: 'cgw_sync_backfill_total',
  help: 'Records the current backfill run will list, where the connector can count them (-1: unknown)',
  labelNames: ['crm', 'connection', 'object'] as const,
  registers: [metricsRegistry],
});

export const backfillMetrics = {
  progress(connection: { id: string; crm: string }, object: CrmObject, state: BackfillState): void {
    const labels = { crm: connection.crm, connection: connection.id, object };
    done.set(labels, state.done);
    total.set(labels, state.total ?? -1);
  },
};
