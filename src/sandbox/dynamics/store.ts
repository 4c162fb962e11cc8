// One org's rows, with the row versions change tracking reads and an undo journal so a `$batch`
// change set is all or nothing (docs/vendors/dynamics.md "$batch", "Change tracking").
import { ENTITIES, entityByLogicalName, type EntityDef } from './schema';

/** A lookup value as stored: the row it points at, and that row's table. */
export interface LookupValue {
  id: string;
  entity: string;
}

export interface DvRecord {
  entity: string;
  id: string;
  /** Column values by logical name; lookups hold a {@link LookupValue}. */
  values: Record<string, unknown>;
  /** Row version: grows with every write in the org, the etag is `W/"<version>"`. */
  version: number;
  createdOn: number;
  modifiedOn: number;
}

export interface Deletion {
  id: string;
  version: number;
  at: number;
}

export type ChangeKind = 'Create' | 'Update' | 'Delete';

/** What a write did, for webhooks. `changed` lists the columns the write set. */
export interface StoreChange {
  kind: ChangeKind;
  entity: EntityDef;
  record: DvRecord;
  before: DvRecord | null;
  changed: string[];
  /** The user the write ran as (systemuser id). */
  userId: string;
}

/** Who writes and when: every store write takes one. */
export interface WriteContext {
  userId: string;
  now: number;
}

type Undo = () => void;

export function isLookupValue(value: unknown): value is LookupValue {
  return typeof value === 'object' && value !== null && 'id' in value && 'entity' in value;
}

export function etagOf(record: DvRecord): string {
  return `W/"${record.version}"`;
}

/** Columns Dataverse computes on every write. */
function derive(entity: EntityDef, values: Record<string, unknown>): void {
  if (entity.primaryName === 'fullname') {
    const first = typeof values.firstname === 'string' ? values.firstname : '';
    const last = typeof values.lastname === 'string' ? values.lastname : '';
    values.fullname = `${first} ${last}`.trim();
  }
}

export class DvStore {
  private readonly tables = new Map<string, Map<string, DvRecord>>();
  private readonly deletions = new Map<string, Deletion[]>();
  private versionCounter = 1_000_000;
  private listeners: ((change: StoreChange) => void)[] = [];
  /** Open change-set journal: undo steps and the events held back until it commits. */
  private journal: { undo: Undo[]; events: StoreChange[] } | null = null;

  constructor() {
    for (const e of ENTITIES) {
      this.tables.set(e.logicalName, new Map());
      this.deletions.set(e.logicalName, []);
    }
  }

  get currentVersion(): number {
    return this.versionCounter;
  }

  onChange(listener: (change: StoreChange) => void): void {
    this.listeners.push(listener);
  }

  table(entity: string): Map<string, DvRecord> {
    const t = this.tables.get(entity);
    if (!t) throw new Error(`no table ${entity} in the Dataverse sandbox`);
    return t;
  }

  get(entity: string, id: string): DvRecord | undefined {
    return this.tables.get(entity)?.get(id.toLowerCase());
  }

  deletedSince(entity: string, version: number): Deletion[] {
    return (this.deletions.get(entity) ?? []).filter((d) => d.version > version);
  }

  /** The row whose key columns hold exactly these values (string comparison is case-insensitive). */
  findByKey(entity: string, key: Record<string, unknown>): DvRecord | undefined {
    const names = Object.keys(key);
    for (const record of this.table(entity).values()) {
      if (names.every((n) => sameValue(record.values[n], key[n]))) return record;
    }
    return undefined;
  }

  insert(entityName: string, id: string, values: Record<string, unknown>, ctx: WriteContext): DvRecord {
    const entity = this.entity(entityName);
    const all = { ...values, [entity.primaryId]: id };
    derive(entity, all);
    const record: DvRecord = {
      entity: entityName,
      id,
      values: all,
      version: ++this.versionCounter,
      createdOn: ctx.now,
      modifiedOn: ctx.now,
    };
    this.table(entityName).set(id, record);
    this.recordUndo(() => this.table(entityName).delete(id));
    this.emit({
      kind: 'Create',
      entity,
      record,
      before: null,
      changed: Object.keys(values),
      userId: ctx.userId,
    });
    return record;
  }

  update(entityName: string, id: string, patch: Record<string, unknown>, ctx: WriteContext): DvRecord {
    const entity = this.entity(entityName);
    const current = this.get(entityName, id);
    if (!current) throw new Error(`no ${entityName} ${id}`);
    const before: DvRecord = { ...current, values: { ...current.values } };
    const values = { ...current.values, ...patch };
    derive(entity, values);
    const record: DvRecord = { ...current, values, version: ++this.versionCounter, modifiedOn: ctx.now };
    this.table(entityName).set(current.id, record);
    this.recordUndo(() => this.table(entityName).set(current.id, before));
    this.emit({ kind: 'Update', entity, record, before, changed: Object.keys(patch), userId: ctx.userId });
    return record;
  }

  remove(entityName: string, id: string, ctx: WriteContext): DvRecord {
    const entity = this.entity(entityName);
    const current = this.get(entityName, id);
    if (!current) throw new Error(`no ${entityName} ${id}`);
    this.table(entityName).delete(current.id);
    const deletion: Deletion = { id: current.id, version: ++this.versionCounter, at: ctx.now };
    const log = this.deletions.get(entityName) ?? [];
    log.push(deletion);
    this.recordUndo(() => {
      this.table(entityName).set(current.id, current);
      log.splice(log.indexOf(deletion), 1);
    });
    this.emit({ kind: 'Delete', entity, record: current, before: current, changed: [], userId: ctx.userId });
    return current;
  }

  /**
   * Runs `work` as one change set: if it throws, every write it made is undone and its events are
   * never raised. Nested calls join the outer change set.
   */
  async atomically<T>(work: () => Promise<T>): Promise<T> {
    if (this.journal) return work();
    const journal = { undo: [] as Undo[], events: [] as StoreChange[] };
    this.journal = journal;
    try {
      const out = await work();
      this.journal = null;
      for (const event of journal.events) this.raise(event);
      return out;
    } catch (err) {
      this.journal = null;
      for (const undo of journal.undo.reverse()) undo();
      throw err;
    }
  }

  /** Undoes the open change set (a part failed without throwing, e.g. a 4xx sub-response). */
  rollbackOpenChangeSet(): void {
    const journal = this.journal;
    if (!journal) return;
    for (const undo of journal.undo.reverse()) undo();
    journal.undo = [];
    journal.events = [];
  }

  private entity(name: string): EntityDef {
    const e = entityByLogicalName(name);
    if (!e) throw new Error(`no table ${name} in the Dataverse sandbox`);
    return e;
  }

  private recordUndo(undo: Undo): void {
    this.journal?.undo.push(undo);
  }

  private emit(change: StoreChange): void {
    if (this.journal) this.journal.events.push(change);
    else this.raise(change);
  }

  private raise(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (isLookupValue(a)) return typeof b === 'string' && a.id === b.toLowerCase();
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}
