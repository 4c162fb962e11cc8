import { type CrmObject } from '../connectors/types';
import { type CanonicalRecord } from '../reads/canonical';
import { type ChangeKind } from '../store/models/change-event.model';
import { type FieldChange } from '../store/repositories/change-events.repo';
import { type FieldValue, type RecordSnapshot } from '../store/repositories/record-snapshots.repo';
import { fieldChanges, snapshotFields } from '../worker/writes/record-history';

/** What one record's observed state means against its snapshot. */
export interface RecordTransition {
  kind: ChangeKind;
  changes: FieldChange[];
  snapshot: RecordSnapshot;
}

/**
 * The transition from `prior` (null: never seen) to the observed state — a record read from the CRM,
 * or `null` when the CRM reports it deleted. Null when nothing changed: a redelivery, the overlap of a
 * poll, the echo of a write already recorded. Pure.
 *
 * Deleted → live is RESTORED (derived here: vendors report a restore as an ordinary change); a
 * deleted record keeps its last known fields in the snapshot.
 */
export function transitionOf(
  ids: { tenantId: string; connectionId: string; object: CrmObject; remoteId: string },
  prior: RecordSnapshot | undefined,
  observed: CanonicalRecord | null,
  observedDeletedAt: Date | null,
): RecordTransition | null {
  const deleted = observed === null || observed.isDeleted;
  const fields: FieldValue[] = observed ? snapshotFields(observed) : (prior?.fields ?? []);
  const snapshot: RecordSnapshot = {
    ...ids,
    fields,
    isDeleted: deleted,
    remoteUpdatedAt: observed?.updatedAt ?? observedDeletedAt ?? prior?.remoteUpdatedAt ?? null,
    writeOperationId: null,
    // What the app wrote stays the app's until a write replaces it (or a conflict gives it up).
    appValues: prior?.appValues ?? [],
  };
  const changes = fieldChanges(prior?.fields ?? [], fields);
  if (!prior) return { kind: deleted ? 'DELETED' : 'CREATED', changes: deleted ? [] : changes, snapshot };
  if (prior.isDeleted && deleted) return null;
  if (deleted) return { kind: 'DELETED', changes: [], snapshot };
  if (prior.isDeleted) return { kind: 'RESTORED', changes, snapshot };
  return changes.length > 0 ? { kind: 'UPDATED', changes, snapshot } : null;
}

/**
 * True when an observation is older than what the snapshot holds — a poll page read before a write
 * landed, a webhook overtaken by a later one — and must not move the snapshot back. Equal instants are
 * not stale: some vendors stamp to the second, and two changes in one second must both count.
 */
export function isStale(prior: RecordSnapshot | undefined, observedAt: Date | null): boolean {
  if (!prior?.remoteUpdatedAt || !observedAt) return false;
  return observedAt.getTime() < prior.remoteUpdatedAt.getTime();
}
