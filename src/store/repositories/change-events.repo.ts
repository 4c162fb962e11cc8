import crypto from 'node:crypto';
import { type CrmObject } from '../../connectors/types';
import { type ChangeEventModel, type ChangeKind, type ChangeSource } from '../models/change-event.model';

export interface FieldChange {
  /** Canonical name; a custom field is `customFields.<name>`. */
  field: string;
  before: unknown;
  after: unknown;
}

export interface ChangeEvent {
  id: string;
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  remoteId: string;
  kind: ChangeKind;
  source: ChangeSource;
  changes: FieldChange[];
  occurredAt: Date;
  writeOperationId: string | null;
}

/** The append-only change history (src/store/models/change-event.model.ts). */
export class ChangeEventsRepository {
  constructor(private readonly events: ChangeEventModel) {}

  /** Appends `events` in one insert; returns them with their ids. */
  async append(events: readonly Omit<ChangeEvent, 'id'>[]): Promise<ChangeEvent[]> {
    const withIds = events.map((e) => ({ ...e, id: `chg_${crypto.randomBytes(12).toString('hex')}` }));
    if (withIds.length === 0) return [];
    await this.events.insertMany(
      withIds.map(({ id, ...e }) => ({ _id: id, ...e })),
      { ordered: false },
    );
    return withIds;
  }

  /** One record's history, oldest first. */
  async forRecord(connectionId: string, object: CrmObject, remoteId: string): Promise<ChangeEvent[]> {
    const docs = await this.events.find({ connectionId, object, remoteId }).sort({ occurredAt: 1 }).lean();
    return docs.map((d) => ({
      id: d._id,
      tenantId: d.tenantId,
      connectionId: d.connectionId,
      object: d.object as CrmObject,
      remoteId: d.remoteId,
      kind: d.kind as ChangeKind,
      source: d.source as ChangeSource,
      changes: (d.changes ?? []) as FieldChange[],
      occurredAt: d.occurredAt,
      writeOperationId: d.writeOperationId ?? null,
    }));
  }
}
