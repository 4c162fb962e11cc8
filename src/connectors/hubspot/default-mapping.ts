import {
  type CrmMappingDefaults,
  type FieldMappingEntry,
  DEAL_STAGE_STATUS_TABLE,
} from '../../mapping/types';

/**
 * HubSpot contacts and deals ↔ canonical Contact and Deal. HubSpot sends every property as a string
 * (amounts too), "" for empty, datetimes as ISO strings. Deal status comes from the pipeline's stage
 * metadata (closed-won / closed-lost), resolved into the `dealStageStatus` lookup table beforehand.
 *
 * Stage and status are keyed by `dealstage` alone, without `pipeline`: a HubSpot stage id names one
 * stage of one pipeline in the whole portal ("each object stage is a member of exactly one pipeline",
 * pipelines guide), and `dealstage` is one enumeration property whose options are the stages of every
 * pipeline, so its values cannot repeat across pipelines.
 */

const owner: FieldMappingEntry = {
  canonical: 'ownerId',
  native: 'hubspot_owner_id',
  transform: { kind: 'string' },
  source: 'CRM',
  writable: true,
};
const createdAt: FieldMappingEntry = {
  canonical: 'createdAt',
  native: 'createdate',
  transform: { kind: 'datetime', native: 'iso' },
  source: 'CRM',
  writable: false,
};

export const hubspotMapping: CrmMappingDefaults = {
  contact: {
    object: 'contact',
    nativeObject: 'contacts',
    fields: [
      {
        canonical: 'firstName',
        native: 'firstname',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'lastName',
        native: 'lastname',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
      },
      { canonical: 'email', native: 'email', transform: { kind: 'string' }, source: 'APP', writable: true },
      { canonical: 'phone', native: 'phone', transform: { kind: 'string' }, source: 'APP', writable: true },
      {
        canonical: 'title',
        native: 'jobtitle',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'companyName',
        native: 'company',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
      },
      owner,
      {
        canonical: 'customFields.lifecyclestage',
        native: 'lifecyclestage',
        transform: { kind: 'string' },
        source: 'CRM',
        writable: true,
      },
      createdAt,
      {
        canonical: 'updatedAt',
        native: 'lastmodifieddate',
        transform: { kind: 'datetime', native: 'iso' },
        source: 'CRM',
        writable: false,
      },
    ],
  },
  deal: {
    object: 'deal',
    nativeObject: 'deals',
    fields: [
      { canonical: 'name', native: 'dealname', transform: { kind: 'string' }, source: 'APP', writable: true },
      {
        canonical: 'amount',
        native: 'amount',
        transform: { kind: 'decimal', native: 'string' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'currency',
        native: 'deal_currency_code',
        transform: { kind: 'string' },
        source: 'APP',
        writable: true,
      },
      {
        canonical: 'stage',
        native: 'dealstage',
        transform: { kind: 'picklist', values: {}, unknown: 'passthrough' },
        source: 'CRM',
        writable: true,
      },
      {
        canonical: 'status',
        native: 'dealstage',
        transform: { kind: 'lookup', table: DEAL_STAGE_STATUS_TABLE, missing: 'null' },
        source: 'CRM',
        writable: false,
      },
      {
        canonical: 'closeDate',
        native: 'closedate',
        transform: { kind: 'date', native: 'datetime' },
        source: 'APP',
        writable: true,
      },
      // Computed by HubSpot from the stage: read-only.
      {
        canonical: 'probability',
        native: 'hs_deal_stage_probability',
        transform: { kind: 'percent', nativeScale: 1, native: 'string' },
        source: 'CRM',
        writable: false,
      },
      owner,
      createdAt,
      {
        canonical: 'updatedAt',
        native: 'hs_lastmodifieddate',
        transform: { kind: 'datetime', native: 'iso' },
        source: 'CRM',
        writable: false,
      },
    ],
  },
};
