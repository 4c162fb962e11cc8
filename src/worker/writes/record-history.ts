import { isDeepStrictEqual } from 'node:util';
import { type CanonicalRecord } from '../../reads/canonical';
import { type FieldChange } from '../../store/repositories/change-events.repo';
import { type FieldValue } from '../../store/repositories/record-snapshots.repo';

/**
 * A canonical record as snapshots store it: `[{field, value}]`, custom fields as
 * `customFields.<name>`, in a stable order. Pure.
 */
export function snapshotFields(record: Pick<CanonicalRecord, 'fields' | 'customFields'>): FieldValue[] {
  const pairs: FieldValue[] = Object.entries(record.fields).map(([field, value]) => ({ field, value }));
  for (const [name, value] of Object.entries(record.customFields)) {
    pairs.push({ field: `customFields.${name}`, value });
  }
  return pairs.sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
}

/**
 * Canonical fields whose change alone is no change of the record: the vendor's bookkeeping moves them
 * on every touch (a no-op save, an association, our own write), so a change event never lists them.
 * They are still kept in the snapshot.
 */
const BOOKKEEPING_FIELDS: ReadonlySet<string> = new Set(['updatedAt']);

/**
 * Fields whose value differs between two snapshots (absent = null), as `[{field, before, after}]`;
 * bookkeeping fields are left out.
 */
export function fieldChanges(before: readonly FieldValue[], after: readonly FieldValue[]): FieldChange[] {
  const was = new Map(before.map((p) => [p.field, p.value]));
  const now = new Map(after.map((p) => [p.field, p.value]));
  const names = [...new Set([...was.keys(), ...now.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const field of names) {
    if (BOOKKEEPING_FIELDS.has(field)) continue;
    const b = was.get(field) ?? null;
    const a = now.get(field) ?? null;
    if (!isDeepStrictEqual(b, a)) changes.push({ field, before: b, after: a });
  }
  return changes;
}

/** The canonical record as an operation's `result.record` (JSON for the API; no read issues). */
export function resultRecord(record: CanonicalRecord): Record<string, unknown> {
  return {
    id: record.id,
    object: record.object,
    connectionId: record.connectionId,
    remoteId: record.remoteId,
    fields: record.fields,
    customFields: record.customFields,
    isDeleted: record.isDeleted,
    createdAt: record.createdAt?.toISOString() ?? null,
    updatedAt: record.updatedAt?.toISOString() ?? null,
  };
}
