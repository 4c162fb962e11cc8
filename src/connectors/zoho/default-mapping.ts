import { appField, crmField } from '../../mapping/default-entries';
import { type CrmMappingDefaults } from '../../mapping/types';

/**
 * Zoho Contacts and Deals ↔ canonical Contact and Deal (docs/vendors/zoho.md "Connector: fields and mapping"). Zoho sends numbers as JSON numbers, dates as `YYYY-MM-DD`, times as ISO-8601 with an offset
 * and lookups as `{id, name}` (read as the id).
 *
 * - amount: `Amount`, a decimal string canonically, in `Currency` — the record's in a multi-currency
 *   org, else the org's (derived, so read-only);
 * - status: `Deal_Status`, derived from the stage's forecast type (read-only: a deal is won or lost by
 *   moving it to such a stage);
 * - stage: `Stage`, a stage of the deal's `Pipeline` (`dealStages` names them);
 * - custom fields come in by their API names when `describeFields` finds them.
 */

const stamps = [
  crmField('ownerId', 'Owner'),
  crmField('createdAt', 'Created_Time', { kind: 'datetime', native: 'iso' }),
  crmField('updatedAt', 'Modified_Time', { kind: 'datetime', native: 'iso' }),
];

/** `Deal_Status` → canonical deal status. */
export const DEAL_STATUS = { open: 'OPEN', won: 'WON', lost: 'LOST' } as const;

export const zohoMapping: CrmMappingDefaults = {
  contact: {
    object: 'contact',
    nativeObject: 'Contacts',
    fields: [
      appField('firstName', 'First_Name'),
      appField('lastName', 'Last_Name'),
      appField('email', 'Email'),
      appField('phone', 'Phone'),
      appField('title', 'Title'),
      ...stamps,
    ],
  },
  deal: {
    object: 'deal',
    nativeObject: 'Deals',
    fields: [
      appField('name', 'Deal_Name'),
      appField('amount', 'Amount', { kind: 'decimal', native: 'number' }),
      crmField('currency', 'Currency'),
      appField('stage', 'Stage'),
      crmField('status', 'Deal_Status', { kind: 'picklist', values: DEAL_STATUS, unknown: 'null' }),
      appField('closeDate', 'Closing_Date', { kind: 'date', native: 'date' }),
      appField('probability', 'Probability', { kind: 'percent', nativeScale: 100, native: 'number' }),
      ...stamps,
    ],
  },
};
