import { type CrmObject, type NativeValue } from '../connectors/types';

/**
 * The mapping layer's data: which native field feeds which canonical field, through which typed
 * transform, and who owns the value. Defaults per CRM are data (`defaults/<crm>.ts`); per-connection
 * overrides are the same entries stored in the FieldMapping model.
 */

/** A canonical value. Decimals are strings ("1234.50"), dates "YYYY-MM-DD", datetimes ISO-8601 UTC. */
export type CanonicalValue = string | number | boolean | null | string[];

/** How a value crosses between native and canonical. Every kind is pure and reversible where it can be. */
export type Transform =
  | { kind: 'string'; maxLength?: number }
  | { kind: 'number'; integer?: boolean }
  /**
   * Canonical: a decimal string, never a JS float. `native: 'number'` for vendors sending JSON numbers
   * (a write fails rather than lose digits); `'string'` for vendors sending strings.
   */
  | { kind: 'decimal'; native: 'number' | 'string' }
  /** Canonical: a percentage 0–100. `nativeScale` 100 when the vendor also uses 0–100, 1 for 0–1. */
  | { kind: 'percent'; nativeScale: 1 | 100; native: 'number' | 'string' }
  /** Canonical "YYYY-MM-DD". Native: a date, a datetime at midnight UTC, or epoch ms. */
  | { kind: 'date'; native: 'date' | 'datetime' | 'epoch_ms' }
  /** Canonical ISO-8601 UTC with milliseconds. */
  | { kind: 'datetime'; native: 'iso' | 'epoch_ms' }
  | { kind: 'boolean'; native: 'boolean' | 'string' }
  /**
   * Native value ↔ canonical value through an explicit table. An unknown native value reads as itself
   * (`unknown: 'passthrough'`) or null; an unknown canonical value on write is rejected unless passthrough.
   */
  | { kind: 'picklist'; values: Readonly<Record<string, string>>; unknown: 'passthrough' | 'null' }
  /** Native "a;b;c" (or an array) ↔ canonical string[]. */
  | { kind: 'multi'; separator: string }
  /**
   * Native id ↔ canonical value through a table resolved before mapping (by loaders: owners, deal
   * stages…); mappers do no I/O. Missing entries read as null or as the native value.
   */
  | { kind: 'lookup'; table: string; missing: 'passthrough' | 'null' }
  /** Read-only: OPEN/WON/LOST from two native booleans (e.g. IsClosed/IsWon). */
  | { kind: 'status_from_flags'; closedField: string; wonField: string };

/** Who owns a field's value. A write to a CRM-owned field is rejected; a CRM change to an APP-owned one is a CONFLICT. */
export type SourceOfTruth = 'CRM' | 'APP';

export interface FieldMappingEntry {
  /** Canonical field name, or `customFields.<key>` for a custom field. */
  canonical: string;
  /** Native field name; a dotted path (`Account.Name`) reads a related record's field. */
  native: string;
  transform: Transform;
  source: SourceOfTruth;
  /** Whether the gateway may write it to the CRM (false for derived and related fields). */
  writable: boolean;
  /**
   * The native field exists only in some accounts (a currency code field that needs a multi-currency account):
   * dropped when `describeFields` does not list it.
   */
  optional?: boolean;
}

export interface ObjectMapping {
  object: CrmObject;
  /** The vendor's object name (Contact, Opportunity, contacts, deals…). */
  nativeObject: string;
  fields: readonly FieldMappingEntry[];
}

export type CrmMappingDefaults = Readonly<Record<CrmObject, ObjectMapping>>;

/** Tables for `lookup` transforms: table name → native value → canonical value. */
export interface MappingContext {
  lookups?: Readonly<Record<string, ReadonlyMap<string, string>>>;
}

/** Lookup table of deal stage → OPEN | WON | LOST, filled from the vendor's pipeline metadata. */
export const DEAL_STAGE_STATUS_TABLE = 'dealStageStatus';

export type NativeFields = Record<string, NativeValue>;
