import { type CrmMappingDefaults, type FieldMappingEntry } from '../../mapping/types';

/**
 * Pipedrive persons and deals ↔ canonical Contact and Deal (docs/vendors/pipedrive.md "Connector: writes and the gateway key"). v2 sends numbers as JSON numbers, ids as integers and times as RFC 3339.
 *
 * - email/phone: the primary entry of the person's `emails`/`phones` (the connector derives them and,
 *   on a write, keeps every other entry of the array);
 * - firstName/lastName: v2 reads them but writes only `name`, which the connector composes from them;
 * - amount: `value` in the deal's `currency`, a decimal string canonically;
 * - status: `status` open/won/lost, writable (Pipedrive closes a deal by setting it);
 * - stage: `stage_id`, the stage of the deal's pipeline (`dealStages` names them);
 * - custom fields come in by their label-made names when `describeFields` finds them.
 */

function fromCrm(canonical: string, native: string, kind: 'string' | 'datetime'): FieldMappingEntry {
  const transform = kind === 'string' ? { kind } : { kind, native: 'iso' as const };
  return { canonical, native, transform, source: 'CRM', writable: false };
}

function text(canonical: string, native: string): FieldMappingEntry {
  return { canonical, native, transform: { kind: 'string' }, source: 'APP', writable: true };
}

const stamps: FieldMappingEntry[] = [
  fromCrm('ownerId', 'owner_id', 'string'),
  fromCrm('createdAt', 'add_time', 'datetime'),
  fromCrm('updatedAt', 'update_time', 'datetime'),
];

/** Deal `status` → canonical deal status. */
export const DEAL_STATUS = { open: 'OPEN', won: 'WON', lost: 'LOST' } as const;

export const pipedriveMapping: CrmMappingDefaults = {
  contact: {
    object: 'contact',
    nativeObject: 'persons',
    fields: [
      text('firstName', 'first_name'),
      text('lastName', 'last_name'),
      text('email', 'email'),
      text('phone', 'phone'),
      ...stamps,
    ],
  },
  deal: {
    object: 'deal',
    nativeObject: 'deals',
    fields: [
      text('name', 'title'),
      {
        canonical: 'amount',
        native: 'value',
        transform: { kind: 'decimal', native: 'number' },
        source: 'APP',
        writable: true,
      },
      text('currency', 'currency'),
      text('stage', 'stage_id'),
      {
        canonical: 'status',
        native: 'status',
        transform: { kind: 'picklist', values: DEAL_STATUS, unknown: 'null' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'closeDate',
        native: 'expected_close_date',
        transform: { kind: 'date', native: 'date' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'probability',
        native: 'probability',
        transform: { kind: 'percent', nativeScale: 100, native: 'number' },
        source: 'APP',
        writable: true,
      },
      ...stamps,
    ],
  },
};
