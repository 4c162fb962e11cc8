import { type CrmObject } from '../connectors/types';
import { DEFAULT_MAPPINGS, isCrmKind } from '../connectors/registry';
import { type FieldMappingOverride, applyOverrides } from '../mapping/mapper';
import { type ObjectMapping } from '../mapping/types';
import {
  type FieldMappingsRepository,
  type StoredFieldMapping,
} from '../store/repositories/field-mappings.repo';

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

/** Where a connection's stored overrides come from (`Store.fieldMappings` in the gateway). */
export type StoredMappings = Pick<FieldMappingsRepository, 'find'>;

/** Where the read path gets a connection's effective mapping from. */
export interface MappingSource {
  effective(crm: string, connectionId: string, object: CrmObject): Promise<EffectiveMapping>;
}

/** The effective mappings of stored connections: their CRM's defaults with the stored overrides applied. */
export function storedMappingSource(stored: StoredMappings): MappingSource {
  return { effective: (crm, connectionId, object) => effectiveMapping(stored, crm, connectionId, object) };
}

export async function effectiveMapping(
  stored: StoredMappings,
  crm: string,
  connectionId: string,
  object: CrmObject,
): Promise<EffectiveMapping> {
  const defaults = defaultMapping(crm, object);
  const found = await stored.find(connectionId, object);
  return found ? withOverrides(defaults, found) : defaultsOnly(defaults);
}

/**
 * Effective mappings are built once per stored value and shared, not rebuilt per request: the store's
 * cache hands back the same {@link StoredFieldMapping} until the mapping changes, so the same
 * EffectiveMapping (and `mapping` object) comes back too, and what is keyed on the mapping's identity
 * (the mapper's read plans, the field-mapping view) is computed once per version. Frozen, as they are
 * shared: an effective mapping is never edited, a change makes a new one.
 */
const byStored = new WeakMap<StoredFieldMapping, Map<ObjectMapping, EffectiveMapping>>();
const byDefaults = new WeakMap<ObjectMapping, EffectiveMapping>();

function withOverrides(defaults: ObjectMapping, found: StoredFieldMapping): EffectiveMapping {
  let forDefaults = byStored.get(found);
  if (!forDefaults) byStored.set(found, (forDefaults = new Map()));
  let effective = forDefaults.get(defaults);
  if (!effective) {
    const { overrides, version, ignored } = found;
    effective = Object.freeze({
      mapping: applyOverrides(defaults, overrides),
      overrides: Object.freeze(overrides) as FieldMappingOverride[],
      version,
      ignored: Object.freeze(ignored) as string[],
    });
    forDefaults.set(defaults, effective);
  }
  return effective;
}

function defaultsOnly(defaults: ObjectMapping): EffectiveMapping {
  let effective = byDefaults.get(defaults);
  if (!effective) {
    effective = Object.freeze({ mapping: defaults, overrides: [], version: 0, ignored: [] });
    byDefaults.set(defaults, effective);
  }
  return effective;
}

export function defaultMapping(crm: string, object: CrmObject): ObjectMapping {
  if (!isCrmKind(crm)) throw new Error(`no default mapping for CRM ${JSON.stringify(crm)}`);
  return DEFAULT_MAPPINGS[crm][object];
}
