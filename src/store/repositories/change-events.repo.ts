import { type CrmObject } from '../../connectors/types';
import { ID_IN_CHUNK, retryBusy } from '../bulk-write';
import {
  changeEventId,
  type ChangeEventModel,
  type ChangeKind,
  type ChangeSource,
} from '../models/change-event.model';

export interface FieldChange {
  /** Canonical name; a custom field is `customFields.<name>`. */
  field: string;
  before: unknown;
  after: unknown;
}

/** A change as its writer describes it, before the change log numbers it (src/sync/change-log.ts). */
export interface NewChangeEvent {
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  remoteId: string;
  kind: ChangeKind;
  source: ChangeSource;
  changes: FieldChange[];
  occurredAt: Date;
  observedAt: Date;
  hard: boolean;
  writeOperationId: string | null;
}

export interface ChangeEvent extends NewChangeEvent {
  /** `<tenantId>:<seq>`. */
  id: string;
  /** The tenant's change number: every reader sees a tenant's events in this order. */
  seq: number;
}

/** A stored number: an event, or a gap marker (a number given up: no event will ever have it). */
export type StoredNumber =
  { seq: number; gap: true; lease: string | null } | (ChangeEvent & { gap: false; lease: string | null });

type Lean = Record<string, unknown> & { _id: string; seq: number };

function toStored(d: Lean): StoredNumber {
  const lease = (d.lease as string | null | undefined) ?? null;
  if (d.gap) return { seq: d.seq, gap: true, lease };
  return {
    id: d._id,
    seq: d.seq,
    gap: false,
    lease,
    tenantId: d.tenantId as string,
    connectionId: d.connectionId as string,
    object: d.object as CrmObject,
    remoteId: d.remoteId as string,
    kind: d.kind as ChangeKind,
    source: d.source as ChangeSource,
    changes: (d.changes ?? []) as FieldChange[],
    occurredAt: d.occurredAt as Date,
    observedAt: (d.observedAt as Date | null) ?? (d.occurredAt as Date),
    hard: Boolean(d.hard),
    writeOperationId: (d.writeOperationId as string | null) ?? null,
  };
}

/**
 * The append-only change history (src/store/models/change-event.model.ts). Numbers are allocated by
 * the change log (src/sync/change-log.ts); this stores and reads them.
 */
export class ChangeEventsRepository {
  constructor(private readonly events: ChangeEventModel) {}

  /**
   * Inserts numbered events and gap markers in one unordered insert. Returns the indexes of those whose
   * number was already stored (by an earlier attempt, a reaper, or a counter Redis lost): the caller
   * decides, by reading them, whether that is its own.
   */
  async insert(
    items: readonly ({ seq: number; lease: string } & (
      { gap: true; tenantId: string } | { gap: false; event: NewChangeEvent }
    ))[],
  ): Promise<number[]> {
    if (items.length === 0) return [];
    const docs = items.map((item) =>
      item.gap
        ? {
            _id: changeEventId(item.tenantId, item.seq),
            tenantId: item.tenantId,
            seq: item.seq,
            gap: true,
            lease: item.lease,
          }
        : {
            _id: changeEventId(item.event.tenantId, item.seq),
            seq: item.seq,
            gap: false,
            lease: item.lease,
            ...item.event,
          },
    );
    try {
      await retryBusy(() => this.events.insertMany(docs, { ordered: false }));
      return [];
    } catch (err) {
      const errors =
        (
          err as {
            writeErrors?: { code?: number; index?: number; err?: { code?: number; index?: number } }[];
          }
        ).writeErrors ?? [];
      const flat = errors.map((e) => ({ code: e.code ?? e.err?.code, index: e.index ?? e.err?.index }));
      if (flat.length === 0 || flat.some((e) => e.code !== 11000 || e.index === undefined)) throw err;
      return flat.map((e) => e.index!);
    }
  }

  /** Stored numbers of one tenant from `from` to `to` inclusive, in order; numbers not stored are absent. */
  async range(tenantId: string, from: number, to: number): Promise<StoredNumber[]> {
    const out: StoredNumber[] = [];
    // Chunk by chunk, not one list of every id: a replay's range can be long.
    for (let start = from; start <= to; start += ID_IN_CHUNK) {
      const end = Math.min(to, start + ID_IN_CHUNK - 1);
      const ids = Array.from({ length: end - start + 1 }, (_, i) => changeEventId(tenantId, start + i));
      const docs = (await this.events.find({ _id: { $in: ids } }).lean()) as unknown as Lean[];
      out.push(...docs.map(toStored));
    }
    return out.sort((a, b) => a.seq - b.seq);
  }

  /** The highest number stored for a tenant (0 when none): a full scan, only after Redis lost its counter. */
  async maxSeq(tenantId: string): Promise<number> {
    const doc = (await this.events.find({ tenantId }).sort({ seq: -1 }).limit(1).lean()) as unknown as Lean[];
    return doc[0]?.seq ?? 0;
  }

  /**
   * One record's history, oldest first. Reads the record's numbers by `_id` when the caller has them
   * (its snapshot keeps them); otherwise it filters the collection.
   */
  async forRecord(connectionId: string, object: CrmObject, remoteId: string): Promise<ChangeEvent[]> {
    const docs = (await this.events
      .find({ connectionId, object, remoteId })
      .sort({ seq: 1 })
      .lean()) as unknown as Lean[];
    return docs.map(toStored).filter((d): d is ChangeEvent & { gap: false; lease: string | null } => !d.gap);
  }
}
