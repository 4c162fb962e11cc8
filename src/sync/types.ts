import { type CrmObject, type NativeChange } from '../connectors/types';
import { type ConnectionView } from '../store/repositories/connections.repo';

/**
 * How a vendor-side change reached us (docs/sync.md). MUTATION — our own write — is recorded by the
 * write engine, never by sync.
 */
export const SYNC_SOURCES = ['WEBHOOK', 'POLL', 'BACKFILL'] as const;
export type SyncSource = (typeof SYNC_SOURCES)[number];

/** Changes of one object of one connection, as one source observed them. */
export interface IngestBatch {
  connection: ConnectionView;
  object: CrmObject;
  /** All of `object`; a change without its record is read from the CRM (one batch read). */
  changes: readonly NativeChange[];
  source: SyncSource;
  /** When we received them (a webhook's receipt time, a poll page's read time). */
  observedAt: Date;
}

export interface IngestOutcome {
  /** Change events appended. */
  events: number;
  /** Changes that matched the snapshot (echoes, redeliveries, overlap re-reads): no event. */
  unchanged: number;
  /** Records read from the CRM because the change did not carry them. */
  fetched: number;
  /**
   * Changes left alone: a write of ours is changing the record right now (the write engine records
   * it), or the change is older than what the snapshot already holds.
   */
  skipped: number;
}

/**
 * Turns observed changes into change events against the record snapshots: one event per real change,
 * none for a change already known. Serialised with the write engine per (connection, object), so a
 * write's echo and a vendor change never race on one snapshot. Idempotent: ingesting a batch twice
 * appends nothing the second time.
 */
export type IngestChanges = (batch: IngestBatch) => Promise<IngestOutcome>;
