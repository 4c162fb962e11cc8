import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../../metrics';

/**
 * Webhook intake metrics on the process registry (`/metrics`). Labels stay bounded: the CRM kind (from
 * the registry, never the raw path) and a fixed set of reasons.
 */

/** Why a whole delivery was refused. */
export type WebhookRejection = 'invalid_signature' | 'not_a_delivery' | 'too_many_events' | 'too_large';

/** Why an event of an accepted delivery was not stored. */
export type WebhookDrop = 'unknown_account' | 'no_account' | 'not_synced';

export const webhookRejected = new Counter({
  name: 'cgw_webhook_rejected_total',
  help: 'Webhook deliveries refused before anything was stored, by CRM and reason',
  labelNames: ['crm', 'reason'] as const,
  registers: [metricsRegistry],
});

export const webhookEventsDropped = new Counter({
  name: 'cgw_webhook_events_dropped_total',
  help: 'Events of accepted webhook deliveries not stored, by CRM and reason (unknown_account: no connection reaches the portal)',
  labelNames: ['crm', 'reason'] as const,
  registers: [metricsRegistry],
});

export const webhookDuplicatesDropped = new Counter({
  name: 'cgw_webhook_duplicates_dropped_total',
  help: 'Webhook events received again (same receipt id): redeliveries, not stored twice',
  labelNames: ['crm'] as const,
  registers: [metricsRegistry],
});

export const webhookReceiptsStored = new Counter({
  name: 'cgw_webhook_receipts_stored_total',
  help: 'Webhook events stored for ingest, one per event and connection',
  labelNames: ['crm'] as const,
  registers: [metricsRegistry],
});

export const webhookAckSeconds = new Histogram({
  name: 'cgw_webhook_ack_duration_seconds',
  help: 'Time from receiving a webhook delivery to answering it, by CRM and HTTP status',
  labelNames: ['crm', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});
