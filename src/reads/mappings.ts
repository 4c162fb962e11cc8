import { Types } from 'mongoose';
import { isCrmKind } from '../config/crms';
import { type CrmObject, type NativeField, type NativeFieldType } from '../connectors/types';
import { BadUserInputError } from '../errors';
import { DEFAULT_MAPPINGS } from '../mapping/defaults';
import { type FieldMappingOverride, applyOverrides } from '../mapping/mapper';
import { parseOverrides } from '../mapping/schema';
import { type FieldMappingEntry, type ObjectMapping, type Transform } from '../mapping/types';
import { type FieldMappingModel, fieldMappingModel } from '../store/models/field-mapping.model';
import { type Store } from '../store';

/** A connection's mapping for one object: the defaults of its CRM with its overrides applied. */
export interface EffectiveMapping {
  mapping: ObjectMapping;
  overrides: FieldMappingOverride[];
  /** 0 while the connection uses the defaults unchanged. */
  version: number;
}

const indexed = new WeakSet<FieldMappingModel>();

/** Per-connection field mappings in the store (`FieldMapping`), read and written for the API. */
export class MappingStore {
  private readonly model: FieldMappingModel;

  constructor(store: Pick<Store, 'conn'>) {
    this.model = fieldMappingModel(store.conn);
  }

  async effective(crm: string, connectionId: string, object: CrmObject): Promise<EffectiveMapping> {
    const defaults = defaultMapping(crm, object);
    const doc = await this.model.findOne({ connectionId: new Types.ObjectId(connectionId), object }).lean();
    if (!doc) return { mapping: defaults, overrides: [], version: 0 };
    const overrides = parseOverrides(doc.overrides);
    return { mapping: applyOverrides(defaults, overrides), overrides, version: doc.version };
  }

  /** Replaces the overrides (already validated) and bumps the version. */
  async replace(
    tenantId: string,
    connectionId: string,
    object: CrmObject,
    overrides: readonly FieldMappingOverride[],
  ): Promise<void> {
    if (!indexed.has(this.model)) {
      // The unique (connection, object) index must exist before the first upsert, or two concurrent
      // first updates could create two documents.
      await this.model.createIndexes();
      indexed.add(this.model);
    }
    await this.model.updateOne(
      { connectionId: new Types.ObjectId(connectionId), object },
      {
        $set: { overrides: [...overrides] },
        $setOnInsert: { tenantId: new Types.ObjectId(tenantId) },
        $inc: { version: 1 },
      },
      { upsert: true },
    );
  }
}

export function defaultMapping(crm: string, object: CrmObject): ObjectMapping {
  if (!isCrmKind(crm)) throw new Error(`no default mapping for CRM ${JSON.stringify(crm)}`);
  return DEFAULT_MAPPINGS[crm][object];
}

/** Native field types each transform can read; `lookup`/`string` read anything as text. */
const TYPES_BY_TRANSFORM: Readonly<Record<Transform['kind'], readonly NativeFieldType[] | 'any'>> = {
  string: 'any',
  lookup: 'any',
  number: ['integer', 'decimal', 'currency', 'percent', 'string'],
  decimal: ['integer', 'decimal', 'currency', 'percent', 'string'],
  percent: ['percent', 'decimal', 'integer', 'string'],
  date: ['date', 'datetime', 'string'],
  datetime: ['datetime', 'date', 'string'],
  boolean: ['boolean', 'string'],
  picklist: ['picklist', 'string'],
  multi: ['multipicklist', 'string', 'text'],
  status_from_flags: 'any',
};

/**
 * Checks overrides against what the CRM says it has: the native field exists (the first segment of a
 * relationship path), its type fits the transform, and every native value a picklist transform names
 * is one of the field's picklist values. Throws one BAD_USER_INPUT listing every problem.
 */
export function validateAgainstDescribe(
  object: CrmObject,
  overrides: readonly FieldMappingOverride[],
  described: readonly NativeField[],
): void {
  const byName = new Map(described.map((f) => [f.name, f]));
  const problems: string[] = [];
  overrides.forEach((o, i) => {
    if ('remove' in o) return;
    const entry: FieldMappingEntry = o;
    const at = `overrides.${i} (${entry.canonical})`;
    const dotted = entry.native.includes('.');
    const field = byName.get(dotted ? relationshipField(entry.native, byName) : entry.native);
    if (!field) {
      problems.push(`${at}: the CRM has no ${object} field ${JSON.stringify(entry.native)}`);
      return;
    }
    if (dotted) return; // The related object's field types are not in this describe.
    const allowed = TYPES_BY_TRANSFORM[entry.transform.kind];
    if (allowed !== 'any' && field.type !== 'unknown' && !allowed.includes(field.type)) {
      problems.push(
        `${at}: transform ${entry.transform.kind} cannot read ${field.name} of type ${field.type} (expected ${allowed.join(' or ')})`,
      );
    }
    if (entry.transform.kind === 'picklist' && field.picklistValues) {
      const known = new Set(field.picklistValues.map((v) => v.value));
      for (const value of Object.keys(entry.transform.values)) {
        if (!known.has(value)) {
          problems.push(
            `${at}: ${field.name} has no picklist value ${JSON.stringify(value)} (it has ${[...known].slice(0, 20).join(', ')})`,
          );
        }
      }
    }
    if (entry.writable && field.readOnly) {
      problems.push(`${at}: ${field.name} is read-only in the CRM, so the entry cannot be writable`);
    }
  });
  if (problems.length > 0) {
    throw new BadUserInputError(`invalid field mapping for ${object}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}

/** `Account.Name` → the reference field `AccountId` (Salesforce), else the first segment itself. */
function relationshipField(path: string, byName: ReadonlyMap<string, NativeField>): string {
  const head = path.split('.')[0] ?? path;
  if (byName.has(head)) return head;
  return byName.has(`${head}Id`) ? `${head}Id` : head;
}
