import { Types } from 'mongoose';
import { type CrmObject } from '../connectors/types';
import { BadUserInputError } from '../errors';
import { DEFAULT_MAPPINGS, isCrmKind } from '../connectors/registry';
import { type FieldMappingOverride, applyOverrides } from '../mapping/mapper';
import { parseOverrides } from '../mapping/schema';
import { type ObjectMapping } from '../mapping/types';
import { type FieldMappingModel, fieldMappingModel } from '../store/models/field-mapping.model';
import { type Store } from '../store';

/** A connection's mapping for one object: the defaults of its CRM with its overrides applied. */
export interface EffectiveMapping {
  mapping: ObjectMapping;
  overrides: FieldMappingOverride[];
  /** 0 while the connection uses the defaults unchanged. */
  version: number;
  /**
   * Stored overrides that no longer pass validation (stored before a rule was added), left out of
   * `mapping` so they cannot break reads, each with why. Fixed by the next `updateFieldMapping`.
   */
  ignored?: string[];
  /**
   * Custom fields of the CRM's metadata left out of `mapping`, by native name, each with why (over the
   * per-object bound of fields mapped by default). Set on a mapping fitted to the describe.
   */
  skipped?: Readonly<Record<string, string>>;
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
    if (!doc) return { mapping: defaults, overrides: [], version: 0, ignored: [] };
    const { overrides, ignored } = parseStoredOverrides(doc.overrides);
    return { mapping: applyOverrides(defaults, overrides), overrides, version: doc.version, ignored };
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

/** Stored overrides, each parsed on its own: one that fails today's rules is left out, not fatal. */
function parseStoredOverrides(stored: unknown[]): { overrides: FieldMappingOverride[]; ignored: string[] } {
  const overrides: FieldMappingOverride[] = [];
  const ignored: string[] = [];
  stored.forEach((entry, i) => {
    try {
      overrides.push(...parseOverrides([entry]));
    } catch (err) {
      if (!(err instanceof BadUserInputError)) throw err;
      ignored.push(
        `stored override ${i} is ignored: ${err.message.replaceAll('overrides.0', `overrides.${i}`)}`,
      );
    }
  });
  return { overrides, ignored };
}
