import { type CrmMappingDefaults, type FieldMappingEntry } from '../../mapping/types';

/**
 * Salesforce Contact and Opportunity ↔ canonical Contact and Deal. Amount is a JSON number in
 * Salesforce's REST API; writes fail rather than round an amount a double cannot hold.
 */

const timestamps: FieldMappingEntry[] = [
  {
    canonical: 'createdAt',
    native: 'CreatedDate',
    transform: { kind: 'datetime', native: 'iso' },
    source: 'CRM',
    writable: false,
  },
  {
    canonical: 'updatedAt',
    native: 'LastModifiedDate',
    transform: { kind: 'datetime', native: 'iso' },
    source: 'CRM',
    writable: false,
  },
];

export const salesforceMapping: CrmMappingDefaults = {
  contact: {
    object: 'contact',
    nativeObject: 'Contact',
    fields: [
      {
        canonical: 'firstName',
        native: 'FirstName',
        transform: { kind: 'string', maxLength: 40 },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'lastName',
        native: 'LastName',
        transform: { kind: 'string', maxLength: 80 },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'email',
        native: 'Email',
        transform: { kind: 'string', maxLength: 80 },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'phone',
        native: 'Phone',
        transform: { kind: 'string', maxLength: 40 },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'title',
        native: 'Title',
        transform: { kind: 'string', maxLength: 128 },
        source: 'APP',
        writable: true,
      },
      // A relationship field: writing a company means choosing an Account (AccountId), not a name.
      {
        canonical: 'companyName',
        native: 'Account.Name',
        transform: { kind: 'string' },
        source: 'CRM',
        writable: false,
      },
      {
        canonical: 'ownerId',
        native: 'OwnerId',
        transform: { kind: 'string' },
        source: 'CRM',
        writable: true,
      },
      ...timestamps,
    ],
  },
  deal: {
    object: 'deal',
    nativeObject: 'Opportunity',
    fields: [
      {
        canonical: 'name',
        native: 'Name',
        transform: { kind: 'string', maxLength: 120 },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'amount',
        native: 'Amount',
        transform: { kind: 'decimal', native: 'number' },
        source: 'APP',
        writable: true,
      },
      // Only multi-currency orgs have the field; in a single-currency org the connector fills it with
      // the org's currency from `settings.currency` (src/connectors/salesforce/objects.ts).
      {
        canonical: 'currency',
        native: 'CurrencyIsoCode',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
        optional: true,
      },
      {
        canonical: 'stage',
        native: 'StageName',
        transform: { kind: 'picklist', values: {}, unknown: 'passthrough' },
        source: 'CRM',
        writable: true,
      },
      {
        canonical: 'status',
        native: 'IsClosed',
        transform: { kind: 'status_from_flags', closedField: 'IsClosed', wonField: 'IsWon' },
        source: 'CRM',
        writable: false,
      },
      {
        canonical: 'closeDate',
        native: 'CloseDate',
        transform: { kind: 'date', native: 'date' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'probability',
        native: 'Probability',
        transform: { kind: 'percent', nativeScale: 100, native: 'number' },
        source: 'CRM',
        writable: true,
      },
      {
        canonical: 'ownerId',
        native: 'OwnerId',
        transform: { kind: 'string' },
        source: 'CRM',
        writable: true,
      },
      ...timestamps,
    ],
  },
};
