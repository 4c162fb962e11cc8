// One company's data: persons, deals, pipelines, stages and users, with the change feed webhooks and
// `recents` read. Deletion only marks a record (docs/vendors/pipedrive.md "Persons", "Deals"); it is
// purged 30 days later on the company's clock.
import { PURGE_AFTER_MS } from './constants';
import { buildFields, type FieldDef, type PdObject } from './fields';
import { ParticipantBook } from './participant-book';

export interface PdRecord {
  id: number;
  object: PdObject;
  /** Standard fields by their v2 name (title, emails, stage_id…). */
  values: Record<string, unknown>;
  /** Custom field values by hash key, in the v2 shapes. */
  custom: Record<string, unknown>;
  /** Epoch ms, whole seconds (Pipedrive's timestamps have second precision). */
  addTime: number;
  updateTime: number;
  deletedAt: number | null;
}

export interface Pipeline {
  id: number;
  name: string;
  order_nr: number;
  is_deal_probability_enabled: boolean;
}

export interface Stage {
  id: number;
  pipeline_id: number;
  name: string;
  order_nr: number;
  deal_probability: number;
}

export interface User {
  id: number;
  name: string;
  email: string;
}

export type ChangeAction = 'create' | 'change' | 'delete';

export interface StoreChange {
  action: ChangeAction;
  record: PdRecord;
  /** The record before the change (null on create). */
  previous: PdRecord | null;
  /** `app` for UI edits (admin API), `api` for API calls. */
  source: 'app' | 'api';
  userId: number;
  mergedToId?: number;
  mergedFromId?: number;
}

function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function cloneRecord(record: PdRecord): PdRecord {
  return structuredClone(record);
}

export class CompanyStore {
  readonly records: Record<PdObject, Map<number, PdRecord>> = { person: new Map(), deal: new Map() };
  readonly fields: Record<PdObject, FieldDef[]>;
  readonly pipelines = new Map<number, Pipeline>();
  readonly stages = new Map<number, Stage>();
  readonly users: User[] = [];
  readonly participants = new ParticipantBook();
  private nextId: Record<PdObject, number> = { person: 1, deal: 1 };
  private readonly listeners: ((change: StoreChange) => void)[] = [];

  constructor(
    readonly companyId: number,
    private readonly now: () => number,
  ) {
    this.fields = buildFields(companyId);
  }

  onChange(listener: (change: StoreChange) => void): void {
    this.listeners.push(listener);
  }

  field(object: PdObject, key: string): FieldDef | undefined {
    return this.fields[object].find((f) => f.key === key);
  }

  /** A live or recently deleted record; records deleted over 30 days ago are purged on the way. */
  get(object: PdObject, id: number): PdRecord | undefined {
    const record = this.records[object].get(id);
    if (record?.deletedAt !== null && record && record.deletedAt + PURGE_AFTER_MS <= this.now()) {
      this.records[object].delete(id);
      return undefined;
    }
    return record;
  }

  /** Every record of a type still held (purging expired deletions first). */
  all(object: PdObject): PdRecord[] {
    const limit = this.now() - PURGE_AFTER_MS;
    for (const [id, r] of this.records[object])
      if (r.deletedAt !== null && r.deletedAt <= limit) this.records[object].delete(id);
    return [...this.records[object].values()];
  }

  /** Seeding: a record with given timestamps, raising no change. */
  insertSeed(
    object: PdObject,
    values: Record<string, unknown>,
    custom: Record<string, unknown>,
    at: number,
  ): PdRecord {
    const record: PdRecord = {
      id: this.nextId[object]++,
      object,
      values,
      custom,
      addTime: wholeSecond(at),
      updateTime: wholeSecond(at),
      deletedAt: null,
    };
    this.records[object].set(record.id, record);
    return record;
  }

  create(
    object: PdObject,
    values: Record<string, unknown>,
    custom: Record<string, unknown>,
    meta: { source: 'app' | 'api'; userId: number },
    addTime?: number,
  ): PdRecord {
    const record = this.insertSeed(object, values, custom, this.now());
    if (addTime !== undefined) record.addTime = wholeSecond(addTime);
    this.emit({ action: 'create', record: cloneRecord(record), previous: null, ...meta });
    return record;
  }

  update(
    record: PdRecord,
    values: Record<string, unknown>,
    custom: Record<string, unknown>,
    meta: { source: 'app' | 'api'; userId: number; mergedFromId?: number },
  ): PdRecord {
    const previous = cloneRecord(record);
    Object.assign(record.values, values);
    Object.assign(record.custom, custom);
    record.updateTime = wholeSecond(this.now());
    this.emit({ action: 'change', record: cloneRecord(record), previous, ...meta });
    return record;
  }

  remove(record: PdRecord, meta: { source: 'app' | 'api'; userId: number; mergedToId?: number }): void {
    const previous = cloneRecord(record);
    record.deletedAt = this.now();
    record.updateTime = wholeSecond(this.now());
    this.emit({ action: 'delete', record: cloneRecord(record), previous, ...meta });
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
