import { type CrmObject, type NativeRecord } from '../../connectors/types';
import { type CanonicalRecord } from '../../reads/canonical';
import { backgroundMetadata } from '../../reads/background-metadata';
import { RecordLoaders } from '../../reads/record-loaders';
import { type CrmServices } from '../../runtime/crm-services';
import { type Store } from '../../store';
import { type FieldValue } from '../../store/repositories/record-snapshots.repo';
import { type ChangeLog } from '../../sync/change-log';
import { type ChangeKind } from '../../store/models/change-event.model';
import { type ConnectionView } from '../../store/repositories/connections.repo';
import { type Transition } from '../../store/repositories/write-batches.repo';
import { fieldChanges, snapshotFields } from './record-history';

/**
 * After a batch SUCCEEDED: the records as the CRM stored them (one batch read-back through the read
 * path's own loaders and canonical mapping, so a written value reads back exactly as a read would show
 * it), the record snapshots updated and one change event appended per record — all before the
 * operations' updates are published, so the echo of our own write is never later taken for a foreign
 * change (docs/writes.md "Snapshots").
 */

export interface ReadBackDeps {
  store: Pick<Store, 'fieldMappings' | 'recordSnapshots'>;
  changeLog: Pick<ChangeLog, 'record'>;
  crm: Pick<CrmServices, 'connectorFor'>;
}

export interface ReadBackResult {
  /** Records read back, by operation id. */
  records: Map<string, CanonicalRecord>;
  /** Vendor read calls' failure, when the read-back failed (the operations stay SUCCEEDED without a record). */
  error: unknown;
}

/**
 * Reads back, in one batch, the records of the writes that succeeded (not deletes): canonical, through
 * the read path's loaders and mapping. A write whose answer carried its record whole (`record`) costs
 * no call: a vendor that writes one record per call and answers with it would otherwise pay a
 * read per flush on top of its writes. Called before the outcomes are recorded, so each operation's
 * `result.record` goes into the same statement as its status. A failed read-back (a budget refusal,
 * the vendor down) is returned, not thrown: the writes did succeed and are recorded without a record.
 */
export async function readBack(
  deps: ReadBackDeps,
  connection: ConnectionView,
  object: CrmObject,
  succeeded: readonly { id: string; remoteId: string; record?: NativeRecord }[],
): Promise<ReadBackResult> {
  const records = new Map<string, CanonicalRecord>();
  let error: unknown = null;
  if (succeeded.length === 0) return { records, error };
  try {
    const loaders = new RecordLoaders(await backgroundMetadata(deps, connection), true);
    const answered = succeeded.filter((t) => t.record);
    for (const t of answered) records.set(t.id, await loaders.canonical(object, t.record!));
    const toRead = succeeded.filter((t) => !t.record);
    const loaded = await loaders.records(object).loadMany(toRead.map((t) => t.remoteId));
    loaded.forEach((r, i) => {
      if (!(r instanceof Error)) records.set(toRead[i]!.id, r);
      else error ??= r;
    });
  } catch (err) {
    error = err;
  }
  return { records, error };
}

/**
 * Updates the record snapshots of what succeeded and appends one change event per record (field
 * changes against the previous snapshot) — before the operations' updates are published.
 * A record not read back keeps its snapshot (a delete marks it deleted).
 */
export async function writeHistory(
  deps: ReadBackDeps,
  connection: ConnectionView,
  object: CrmObject,
  succeeded: readonly Transition[],
  records: ReadonlyMap<string, CanonicalRecord>,
  now: Date,
): Promise<void> {
  const touched = succeeded.filter((t) => t.remoteId && (t.kind === 'DELETE' || records.has(t.id)));
  if (touched.length === 0) return;
  const before = await deps.store.recordSnapshots.findMany(
    connection.id,
    object,
    touched.map((t) => t.remoteId!),
  );
  const snapshots = touched.map((t) => {
    const record = records.get(t.id);
    const prior = before.get(t.remoteId!);
    return {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      object,
      remoteId: t.remoteId!,
      fields: record ? snapshotFields(record) : (prior?.fields ?? []),
      isDeleted: record ? record.isDeleted : true,
      remoteUpdatedAt: record?.updatedAt ?? prior?.remoteUpdatedAt ?? null,
      writeOperationId: t.id,
      appValues: appValuesAfter(prior?.appValues ?? [], t, record),
    };
  });
  const entries = snapshots.map((snap, i) => {
    const t = touched[i]!;
    const prior = before.get(snap.remoteId);
    const kind: ChangeKind =
      t.kind === 'DELETE' ? 'DELETED' : t.result?.created || !prior ? 'CREATED' : 'UPDATED';
    const event = {
      tenantId: snap.tenantId,
      connectionId: snap.connectionId,
      object,
      remoteId: snap.remoteId,
      kind,
      source: 'MUTATION' as const,
      changes: kind === 'DELETED' ? [] : fieldChanges(prior?.fields ?? [], snap.fields),
      occurredAt: now,
      observedAt: now,
      hard: false,
      writeOperationId: t.id,
    };
    return { event, snapshot: snap, isNew: !prior };
  });
  await deps.changeLog.record(connection.tenantId, entries);
}

/**
 * The app's last-written values after a write: the fields this write's input named, valued as the CRM
 * stored them (the read-back — a CRM that normalises a value must not later look like it changed it),
 * over those of earlier writes. Without a read-back, the value as written.
 */
function appValuesAfter(
  prior: readonly FieldValue[],
  op: Transition,
  record: CanonicalRecord | undefined,
): FieldValue[] {
  if (!op.input || op.kind === 'DELETE') return [...prior];
  const written = snapshotFields(op.input);
  const stored = new Map(record ? snapshotFields(record).map((p) => [p.field, p.value]) : []);
  const byField = new Map(prior.map((p) => [p.field, p.value]));
  for (const { field, value } of written) byField.set(field, stored.has(field) ? stored.get(field) : value);
  return [...byField].map(([field, value]) => ({ field, value }));
}
