import { type SfErrorItem } from './errors';
import { makeId } from './ids';
import { idKey } from './id-lookup';
import {
  CURRENCY_FIELD,
  OPPORTUNITY_STAGES,
  SCHEMA,
  findField,
  schemaFor,
  type SfObject,
  type SfSchema,
} from './schema';
import { coerceValue, type SfRecord, type SfValue } from './values';

export interface WriteContext {
  /** The user the change is attributed to (LastModifiedById). */
  userId: string;
  now: number;
  /** REST bodies are typed JSON; Bulk 2.0 cells are text. */
  mode: 'json' | 'csv';
}

export type SaveResult =
  { success: true; id: string; created: boolean } | { success: false; id?: string; errors: SfErrorItem[] };

export interface DeletedEntry {
  object: string;
  id: string;
  deletedAt: number;
}

interface UndoStep {
  object: string;
  id: string;
  before: SfRecord | undefined;
  logLength: number;
}

const READ_ONLY_ON_WRITE = new Set([
  'Id',
  'IsDeleted',
  'CreatedDate',
  'CreatedById',
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
]);

/**
 * An org's records and delete log, with Salesforce's validation and side effects (audit fields, compound
 * names, stage-derived fields, cascading deletes). Every write path — REST, collections, composite, Bulk
 * 2.0, admin — goes through here so they agree. `begin`/`rollback` give allOrNone semantics. The
 * sandbox is single-threaded but handlers await, so a rollback also undoes writes another client made
 * in the meantime to the same records: acceptable for a simulator, and documented here.
 */
export class SfStore {
  readonly tables = new Map<string, Map<string, SfRecord>>();
  readonly deleteLog: DeletedEntry[] = [];
  private counter = 0;
  private journal: UndoStep[] | null = null;
  private depth = 0;
  /** The org's objects: with CurrencyIsoCode once multi-currency is on ({@link configureCurrency}). */
  schema: SfSchema = SCHEMA;
  /** The org's (corporate) currency, which new records of a multi-currency org default to. */
  private currency = 'USD';

  constructor(private readonly pod: string) {
    for (const name of SCHEMA.keys()) this.tables.set(name, new Map());
  }

  /**
   * The org's currency settings: its Organization row reports `code`, and in a multi-currency org
   * every Account, Contact and Opportunity carries a CurrencyIsoCode (records without one — seeded,
   * or made while the org was single-currency — get `code`, as enabling multi-currency does).
   */
  configureCurrency(code: string, multiCurrency: boolean): void {
    this.currency = code;
    this.schema = schemaFor(multiCurrency);
    for (const row of this.table('Organization').values()) row.DefaultCurrencyIsoCode = code;
    if (!multiCurrency) return;
    for (const obj of this.schema.values()) {
      if (!obj.fieldMap.has(CURRENCY_FIELD)) continue;
      for (const rec of this.table(obj.name).values()) rec[CURRENCY_FIELD] ??= code;
    }
  }

  /** The object as this org has it (a caller may hold the single-currency shape). */
  private own(object: SfObject): SfObject {
    return this.schema.get(object.name) ?? object;
  }

  table(object: string): Map<string, SfRecord> {
    const t = this.tables.get(object);
    if (!t) throw new Error(`no table ${object}`);
    return t;
  }

  /**
   * A new record's id: the next number not already taken in the object's table. Seeded rows are
   * numbered from 1001 in the same space (seed.ts), so without the check the 1,001st record made
   * replaced a seeded one — `bench:writes` saw 2,000 creates succeed and 1,995 contacts more.
   */
  nextId(obj: SfObject): string {
    const table = this.tables.get(obj.name);
    for (;;) {
      const id = makeId(obj.keyPrefix, ++this.counter, this.pod);
      if (!table?.has(id)) return id;
    }
  }

  get(object: string, id: string): SfRecord | undefined {
    const key = idKey(id);
    return key ? this.tables.get(object)?.get(key) : undefined;
  }

  /** Records of `object` whose `field` equals `value` (external-id lookups), deleted ones excluded. */
  findBy(object: string, field: string, value: SfValue): SfRecord[] {
    const out: SfRecord[] = [];
    for (const rec of this.table(object).values()) if (!rec.IsDeleted && rec[field] === value) out.push(rec);
    return out;
  }

  /** Inserts seed rows as they are (no validation): seed data is trusted. */
  insertRaw(object: string, rec: SfRecord): void {
    this.table(object).set(rec.Id as string, rec);
  }

  /** Starts a (nestable) transaction; pass the mark to `rollback` or call `commit`. */
  begin(): number {
    if (!this.journal) this.journal = [];
    this.depth++;
    return this.journal.length;
  }

  commit(): void {
    if (--this.depth <= 0) {
      this.depth = 0;
      this.journal = null;
    }
  }

  /** Undoes every write since `mark` (record contents, creations, delete-log entries). */
  rollback(mark: number): void {
    const steps = this.journal?.splice(mark) ?? [];
    for (const step of steps.reverse()) {
      const t = this.table(step.object);
      if (step.before) t.set(step.id, step.before);
      else t.delete(step.id);
      this.deleteLog.length = step.logLength;
    }
    this.commit();
  }

  create(given: SfObject, fields: Record<string, unknown>, ctx: WriteContext): SaveResult {
    const object = this.own(given);
    if (!object.writable)
      return fail('INSUFFICIENT_ACCESS_OR_READONLY', `You cannot create ${object.name} records here`);
    if ('Id' in fields || 'id' in fields) {
      return fail('INVALID_FIELD', 'The Id field should not be specified in the sobject data.');
    }
    const values = this.validate(object, fields, ctx, 'create');
    if (!values.ok) return { success: false, errors: values.errors };
    const id = this.nextId(object);
    const rec: SfRecord = { Id: id, IsDeleted: false };
    for (const field of object.fields) if (!(field.name in rec)) rec[field.name] = null;
    Object.assign(rec, defaults(object), values.values);
    if (object.fieldMap.has(CURRENCY_FIELD)) rec[CURRENCY_FIELD] ??= this.currency;
    stamp(rec, ctx, true);
    derive(object, rec);
    this.remember(object.name, id, undefined);
    this.table(object.name).set(id, rec);
    this.keepOnePrimary(object, rec, ctx);
    return { success: true, id, created: true };
  }

  update(given: SfObject, id: string, fields: Record<string, unknown>, ctx: WriteContext): SaveResult {
    const object = this.own(given);
    const rec = this.get(object.name, id);
    if (!rec) return fail('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, undefined, id);
    if (rec.IsDeleted) return fail('ENTITY_IS_DELETED', 'entity is deleted', undefined, rec.Id as string);
    if (!object.writable)
      return fail('INSUFFICIENT_ACCESS_OR_READONLY', `You cannot update ${object.name} records here`);
    const rest = { ...fields };
    delete rest.Id;
    delete rest.id;
    const values = this.validate(object, rest, ctx, 'update', rec.Id as string);
    if (!values.ok) return { success: false, id: rec.Id as string, errors: values.errors };
    this.remember(object.name, rec.Id as string, rec);
    const next = { ...rec, ...values.values };
    // A new stage brings its default probability unless the caller set one (as in Salesforce).
    if (
      object.name === 'Opportunity' &&
      values.values.StageName !== undefined &&
      values.values.Probability === undefined
    ) {
      next.Probability = null;
    }
    stamp(next, ctx, false);
    derive(object, next);
    this.table(object.name).set(rec.Id as string, next);
    this.keepOnePrimary(object, next, ctx);
    return { success: true, id: rec.Id as string, created: false };
  }

  /**
   * "Only one primary per Opportunity" (docs/vendors/salesforce.md "sObject Collections", OpportunityContactRole): a role saved as primary
   * demotes the opportunity's other primary roles, as a user's DML on them would (audit fields too).
   */
  private keepOnePrimary(object: SfObject, rec: SfRecord, ctx: WriteContext): void {
    if (object.name !== 'OpportunityContactRole' || rec.IsPrimary !== true) return;
    const table = this.table(object.name);
    for (const other of [...table.values()]) {
      if (other.Id === rec.Id || other.IsDeleted || other.IsPrimary !== true) continue;
      if (other.OpportunityId !== rec.OpportunityId) continue;
      this.remember(object.name, other.Id as string, other);
      const demoted = { ...other, IsPrimary: false };
      stamp(demoted, ctx, false);
      table.set(other.Id as string, demoted);
    }
  }

  /** Soft delete into the recycle bin, cascading to children the way Salesforce does. */
  delete(object: SfObject, id: string, ctx: WriteContext): SaveResult {
    const rec = this.get(object.name, id);
    if (!rec) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', undefined, id);
    if (rec.IsDeleted) return fail('ENTITY_IS_DELETED', 'entity is deleted', undefined, rec.Id as string);
    this.softDelete(object, rec, ctx);
    return { success: true, id: rec.Id as string, created: false };
  }

  undelete(object: SfObject, id: string, ctx: WriteContext): SaveResult {
    const rec = this.get(object.name, id);
    if (!rec) return fail('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', undefined, id);
    if (!rec.IsDeleted)
      return fail('UNDELETE_FAILED', 'Entity is not in the recycle bin', undefined, rec.Id as string);
    this.remember(object.name, rec.Id as string, rec);
    const next = { ...rec, IsDeleted: false };
    stamp(next, ctx, false);
    this.table(object.name).set(rec.Id as string, next);
    return { success: true, id: rec.Id as string, created: false };
  }

  private softDelete(object: SfObject, rec: SfRecord, ctx: WriteContext): void {
    const id = rec.Id as string;
    this.remember(object.name, id, rec);
    const next = {
      ...rec,
      IsDeleted: true,
      SystemModstamp: ctx.now,
      LastModifiedDate: ctx.now,
      LastModifiedById: ctx.userId,
    };
    this.table(object.name).set(id, next);
    this.deleteLog.push({ object: object.name, id, deletedAt: ctx.now });
    for (const rel of object.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const child = this.schema.get(rel.childSObject);
      if (!child) continue;
      for (const c of this.table(child.name).values())
        if (!c.IsDeleted && c[rel.field] === id) this.softDelete(child, c, ctx);
    }
  }

  private remember(object: string, id: string, before: SfRecord | undefined): void {
    this.journal?.push({ object, id, before, logLength: this.deleteLog.length });
  }

  private validate(
    object: SfObject,
    fields: Record<string, unknown>,
    ctx: WriteContext,
    op: 'create' | 'update',
    selfId?: string,
  ): { ok: true; values: SfRecord } | { ok: false; errors: SfErrorItem[] } {
    const errors: SfErrorItem[] = [];
    const values: SfRecord = {};
    const readOnly: string[] = [];
    for (const [name, raw] of Object.entries(fields)) {
      if (name === 'attributes' || name === 'type') continue;
      const field = findField(object, name);
      if (!field) {
        errors.push({
          errorCode: 'INVALID_FIELD',
          message: `No such column '${name}' on sobject of type ${object.name}`,
          fields: [name],
        });
        continue;
      }
      if (
        READ_ONLY_ON_WRITE.has(field.name) ||
        field.calculated ||
        (op === 'create' ? !field.createable : !field.updateable)
      ) {
        readOnly.push(field.name);
        continue;
      }
      const coerced = coerceValue(field, raw, ctx.mode);
      if (!coerced.ok) {
        errors.push(coerced.error);
        continue;
      }
      values[field.name] = coerced.value;
    }
    if (readOnly.length > 0) {
      errors.push({
        errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: readOnly,
      });
    }
    const missing = object.fields
      .filter((x) => !x.nillable && !x.defaultedOnCreate && x.createable)
      .filter((x) =>
        op === 'create' ? values[x.name] === undefined || values[x.name] === null : values[x.name] === null,
      )
      .map((x) => x.name);
    if (missing.length > 0) {
      errors.push({
        errorCode: 'REQUIRED_FIELD_MISSING',
        message: `Required fields are missing: [${missing.join(', ')}]`,
        fields: missing,
      });
    }
    for (const [name, value] of Object.entries(values)) {
      const field = object.fieldMap.get(name);
      if (!field || value === null) continue;
      if (field.type === 'reference' && field.referenceTo) {
        const target = this.get(field.referenceTo, value as string);
        if (!target)
          errors.push({
            errorCode: 'INVALID_CROSS_REFERENCE_KEY',
            message: `invalid cross reference id`,
            fields: [name],
          });
        else if (target.IsDeleted)
          errors.push({ errorCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [name] });
      }
      if (field.unique) {
        const dup = this.findBy(object.name, name, value).find((r) => r.Id !== selfId);
        if (dup) {
          errors.push({
            errorCode: 'DUPLICATE_VALUE',
            message: `duplicate value found: ${name} duplicates value on record with id: ${String(dup.Id)}`,
            fields: [name],
          });
        }
      }
    }
    return errors.length > 0 ? { ok: false, errors } : { ok: true, values };
  }
}

function fail(errorCode: string, message: string, fields?: string[], id?: string): SaveResult {
  return {
    success: false,
    ...(id ? { id } : {}),
    errors: [{ errorCode, message, ...(fields ? { fields } : {}) }],
  };
}

function defaults(object: SfObject): SfRecord {
  const out: SfRecord = {};
  for (const field of object.fields) {
    if (field.type === 'boolean' && field.defaultedOnCreate && field.createable) out[field.name] = false;
  }
  if (object.name === 'User') out.IsActive = true;
  return out;
}

function stamp(rec: SfRecord, ctx: WriteContext, created: boolean): void {
  if (created) {
    rec.CreatedDate = ctx.now;
    rec.CreatedById = ctx.userId;
    if (rec.OwnerId === null && 'OwnerId' in rec) rec.OwnerId = ctx.userId;
  }
  rec.LastModifiedDate = ctx.now;
  rec.LastModifiedById = ctx.userId;
  rec.SystemModstamp = ctx.now;
}

/** Fields Salesforce computes: compound Name; IsClosed/IsWon and default Probability from the stage. */
export function derive(object: SfObject, rec: SfRecord): void {
  if (object.name === 'Contact' || object.name === 'User') {
    rec.Name = [rec.FirstName, rec.LastName].filter((x) => typeof x === 'string' && x !== '').join(' ');
  }
  if (object.name === 'Opportunity') {
    const stage = OPPORTUNITY_STAGES.find((s) => s.value === rec.StageName);
    rec.IsClosed = stage?.closed ?? false;
    rec.IsWon = stage?.won ?? false;
    if ((rec.Probability === null || rec.Probability === undefined) && stage)
      rec.Probability = stage.probability;
  }
}
