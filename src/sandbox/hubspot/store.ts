// One HubSpot portal's data: contacts, deals, their associations, property definitions and pipelines.
// Every change goes through here so that unique values, timestamps, the search index (with its optional
// lag) and the webhook change feed stay consistent whichever API or admin path made it.
import { MODIFIED_PROPERTY, RECYCLE_BIN_MS, SINGULAR, type HsObjectType } from './constants';
import { HsError, notFound, propertyValidationError, validationError } from './errors';
import {
  defaultPipelines,
  defaultProperties,
  syncPipelineOptions,
  type Pipeline,
  type PropertyDef,
} from './schema';
import { normaliseProperties } from './validate';

export interface HistoryEntry {
  value: string;
  timestamp: string;
  sourceType: string;
}

/** What search sees of a record: a snapshot taken when the write became visible to the index. */
export interface IndexedView {
  properties: Record<string, string>;
  archived: boolean;
  updatedAt: number;
}

export interface HsRecord {
  id: string;
  type: HsObjectType;
  properties: Record<string, string>;
  history: Record<string, HistoryEntry[]>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /** Search's view, and versions still waiting for the index (see `indexLagMs`). */
  indexed: IndexedView | null;
  pending: { visibleAt: number; view: IndexedView }[];
}

export type ChangeSource = 'API' | 'CRM_UI' | 'IMPORT' | 'INTEGRATION';
export type ChangeEvent =
  | { kind: 'creation'; type: HsObjectType; objectId: string; occurredAt: number; source: ChangeSource }
  | {
      kind: 'deletion' | 'restore';
      type: HsObjectType;
      objectId: string;
      occurredAt: number;
      source: ChangeSource;
    }
  | {
      kind: 'propertyChange';
      type: HsObjectType;
      objectId: string;
      occurredAt: number;
      source: ChangeSource;
      propertyName: string;
      propertyValue: string;
    };

export interface StoreOptions {
  now: () => number;
  /** Writes become visible to search only after this many ms (docs/vendors/hubspot.md "Search" "eventual consistency"); read per write. @defaultValue 0 */
  indexLagMs?: () => number;
  owners?: { id: string; name: string }[];
}

export const DEFAULT_OWNERS = [
  { id: '910901', name: 'Ada Lovelace' },
  { id: '910902', name: 'Grace Hopper' },
  { id: '910903', name: 'Alan Turing' },
  { id: '910904', name: 'Katherine Johnson' },
];

export class PortalStore {
  readonly records: Record<HsObjectType, Map<string, HsRecord>> = { contacts: new Map(), deals: new Map() };
  /** Ids in ascending numeric order (ids only grow), for `after` paging. */
  readonly order: Record<HsObjectType, string[]> = { contacts: [], deals: [] };
  readonly properties: Record<HsObjectType, Map<string, PropertyDef>>;
  readonly pipelines: Pipeline[];
  /** contact id → deal ids and the reverse. */
  private readonly assoc = {
    contacts: new Map<string, Set<string>>(),
    deals: new Map<string, Set<string>>(),
  };
  /** Live (non-archived) values of unique properties: type → property → lower-cased value → id. */
  private readonly unique = {
    contacts: new Map<string, Map<string, string>>(),
    deals: new Map<string, Map<string, string>>(),
  };
  private nextId: Record<HsObjectType, number> = { contacts: 1001, deals: 5_000_001 };
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  readonly owners: { id: string; name: string }[];

  constructor(private readonly opts: StoreOptions) {
    this.owners = opts.owners ?? DEFAULT_OWNERS;
    const defs = defaultProperties(this.owners);
    this.pipelines = defaultPipelines();
    syncPipelineOptions(defs.deals, this.pipelines);
    this.properties = {
      contacts: new Map(defs.contacts.map((d) => [d.name, d])),
      deals: new Map(defs.deals.map((d) => [d.name, d])),
    };
  }

  now(): number {
    return this.opts.now();
  }

  onChange(listener: (e: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Names of properties with `hasUniqueValue` plus `email` for contacts (HubSpot's dedupe key). */
  uniqueProperties(type: HsObjectType): string[] {
    const names = [...this.properties[type].values()].filter((d) => d.hasUniqueValue).map((d) => d.name);
    return type === 'contacts' ? ['email', ...names] : names;
  }

  /** A record, live or archived; an archived one past the recycling bin's retention is gone for good. */
  get(type: HsObjectType, id: string): HsRecord | undefined {
    const rec = this.records[type].get(id);
    if (rec?.archived && rec.archivedAt !== undefined && rec.archivedAt < this.now() - RECYCLE_BIN_MS) {
      this.records[type].delete(id);
      return undefined;
    }
    return rec;
  }

  /** The live record whose unique property `prop` equals `value` (case-insensitive, as HubSpot's email). */
  findByUnique(type: HsObjectType, prop: string, value: string): HsRecord | undefined {
    const id = this.unique[type].get(prop)?.get(value.toLowerCase());
    return id ? this.records[type].get(id) : undefined;
  }

  /**
   * Creates a record. `at` backdates it (seeding); otherwise it is stamped with the sandbox clock.
   * @throws HsError 400 VALIDATION_ERROR or 409 CONFLICT (duplicate email / unique value)
   */
  create(
    type: HsObjectType,
    input: Record<string, unknown>,
    source: ChangeSource,
    at?: { createdAt: number; updatedAt: number },
  ): HsRecord {
    const values = this.prepareCreate(type, input);
    const id = String(this.nextId[type]++);
    const createdAt = at?.createdAt ?? this.now();
    const updatedAt = at?.updatedAt ?? createdAt;
    const rec: HsRecord = {
      id,
      type,
      properties: {},
      history: {},
      createdAt,
      updatedAt,
      archived: false,
      indexed: null,
      pending: [],
    };
    if (type === 'deals' && !values.pipeline) values.pipeline = 'default';
    for (const [k, v] of Object.entries(values)) if (v !== '') this.setValue(rec, k, v, createdAt, source);
    this.setValue(rec, 'hs_object_id', id, createdAt, source);
    this.setValue(rec, 'createdate', new Date(createdAt).toISOString(), createdAt, source);
    this.stamp(rec, updatedAt, source);
    this.records[type].set(id, rec);
    this.order[type].push(id);
    this.indexUnique(rec);
    this.reindex(rec);
    this.emit({ kind: 'creation', type, objectId: id, occurredAt: createdAt, source });
    // Properties set at creation also raise propertyChange events, as a subscription to them expects.
    for (const [k, v] of Object.entries(values)) {
      if (v === '') continue;
      this.emit({
        kind: 'propertyChange',
        type,
        objectId: id,
        occurredAt: createdAt,
        source,
        propertyName: k,
        propertyValue: v,
      });
    }
    return rec;
  }

  /** Validates a create without applying it (batch calls check every input first). @throws HsError */
  prepareCreate(type: HsObjectType, input: Record<string, unknown>): Record<string, string> {
    const values = this.validate(type, input);
    if (type === 'contacts' && !values.email && !values.firstname && !values.lastname) {
      throw validationError('At least one of email, firstname or lastname is required to create a contact.');
    }
    if (type === 'deals' && (!values.dealname || !values.dealstage)) {
      // The deals guide says to include dealname and dealstage; how strictly the API refuses is UNVERIFIED.
      throw propertyValidationError(
        ['dealname', 'dealstage']
          .filter((n) => !values[n])
          .map((name) => ({ isValid: false, name, error: 'REQUIRED_FIELD', message: `${name} is required` })),
      );
    }
    this.checkUnique(type, values, undefined);
    return values;
  }

  /** Validates an update of a live record without applying it. @throws HsError */
  prepareUpdate(type: HsObjectType, id: string, input: Record<string, unknown>): Record<string, string> {
    const rec = this.live(type, id);
    const values = this.validate(type, input, rec.properties);
    this.checkUnique(type, values, id);
    return values;
  }

  /** @throws HsError 404 for an unknown or archived id, 400 / 409 as {@link create}. */
  update(
    type: HsObjectType,
    id: string,
    input: Record<string, unknown>,
    source: ChangeSource,
    at?: number,
  ): HsRecord {
    const values = this.prepareUpdate(type, id, input);
    const rec = this.live(type, id);
    const ts = at ?? this.now();
    this.unindexUnique(rec);
    const changed: [string, string][] = [];
    for (const [k, v] of Object.entries(values)) {
      if ((rec.properties[k] ?? '') === v) continue;
      if (v === '') delete rec.properties[k];
      else this.setValue(rec, k, v, ts, source);
      changed.push([k, v]);
    }
    this.indexUnique(rec);
    if (changed.length > 0) {
      this.stamp(rec, ts, source);
      this.reindex(rec);
      for (const [k, v] of changed) {
        this.emit({
          kind: 'propertyChange',
          type,
          objectId: id,
          occurredAt: ts,
          source,
          propertyName: k,
          propertyValue: v,
        });
      }
    }
    return rec;
  }

  /** Archives (soft-deletes) a record; archiving an archived or unknown id is a 404. */
  archive(type: HsObjectType, id: string, source: ChangeSource, at?: number): void {
    const rec = this.live(type, id);
    const ts = at ?? this.now();
    this.unindexUnique(rec);
    rec.archived = true;
    rec.archivedAt = ts;
    // The modification properties move with `updatedAt`, so a reader of either sees one time.
    this.stamp(rec, ts, source);
    this.reindex(rec);
    this.emit({ kind: 'deletion', type, objectId: id, occurredAt: ts, source });
  }

  /** Restores an archived record (the UI's recycling bin); @throws 404 when it is not archived. */
  restore(type: HsObjectType, id: string, source: ChangeSource): HsRecord {
    const rec = this.get(type, id);
    if (!rec || !rec.archived) throw notFound();
    this.checkUnique(type, rec.properties, id);
    const ts = this.now();
    rec.archived = false;
    delete rec.archivedAt;
    this.stamp(rec, ts, source);
    this.indexUnique(rec);
    this.reindex(rec);
    this.emit({ kind: 'restore', type, objectId: id, occurredAt: ts, source });
    return rec;
  }

  /** A live record or a 404 in HubSpot's words. */
  live(type: HsObjectType, id: string): HsRecord {
    const rec = this.records[type].get(id);
    if (!rec || rec.archived) throw notFound();
    return rec;
  }

  associate(contactId: string, dealId: string): void {
    link(this.assoc.contacts, contactId, dealId);
    link(this.assoc.deals, dealId, contactId);
  }

  dissociate(contactId: string, dealId: string): void {
    this.assoc.contacts.get(contactId)?.delete(dealId);
    this.assoc.deals.get(dealId)?.delete(contactId);
  }

  /** Ids associated with `id` of `type` (contacts → deal ids, deals → contact ids), ascending. */
  associated(type: HsObjectType, id: string): string[] {
    const other: HsObjectType = type === 'contacts' ? 'deals' : 'contacts';
    return [...(this.assoc[type].get(id) ?? [])]
      .filter((o) => this.records[other].get(o)?.archived === false)
      .sort((a, b) => Number(a) - Number(b));
  }

  /** The index view of a record at `now`, after applying versions whose lag has elapsed. */
  searchView(rec: HsRecord, now: number): IndexedView | null {
    while (rec.pending.length > 0 && rec.pending[0].visibleAt <= now) rec.indexed = rec.pending.shift()!.view;
    return rec.indexed;
  }

  private validate(
    type: HsObjectType,
    input: Record<string, unknown>,
    current?: Record<string, string>,
  ): Record<string, string> {
    const { values, problems } = normaliseProperties(input, {
      defs: this.properties[type],
      pipelines: this.pipelines,
      current,
    });
    if (problems.length > 0) throw propertyValidationError(problems);
    return values;
  }

  private checkUnique(type: HsObjectType, values: Record<string, string>, selfId: string | undefined): void {
    for (const prop of this.uniqueProperties(type)) {
      const v = values[prop];
      if (!v) continue;
      const existing = this.unique[type].get(prop)?.get(v.toLowerCase());
      if (!existing || existing === selfId) continue;
      if (prop === 'email')
        throw new HsError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing}`);
      // The message for a custom unique-value collision is UNVERIFIED; the 409 CONFLICT mirrors email's.
      throw new HsError(
        409,
        'CONFLICT',
        `A ${SINGULAR[type]} with the value '${v}' for property '${prop}' already exists. Existing ID: ${existing}`,
      );
    }
  }

  private setValue(rec: HsRecord, name: string, value: string, ts: number, source: ChangeSource): void {
    rec.properties[name] = value;
    (rec.history[name] ??= []).unshift({ value, timestamp: new Date(ts).toISOString(), sourceType: source });
  }

  private stamp(rec: HsRecord, ts: number, source: ChangeSource): void {
    rec.updatedAt = ts;
    const iso = new Date(ts).toISOString();
    this.setValue(rec, 'hs_lastmodifieddate', iso, ts, source);
    if (rec.type === 'contacts') this.setValue(rec, MODIFIED_PROPERTY.contacts, iso, ts, source);
    if (rec.type === 'deals') {
      const stage = this.pipelines.flatMap((p) => p.stages).find((s) => s.id === rec.properties.dealstage);
      if (stage) rec.properties.hs_deal_stage_probability = String(stage.probability);
    }
  }

  private indexUnique(rec: HsRecord): void {
    if (rec.archived) return;
    for (const prop of this.uniqueProperties(rec.type)) {
      const v = rec.properties[prop];
      if (!v) continue;
      let m = this.unique[rec.type].get(prop);
      if (!m) this.unique[rec.type].set(prop, (m = new Map()));
      m.set(v.toLowerCase(), rec.id);
    }
  }

  private unindexUnique(rec: HsRecord): void {
    for (const prop of this.uniqueProperties(rec.type)) {
      const v = rec.properties[prop];
      const m = this.unique[rec.type].get(prop);
      if (v && m?.get(v.toLowerCase()) === rec.id) m.delete(v.toLowerCase());
    }
  }

  private reindex(rec: HsRecord): void {
    const view: IndexedView = {
      properties: { ...rec.properties },
      archived: rec.archived,
      updatedAt: rec.updatedAt,
    };
    const lag = this.opts.indexLagMs?.() ?? 0;
    if (lag <= 0) {
      rec.pending = [];
      rec.indexed = view;
    } else {
      rec.pending.push({ visibleAt: this.now() + lag, view });
    }
  }

  private emit(e: ChangeEvent): void {
    for (const l of this.listeners) l(e);
  }
}

function link(m: Map<string, Set<string>>, a: string, b: string): void {
  let s = m.get(a);
  if (!s) m.set(a, (s = new Set()));
  s.add(b);
}
