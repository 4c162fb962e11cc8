// One org's data: Contacts and Deals by id, the recycle bin of deleted records, the contact roles
// linking contacts to deals, and the users who own and edit records. Ids are Zoho-like numeric strings
// from one org-wide counter, so later records always have larger ids (docs/vendors/zoho.md "Records").
import { type ModuleName } from './constants';

export interface ZohoUser {
  id: string;
  full_name: string;
  email: string;
}

export interface ZohoRecord {
  id: string;
  module: ModuleName;
  /** Field values by API name, as the API writes them (lookups as `{id}`; system fields apart). */
  values: Record<string, unknown>;
  ownerId: string;
  createdById: string;
  modifiedById: string;
  /** Epoch ms, whole seconds (Zoho's timestamps have second precision). */
  createdTime: number;
  modifiedTime: number;
  /** The exact instant (ms) of the last change: what admin helpers compare, the API shows whole seconds. */
  changedAt: number;
}

export interface DeletedEntry {
  id: string;
  module: ModuleName;
  displayName: string | null;
  deletedTime: number;
  /** The exact instant (ms) of the deletion. */
  deletedAt: number;
  deletedById: string;
  createdById: string;
}

export interface ContactRoleDef {
  id: string;
  name: string;
  sequence_number: number;
}

export type ChangeAction = 'create' | 'edit' | 'delete';

export interface StoreChange {
  action: ChangeAction;
  record: ZohoRecord;
  /** API names whose values changed (every written field on create). */
  fields: string[];
}

export function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Compares Zoho ids (numeric strings of possibly different lengths) numerically. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export class OrgStore {
  readonly records: Record<ModuleName, Map<string, ZohoRecord>> = { Contacts: new Map(), Deals: new Map() };
  readonly deleted: DeletedEntry[] = [];
  /** deal id → contact id → contact role id. */
  readonly contactRoles = new Map<string, Map<string, string>>();
  readonly roleDefs: ContactRoleDef[] = [];
  readonly users: ZohoUser[] = [];
  private counter = 1;
  private readonly listeners: ((change: StoreChange) => void)[] = [];

  constructor(
    /** The org's id prefix: seven digits, like the first part of real Zoho record ids. */
    readonly idPrefix: string,
    private readonly now: () => number,
  ) {}

  /** A fresh id: the prefix, then a 12-digit counter (19 digits in all). */
  nextId(): string {
    return `${this.idPrefix}${String(this.counter++).padStart(12, '0')}`;
  }

  onChange(listener: (change: StoreChange) => void): void {
    this.listeners.push(listener);
  }

  get(module: ModuleName, id: string): ZohoRecord | undefined {
    return this.records[module].get(id);
  }

  all(module: ModuleName): ZohoRecord[] {
    return [...this.records[module].values()];
  }

  user(id: string): ZohoUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  /** Seeding: a record with chosen timestamps, raising no change. */
  insertSeed(module: ModuleName, values: Record<string, unknown>, ownerId: string, at: number): ZohoRecord {
    const record: ZohoRecord = {
      id: this.nextId(),
      module,
      values,
      ownerId,
      createdById: ownerId,
      modifiedById: ownerId,
      createdTime: wholeSecond(at),
      modifiedTime: wholeSecond(at),
      changedAt: at,
    };
    this.records[module].set(record.id, record);
    return record;
  }

  create(
    module: ModuleName,
    values: Record<string, unknown>,
    ownerId: string,
    userId: string,
    at: number = this.now(),
  ): ZohoRecord {
    const record = this.insertSeed(module, values, ownerId, at);
    record.createdById = userId;
    record.modifiedById = userId;
    this.emit({ action: 'create', record: structuredClone(record), fields: Object.keys(values) });
    return record;
  }

  update(
    record: ZohoRecord,
    values: Record<string, unknown>,
    userId: string,
    ownerId?: string,
    at: number = this.now(),
  ): ZohoRecord {
    const changed = Object.keys(values).filter(
      (k) => JSON.stringify(record.values[k] ?? null) !== JSON.stringify(values[k] ?? null),
    );
    Object.assign(record.values, values);
    if (ownerId !== undefined && ownerId !== record.ownerId) {
      record.ownerId = ownerId;
      changed.push('Owner');
    }
    record.modifiedById = userId;
    record.modifiedTime = wholeSecond(at);
    record.changedAt = at;
    this.emit({ action: 'edit', record: structuredClone(record), fields: changed });
    return record;
  }

  /** Moves a record to the recycle bin (and drops the contact roles it took part in). */
  remove(record: ZohoRecord, userId: string, displayName: string | null, at: number = this.now()): void {
    this.records[record.module].delete(record.id);
    if (record.module === 'Deals') this.contactRoles.delete(record.id);
    else for (const roles of this.contactRoles.values()) roles.delete(record.id);
    this.deleted.push({
      id: record.id,
      module: record.module,
      displayName,
      deletedTime: wholeSecond(at),
      deletedAt: at,
      deletedById: userId,
      createdById: record.createdById,
    });
    this.emit({ action: 'delete', record: structuredClone(record), fields: [] });
  }

  private emit(change: StoreChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
