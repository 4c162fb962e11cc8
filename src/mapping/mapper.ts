import { type NativeField, type NativeFieldType, type NativeValue } from '../connectors/types';
import { BadUserInputError } from '../errors';
import { readValue, writeValue } from './transforms';
import {
  type CanonicalValue,
  type FieldMappingEntry,
  type MappingContext,
  type NativeFields,
  type ObjectMapping,
  type Transform,
} from './types';
import { MappingValueError } from './values';

/** Prefix of canonical names that land in `customFields`. */
export const CUSTOM_PREFIX = 'customFields.';

export interface CanonicalFields {
  /** Standard canonical fields by name (firstName, amount, status…). */
  fields: Record<string, CanonicalValue>;
  customFields: Record<string, CanonicalValue>;
  /**
   * Values the CRM sent that did not fit the mapping. Reading never fails a whole record for one bad
   * value: the field reads as null and the issue says why (for logs and sync health).
   */
  issues: MappingIssue[];
}

export interface MappingIssue {
  canonical: string;
  native: string;
  message: string;
}

/**
 * Native record fields → canonical fields. Pure: lookups come in `ctx`. `refused` names the native
 * fields the CRM would not read for this record (`NativeRecord.refusedFields`): each reads as null
 * with an issue saying why.
 */
export function toCanonical(
  mapping: ObjectMapping,
  native: NativeFields,
  ctx: MappingContext = {},
  refused: Readonly<Record<string, string>> = {},
): CanonicalFields {
  const out: CanonicalFields = { fields: {}, customFields: {}, issues: [] };
  const anyRefused = hasOwnKeys(refused);
  for (const step of readPlan(mapping)) {
    let value: CanonicalValue = null;
    const refusal = anyRefused && hasOwn(refused, step.native) ? refused[step.native] : undefined;
    if (refusal !== undefined) {
      out.issues.push({ canonical: step.canonical, native: step.native, message: refusal });
    } else {
      try {
        value = readValue(step.transform, readPath(native, step), native, ctx);
      } catch (err) {
        if (!(err instanceof MappingValueError)) throw err;
        out.issues.push({ canonical: step.canonical, native: step.native, message: err.message });
      }
    }
    setOwn(step.custom ? out.customFields : out.fields, step.key, value);
  }
  return out;
}

/** One mapping entry prepared for reading: what every record would otherwise recompute. */
interface ReadStep {
  canonical: string;
  native: string;
  /** The key in `fields`, or in `customFields` (the canonical name without its prefix). */
  key: string;
  custom: boolean;
  /** The native path split on dots; null for a plain field name. */
  parts: readonly string[] | null;
  transform: Transform;
}

/**
 * Read plans by mapping object. A mapping is built once per connection and object and then read for
 * every record of every page (hundreds per request): its per-entry string work is done here, once.
 * Mappings are never mutated after they are built (overrides produce a new object), so the plan of
 * an object stays right for as long as the object lives.
 */
const readPlans = new WeakMap<ObjectMapping, readonly ReadStep[]>();

function readPlan(mapping: ObjectMapping): readonly ReadStep[] {
  let plan = readPlans.get(mapping);
  if (!plan) {
    plan = mapping.fields.map((entry) => {
      const custom = entry.canonical.startsWith(CUSTOM_PREFIX);
      return {
        canonical: entry.canonical,
        native: entry.native,
        key: custom ? entry.canonical.slice(CUSTOM_PREFIX.length) : entry.canonical,
        custom,
        parts: entry.native.includes('.') ? entry.native.split('.') : null,
        transform: entry.transform,
      };
    });
    readPlans.set(mapping, plan);
  }
  return plan;
}

function hasOwn(target: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(target, key);
}

function hasOwnKeys(target: object): boolean {
  for (const key in target) if (hasOwn(target, key)) return true;
  return false;
}

/**
 * `target[key] = value` as an own property whatever the key. `__proto__` is the one key plain
 * assignment gets wrong (it would replace the object's prototype; overrides refuse such keys, but a
 * vendor field could still be named so, and `fitToDescribe` maps custom fields by their vendor name);
 * every other key assigns as an own property, which is far cheaper than defining one.
 */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

export interface ToNativeOptions {
  /**
   * Reject writes to CRM-owned fields (mutations from the app). Off when the gateway writes an APP-owned
   * value back after a CRM-side change.
   * @defaultValue true
   */
  enforceSourceOfTruth?: boolean;
}

/**
 * A canonical patch (only the fields being written) → native fields. Throws BAD_USER_INPUT listing
 * every offending field at once: unknown, not writable, owned by the CRM, or a value the CRM cannot take.
 */
export function toNative(
  mapping: ObjectMapping,
  patch: { fields?: Record<string, CanonicalValue>; customFields?: Record<string, CanonicalValue> },
  ctx: MappingContext = {},
  options: ToNativeOptions = {},
): NativeFields {
  const enforce = options.enforceSourceOfTruth ?? true;
  const byCanonical = new Map(mapping.fields.map((e) => [e.canonical, e]));
  const wanted: [string, CanonicalValue][] = [
    ...Object.entries(patch.fields ?? {}),
    ...Object.entries(patch.customFields ?? {}).map(([k, v]): [string, CanonicalValue] => [
      `${CUSTOM_PREFIX}${k}`,
      v,
    ]),
  ];
  const problems: string[] = [];
  const out: NativeFields = {};
  for (const [canonical, value] of wanted) {
    const entry = byCanonical.get(canonical);
    if (!entry) {
      problems.push(`${canonical}: not a mapped field of ${mapping.object}`);
      continue;
    }
    if (!entry.writable) {
      problems.push(`${canonical}: read-only (from ${mapping.nativeObject}.${entry.native})`);
      continue;
    }
    if (enforce && entry.source === 'CRM') {
      problems.push(`${canonical}: owned by the CRM (source of truth CRM); change it in the CRM`);
      continue;
    }
    try {
      out[entry.native] = writeValue(entry.transform, value, ctx);
    } catch (err) {
      if (!(err instanceof MappingValueError)) throw err;
      problems.push(`${canonical}: ${err.message}`);
    }
  }
  if (problems.length > 0) {
    throw new BadUserInputError(`cannot write ${mapping.object}: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return out;
}

/** A per-connection override: replaces the default entry with the same canonical name, or adds one. */
export type FieldMappingOverride = FieldMappingEntry | { canonical: string; remove: true };

/** The defaults with a connection's overrides applied (overrides win; `remove` drops a field). */
export function applyOverrides(
  defaults: ObjectMapping,
  overrides: readonly FieldMappingOverride[],
): ObjectMapping {
  const fields = new Map(defaults.fields.map((e) => [e.canonical, e]));
  for (const o of overrides) {
    if ('remove' in o) fields.delete(o.canonical);
    else fields.set(o.canonical, o);
  }
  return { ...defaults, fields: [...fields.values()] };
}

/**
 * Custom fields a connection reads without an explicit mapping, per object, in describe order. Each
 * one is a selected column of every read (one vendor puts them in the query of a GET, whose URL has a
 * length limit; another names them in the request) and a key of every record's `customFields`: an org
 * with hundreds of custom fields must not make every read slow or refused. 100 covers the custom
 * fields most accounts have; the rest need an explicit `updateFieldMapping`.
 */
export const MAX_AUTO_CUSTOM_FIELDS = 100;

/** Why a custom field is not read by default (`FieldMetadata.skipped`). */
export const OVER_AUTO_BOUND = `over the ${MAX_AUTO_CUSTOM_FIELDS} custom fields read by default; map it explicitly with updateFieldMapping`;

export interface FitOptions {
  /** @defaultValue {@link MAX_AUTO_CUSTOM_FIELDS} */
  maxCustomFields?: number;
  /** Canonical names the connection removed on purpose: never added back. */
  removed?: ReadonlySet<string>;
  /** Drop `optional` entries whose native field is absent. @defaultValue true */
  dropAbsentOptional?: boolean;
}

export interface DescribeFit {
  mapping: ObjectMapping;
  /** Custom fields left unmapped, by native name, each with why. */
  skipped: Record<string, string>;
}

/**
 * Fits a mapping to what `describeFields` says the account has: drops `optional` entries whose native
 * field is absent, and adds a `customFields.<name>` entry for every custom field no entry maps yet
 * (the first {@link MAX_AUTO_CUSTOM_FIELDS} in describe order), with the transform its type implies.
 * An entry already mapping the native field, or already using the canonical name, wins. Custom fields
 * default to CRM-owned: the app takes ownership explicitly through an override.
 */
export function fitToDescribeWithin(
  mapping: ObjectMapping,
  described: readonly NativeField[],
  options: FitOptions = {},
): DescribeFit {
  const bound = options.maxCustomFields ?? MAX_AUTO_CUSTOM_FIELDS;
  const present = new Set(described.map((f) => f.name));
  const kept =
    options.dropAbsentOptional === false
      ? mapping.fields
      : mapping.fields.filter((e) => !e.optional || present.has(e.native.split('.')[0]));
  const mappedNative = new Set(kept.map((e) => e.native));
  const taken = new Set([...kept.map((e) => e.canonical), ...(options.removed ?? [])]);
  const added: FieldMappingEntry[] = [];
  const skipped: Record<string, string> = {};
  for (const f of described) {
    const canonical = `${CUSTOM_PREFIX}${f.name}`;
    if (!f.custom || mappedNative.has(f.name) || taken.has(canonical)) continue;
    if (added.length >= bound) {
      setOwn(skipped, f.name, OVER_AUTO_BOUND);
      continue;
    }
    added.push({
      canonical,
      native: f.name,
      transform: transformForField(f),
      source: 'CRM',
      writable: !f.readOnly,
    });
  }
  return { mapping: { ...mapping, fields: [...kept, ...added] }, skipped };
}

/** {@link fitToDescribeWithin}'s mapping alone. */
export function fitToDescribe(
  mapping: ObjectMapping,
  described: readonly NativeField[],
  options?: FitOptions,
): ObjectMapping {
  return fitToDescribeWithin(mapping, described, options).mapping;
}

/** The transform a described field's type implies. */
export function transformForField(field: Pick<NativeField, 'type' | 'picklistValues'>): Transform {
  const byType: Record<NativeFieldType, Transform> = {
    id: { kind: 'string' },
    string: { kind: 'string' },
    text: { kind: 'string' },
    email: { kind: 'string' },
    phone: { kind: 'string' },
    url: { kind: 'string' },
    reference: { kind: 'string' },
    unknown: { kind: 'string' },
    picklist: { kind: 'string' },
    integer: { kind: 'number', integer: true },
    // Vendors differ in whether a describe-found number arrives as JSON number or string; decimal
    // strings accept both on read, and `native: 'string'` writes what every vendor parses.
    decimal: { kind: 'decimal', native: 'string' },
    currency: { kind: 'decimal', native: 'string' },
    percent: { kind: 'decimal', native: 'string' },
    boolean: { kind: 'boolean', native: 'boolean' },
    date: { kind: 'date', native: 'date' },
    datetime: { kind: 'datetime', native: 'iso' },
    multipicklist: { kind: 'multi', separator: ';' },
  };
  return byType[field.type];
}

/** Reads `a.b.c` through nested objects (relationship fields: `Account.Name`). */
function readPath(record: NativeFields, step: ReadStep): NativeValue | undefined {
  if (hasOwn(record, step.native)) return record[step.native];
  if (!step.parts) return undefined;
  let current: NativeValue | undefined = record;
  for (const part of step.parts) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    // Own properties only: `constructor` must not read Object's.
    if (!hasOwn(current, part)) return undefined;
    current = (current as Record<string, NativeValue>)[part];
  }
  return current;
}
