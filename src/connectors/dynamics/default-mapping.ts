import { type CrmMappingDefaults, type FieldMappingEntry } from '../../mapping/types';
import { CURRENCY_CODE_PATH } from './dynamics.constants';

/**
 * Dataverse contacts and opportunities ↔ canonical Contact and Deal (docs/vendors/dynamics.md
 * "Tables"). Dataverse sends numbers as JSON numbers (Money `estimatedvalue` too) and choices as their
 * integer values; lookups read as `_<name>_value` GUIDs.
 *
 * - amount: `estimatedvalue`, a decimal string canonically, in the currency of the row's
 *   `transactioncurrencyid` — read as the ISO code through the lookup (`CURRENCY_CODE_PATH`, which the
 *   connector always expands), so currency is read-only here until writes bind the currency row by code;
 * - status: from `statecode` (0 Open, 1 Won, 2 Lost); read-only, because Dataverse refuses setting Won
 *   or Lost by a plain update — closing goes through WinOpportunity/LoseOpportunity;
 * - stage: `salesstage` (0 Qualify, 1 Develop, 2 Propose, 3 Close), another value passing through as
 *   its number so a customised option set still reads.
 */

/** A column Dataverse sets itself (stamps, the owner lookup, written through `ownerid@odata.bind`). */
function fromCrm(canonical: string, native: string, kind: 'string' | 'datetime'): FieldMappingEntry {
  const transform = kind === 'string' ? { kind } : { kind, native: 'iso' as const };
  return { canonical, native, transform, source: 'CRM', writable: false };
}

const stamps: FieldMappingEntry[] = [
  fromCrm('ownerId', '_ownerid_value', 'string'),
  fromCrm('createdAt', 'createdon', 'datetime'),
  fromCrm('updatedAt', 'modifiedon', 'datetime'),
];

function text(canonical: string, native: string): FieldMappingEntry {
  return { canonical, native, transform: { kind: 'string' }, source: 'APP', writable: true };
}

/** Opportunity `statecode` → canonical deal status. */
export const OPPORTUNITY_STATUS = { '0': 'OPEN', '1': 'WON', '2': 'LOST' } as const;

/** Opportunity `salesstage` options as Dataverse ships them. */
export const SALES_STAGES = { '0': 'Qualify', '1': 'Develop', '2': 'Propose', '3': 'Close' } as const;

export const dynamicsMapping: CrmMappingDefaults = {
  contact: {
    object: 'contact',
    nativeObject: 'contacts',
    fields: [
      text('firstName', 'firstname'),
      text('lastName', 'lastname'),
      text('email', 'emailaddress1'),
      text('phone', 'telephone1'),
      text('title', 'jobtitle'),
      ...stamps,
    ],
  },
  deal: {
    object: 'deal',
    nativeObject: 'opportunities',
    fields: [
      text('name', 'name'),
      {
        canonical: 'amount',
        native: 'estimatedvalue',
        transform: { kind: 'decimal', native: 'number' },
        source: 'APP',
        writable: true,
      },
      fromCrm('currency', CURRENCY_CODE_PATH, 'string'),
      {
        canonical: 'stage',
        native: 'salesstage',
        transform: { kind: 'picklist', values: SALES_STAGES, unknown: 'passthrough' },
        source: 'CRM',
        writable: true,
      },
      {
        canonical: 'status',
        native: 'statecode',
        transform: { kind: 'picklist', values: OPPORTUNITY_STATUS, unknown: 'null' },
        source: 'CRM',
        writable: false,
      },
      {
        canonical: 'closeDate',
        native: 'estimatedclosedate',
        transform: { kind: 'date', native: 'date' },
        source: 'APP',
        writable: true,
      },
      ...stamps,
    ],
  },
};
