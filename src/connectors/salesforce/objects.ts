import { z } from 'zod';
import { ConnectorSettingsError } from '../settings-error';
import { type CrmObject, type NativeRecord, type ReadFields } from '../types';

/**
 * Which Salesforce object backs each canonical object, which fields the connector reads, and the
 * per-connection settings that change either. SOQL has no `SELECT *` that works at any size
 * (`FIELDS(ALL)` needs `LIMIT 200`), and a describe call per request would break the "N ids in
 * ⌈N / readBatch⌉ calls" contract, so the field list is data: the standard fields the default mapping
 * uses, what the connection's settings add (`settings.fields`, typically its custom `__c` fields) and
 * what the read path asks for (`ConnectorContext.readFields`: the fields the connection's mapping names).
 */

export const SALESFORCE_OBJECTS: Readonly<Record<CrmObject, string>> = {
  contact: 'Contact',
  deal: 'Opportunity',
};

/** Audit fields every read selects: change tracking and soft-delete state depend on them. */
export const AUDIT_FIELDS = ['Id', 'IsDeleted', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'] as const;

const STANDARD_FIELDS: Readonly<Record<CrmObject, readonly string[]>> = {
  contact: ['FirstName', 'LastName', 'Email', 'Phone', 'Title', 'AccountId', 'Account.Name', 'OwnerId'],
  deal: [
    'Name',
    'Amount',
    'StageName',
    'IsClosed',
    'IsWon',
    'CloseDate',
    'Probability',
    'OwnerId',
    'AccountId',
  ],
};

/** The field a multi-currency org holds each record's currency in. */
export const CURRENCY_FIELD = 'CurrencyIsoCode';

/**
 * `CurrencyIsoCode` exists only in multi-currency orgs; selecting it elsewhere fails the whole query
 * with INVALID_FIELD, so it is read only when the connection says the org has it, or the org's
 * Opportunity describe lists it (`currency.ts`).
 */
const MULTI_CURRENCY_FIELDS: Readonly<Record<CrmObject, readonly string[]>> = {
  contact: [],
  deal: [CURRENCY_FIELD],
};

/** A SOQL field path: API names joined by dots. Anything else could inject SOQL. */
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/;

const settingsSchema = z.object({
  /** Extra fields read per object (custom fields, further relationship paths). */
  fields: z
    .object({ contact: z.array(z.string()).optional(), deal: z.array(z.string()).optional() })
    .optional(),
  /**
   * Whether the org has multi-currency enabled (Opportunity.CurrencyIsoCode exists). Unset, the
   * connector finds out from the org's Opportunity describe (`currency.ts`); set, it overrides that.
   */
  multiCurrency: z.boolean().optional(),
  /**
   * The currency of a single-currency org, which has no CurrencyIsoCode field: every amount is in it.
   * Unset, the connector learns the org's `Organization.DefaultCurrencyIsoCode` itself
   * (`organization.ts`); set, it overrides that. Ignored when `multiCurrency` is set (each record
   * carries its own).
   */
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, e.g. "USD"')
    .optional(),
  /**
   * Writes of one call that share an external-id field go through Bulk API 2.0 from this many on;
   * below it, through sObject Collections in chunks of `writeBatch`. @defaultValue 2000
   */
  bulkThreshold: z.number().int().positive().optional(),
  /** @defaultValue 2000 */
  bulkPollIntervalMs: z.number().int().positive().optional(),
  /** How long one Bulk 2.0 job may take before the call fails (retryable: the job upserts). @defaultValue 600000 */
  bulkTimeoutMs: z.number().int().positive().optional(),
  /**
   * An export (`exportRecords`) of an object holding at least this many live records runs as a Bulk API
   * 2.0 query job; a smaller one pages the REST query API (`export.ts`). @defaultValue 10000
   */
  exportBulkThreshold: z.number().int().positive().optional(),
});

export interface SalesforceSettings {
  fields: Readonly<Record<CrmObject, readonly string[]>>;
  /**
   * Records carry their own CurrencyIsoCode, as the connection states it (`settings.multiCurrency`);
   * null when not stated (then learned from the org's describe, unless `orgCurrency` is stated).
   */
  multiCurrency: boolean | null;
  /**
   * Currency of every amount of a single-currency org as the connection states it (`settings.currency`);
   * null when multi-currency or not stated (then learned from the org).
   */
  orgCurrency: string | null;
  bulkThreshold: number;
  bulkPollIntervalMs: number;
  bulkTimeoutMs: number;
  exportBulkThreshold: number;
}

export const DEFAULT_BULK_THRESHOLD = 2000;

/**
 * Below this many records an export pages the REST query API instead of running a Bulk 2.0 query job.
 * REST costs one call per 2,000 records (its largest batch), so 10,000 records are five calls plus the
 * count, and the first records arrive at once; a query job costs about as many calls (create, a few
 * polls, one results page per `maxRecords`), waits for Salesforce to schedule and run it (seconds to
 * minutes), and draws on the org's daily query-job allocation
 * (docs/vendors/salesforce.md "Bulk API 2.0 query jobs"). From here up the job's calls stay nearly flat while REST's grow by one per 2,000 records.
 */
export const DEFAULT_EXPORT_BULK_THRESHOLD = 10_000;

/**
 * Reads the Salesforce part of a connection's settings, with the fields the read path asks for
 * (`readFields`) read besides those the settings list, and only the audit fields of the objects it
 * reads for identity alone (`identityOnly`); throws BAD_USER_INPUT naming the bad value.
 */
export function parseSalesforceSettings(
  raw: Readonly<Record<string, unknown>>,
  readFields?: ReadFields,
  identityOnly: readonly CrmObject[] = [],
): SalesforceSettings {
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConnectorSettingsError(`Salesforce connection settings: ${parsed.error.message}`);
  }
  const s = parsed.data;
  const fieldsFor = (obj: CrmObject): string[] => {
    const configured = s.fields?.[obj] ?? [];
    const extra = readFields ? [...new Set([...configured, ...(readFields[obj] ?? [])])] : configured;
    for (const f of extra) {
      if (!FIELD_PATH.test(f)) {
        throw new ConnectorSettingsError(
          `Salesforce connection settings: fields.${obj} entry ${JSON.stringify(f)} is not a field API name (expected e.g. "Region__c" or "Account.Name")`,
        );
      }
    }
    // Read for identity alone (`ConnectorContext.identityOnly`): the audit fields are all it needs.
    if (identityOnly.includes(obj)) return [...AUDIT_FIELDS];
    return distinct([
      ...AUDIT_FIELDS,
      ...STANDARD_FIELDS[obj],
      ...(s.multiCurrency ? MULTI_CURRENCY_FIELDS[obj] : []),
      ...extra,
    ]);
  };
  return {
    fields: { contact: fieldsFor('contact'), deal: fieldsFor('deal') },
    multiCurrency: s.multiCurrency ?? null,
    orgCurrency: s.multiCurrency ? null : (s.currency ?? null),
    bulkThreshold: s.bulkThreshold ?? DEFAULT_BULK_THRESHOLD,
    bulkPollIntervalMs: s.bulkPollIntervalMs ?? 2000,
    bulkTimeoutMs: s.bulkTimeoutMs ?? 600_000,
    exportBulkThreshold: s.exportBulkThreshold ?? DEFAULT_EXPORT_BULK_THRESHOLD,
  };
}

/** SOQL refuses a field selected twice (DUPLICATE_FIELD); compared case-insensitively as Salesforce does. */
function distinct(fields: readonly string[]): string[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const key = f.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The settings of a connection whose org turned out multi-currency: reads select each record's currency. */
export function withRecordCurrency(settings: SalesforceSettings): SalesforceSettings {
  const fields = (obj: CrmObject): string[] =>
    distinct([...settings.fields[obj], ...MULTI_CURRENCY_FIELDS[obj]]);
  return { ...settings, fields: { contact: fields('contact'), deal: fields('deal') } };
}

/** A record that {@link withOrgCurrency} would change: a deal without a currency of its own. */
export function lacksCurrency(obj: CrmObject, record: NativeRecord): boolean {
  return obj === 'deal' && record.fields[CURRENCY_FIELD] == null;
}

/**
 * A deal read from a single-currency org, with the org's currency under the field a multi-currency
 * org would send (`CurrencyIsoCode`), so one default mapping gives every deal its currency in both
 * kinds of org. Records of multi-currency orgs, contacts and records already carrying it are unchanged.
 */
export function withOrgCurrency(
  settings: Pick<SalesforceSettings, 'orgCurrency'>,
  obj: CrmObject,
  record: NativeRecord,
): NativeRecord {
  if (settings.orgCurrency === null || !lacksCurrency(obj, record)) return record;
  return { ...record, fields: { ...record.fields, [CURRENCY_FIELD]: settings.orgCurrency } };
}
