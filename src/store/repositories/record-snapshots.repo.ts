import { type CrmObject } from '../../connectors/types';
import { bulkWriteChunked, findByIdsChunked } from '../bulk-write';
import { type RecordSnapshotModel } from '../models/record-snapshot.model';

/** A canonical field and its value, as snapshots and change events store them. */
export interface FieldValue {
  /** Canonical name; a custom field is `customFields.<name>`. */
  field: string;
  value: unknown;
}

export interface RecordSnapshot {
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  remoteId: string;
  fields: FieldValue[];
  isDeleted: boolean;
  remoteUpdatedAt: Date | null;
  writeOperationId: string | null;
  /** The change number of the event that produced this state (src/sync/change-log.ts). */
  lastSeq?: number | null;
  /** The app's last-written values of the fields it wrote to this record (src/sync/conflicts.ts). */
  appValues?: FieldValue[];
}

/** A snapshot's `_id`: one record of one connection. */
export function snapshotId(connectionId: string, object: CrmObject, remoteId: string): string {
  return `${connectionId}:${object}:${remoteId}`;
}

/** Last-known canonical records (src/store/models/record-snapshot.model.ts), read and written in bulk. */
export class RecordSnapshotsRepository {
  constructor(private readonly snapshots: RecordSnapshotModel) {}

  /** The snapshots of `remoteIds` that exist, by remote id: one query per 1,000 ids. */
  async findMany(
    connectionId: string,
    object: CrmObject,
    remoteIds: readonly string[],
  ): Promise<Map<string, RecordSnapshot>> {
    if (remoteIds.length === 0) return new Map();
    const ids = remoteIds.map((id) => snapshotId(connectionId, object, id));
    const docs = await findByIdsChunked(ids, (chunk) => this.snapshots.find({ _id: { $in: chunk } }).lean());
    return new Map(
      docs.map((d) => [
        d.remoteId,
        {
          tenantId: d.tenantId,
          connectionId: d.connectionId,
          object: d.object as CrmObject,
          remoteId: d.remoteId,
          fields: (d.fields ?? []) as FieldValue[],
          isDeleted: d.isDeleted,
          remoteUpdatedAt: d.remoteUpdatedAt ?? null,
          writeOperationId: d.writeOperationId ?? null,
          lastSeq: d.lastSeq ?? null,
          appValues: (d.appValues ?? []) as FieldValue[],
        },
      ]),
    );
  }

  /**
   * Remote ids of the live (not deleted) snapshots of one object of a connection whose vendor time is
   * before `before` (or unknown): what a full reconcile checks against its listing. Not an index
   * lookup on FerretDB; for worker jobs only.
   */
  async liveIdsBefore(connectionId: string, object: CrmObject, before: Date): Promise<string[]> {
    const docs = await this.snapshots
      .find(
        {
          connectionId,
          object,
          isDeleted: false,
          $or: [{ remoteUpdatedAt: null }, { remoteUpdatedAt: { $lt: before } }],
        },
        { remoteId: 1 },
      )
      .lean();
    return docs.map((d) => d.remoteId);
  }

  /**
   * Writes snapshots: `existing` replace stored ones (one statement each, in bulkWrites), `fresh` (none
   * stored yet, as after creates) are inserted in one statement. A fresh one that another writer stored
   * meanwhile is replaced instead.
   */
  async putMany(existing: readonly RecordSnapshot[], fresh: readonly RecordSnapshot[] = []): Promise<void> {
    const raced: RecordSnapshot[] = [];
    if (fresh.length > 0) {
      try {
        await this.snapshots.insertMany(
          fresh.map((s) => ({ _id: snapshotId(s.connectionId, s.object, s.remoteId), ...s })),
          { ordered: false },
        );
      } catch (err) {
        // The driver reports write errors as plain objects or as WriteError wrappers (code under `err`).
        type Reported = { code?: number; index?: number; err?: { code?: number; index?: number } };
        const codes = ((err as { writeErrors?: Reported[] }).writeErrors ?? []).map((e) => ({
          code: e.code ?? e.err?.code,
          index: e.index ?? e.err?.index,
        }));
        if (codes.length === 0 || codes.some((e) => e.code !== 11000)) throw err;
        for (const e of codes) if (e.index !== undefined && fresh[e.index]) raced.push(fresh[e.index]!);
      }
    }
    const replace = [...existing, ...raced];
    if (replace.length === 0) return;
    await bulkWriteChunked(
      (c) => this.snapshots.bulkWrite(c, { ordered: false }),
      replace.map((s) => ({
        updateOne: {
          filter: { _id: snapshotId(s.connectionId, s.object, s.remoteId) },
          update: { $set: { ...s } },
          upsert: true,
        },
      })),
    );
  }
}
