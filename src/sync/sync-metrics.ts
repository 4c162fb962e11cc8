import { Counter } from 'prom-client';
import { metricsRegistry } from '../metrics';
import { type ChangeKind } from '../store/models/change-event.model';
import { type SyncSource } from './types';

/**
 * Ingest metrics on the process registry (`/metrics`). Labels stay bounded: CRM kind, source, event
 * kind, outcome. Webhook rejections and duplicates, poll lag and backfill progress are counted where
 * they happen (the webhook route, the poller).
 */

const events = new Counter({
  name: 'cgw_sync_events_total',
  help: 'Change events sync recorded, by CRM, source and kind',
  labelNames: ['crm', 'source', 'kind'] as const,
  registers: [metricsRegistry],
});

const observed = new Counter({
  name: 'cgw_sync_changes_total',
  help: 'Changes sync observed, by CRM, source and outcome (event, unchanged — redeliveries, overlaps, echoes — or skipped)',
  labelNames: ['crm', 'source', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const syncMetrics = {
  recorded(crm: string, source: SyncSource, kinds: readonly ChangeKind[]): void {
    for (const kind of kinds) events.inc({ crm, source, kind });
  },
  observed(
    crm: string,
    source: SyncSource,
    outcome: { events: number; unchanged: number; skipped: number },
  ): void {
    if (outcome.events) observed.inc({ crm, source, outcome: 'event' }, outcome.events);
    if (outcome.unchanged) observed.inc({ crm, source, outcome: 'unchanged' }, outcome.unchanged);
    if (outcome.skipped) observed.inc({ crm, source, outcome: 'skipped' }, outcome.skipped);
  },
};
