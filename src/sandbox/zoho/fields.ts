// Field metadata of the two modules the sandbox serves (docs/vendors/zoho.md "Field metadata"): API
// names, data types, the custom fields (`custom_field: true`, one of them unique so it can serve as an
// external key), picklists, and the Deals stage picklist with its forecast data ("Pipelines").
import { type ModuleName } from './constants';

export type DataType =
  | 'text'
  | 'email'
  | 'phone'
  | 'textarea'
  | 'picklist'
  | 'lookup'
  | 'ownerlookup'
  | 'date'
  | 'datetime'
  | 'currency'
  | 'integer'
  | 'boolean'
  | 'bigint';

export interface PicklistValue {
  display_value: string;
  actual_value: string;
  /** Deals stages only: the stage's probability and forecast (docs/vendors/zoho.md "Pipelines"). */
  probability?: number;
  forecast_type?: 'Open' | 'Closed Won' | 'Closed Lost';
  forecast_category?: { name: 'Pipeline' | 'Closed' | 'Omitted' };
}

export interface FieldDef {
  api_name: string;
  label: string;
  data_type: DataType;
  custom: boolean;
  mandatory?: boolean;
  readOnly?: boolean;
  /** Values must be unique across the module (usable as an upsert key). */
  unique?: boolean;
  length?: number;
  picklist?: PicklistValue[];
  /** Lookup target module. */
  lookup?: ModuleName | 'Accounts';
}

/** docs/vendors/zoho.md "Pipelines": the standard stages, their probability and forecast. */
export const STAGES: PicklistValue[] = [
  ['Qualification', 10, 'Open'],
  ['Needs Analysis', 20, 'Open'],
  ['Value Proposition', 40, 'Open'],
  ['Id. Decision Makers', 60, 'Open'],
  ['Proposal/Price Quote', 75, 'Open'],
  ['Negotiation/Review', 90, 'Open'],
  ['Closed Won', 100, 'Closed Won'],
  ['Closed Lost', 0, 'Closed Lost'],
].map(([name, probability, type]) => ({
  display_value: name as string,
  actual_value: name as string,
  probability: probability as number,
  forecast_type: type as PicklistValue['forecast_type'],
  forecast_category: {
    name: type === 'Open' ? 'Pipeline' : type === 'Closed Won' ? 'Closed' : 'Omitted',
  } as PicklistValue['forecast_category'],
}));

/** Pipelines of the Deals layout: each lists the stages it uses. */
export const PIPELINES: { name: string; default: boolean; stages: string[] }[] = [
  { name: 'Standard (Standard)', default: true, stages: STAGES.map((s) => s.actual_value) },
  {
    name: 'Renewals',
    default: false,
    stages: ['Qualification', 'Negotiation/Review', 'Closed Won', 'Closed Lost'],
  },
];

function picklist(values: string[]): PicklistValue[] {
  return values.map((v) => ({ display_value: v, actual_value: v }));
}

/** A unique custom text field on both modules: what a client can upsert on as its own external key. */
const GATEWAY_KEY: FieldDef = {
  api_name: 'Gateway_Key',
  label: 'Gateway Key',
  data_type: 'text',
  custom: true,
  unique: true,
  length: 100,
};

const SYSTEM: FieldDef[] = [
  { api_name: 'Owner', label: 'Owner', data_type: 'ownerlookup', custom: false },
  { api_name: 'Created_Time', label: 'Created Time', data_type: 'datetime', custom: false, readOnly: true },
  { api_name: 'Modified_Time', label: 'Modified Time', data_type: 'datetime', custom: false, readOnly: true },
  { api_name: 'Created_By', label: 'Created By', data_type: 'ownerlookup', custom: false, readOnly: true },
  { api_name: 'Modified_By', label: 'Modified By', data_type: 'ownerlookup', custom: false, readOnly: true },
];

export const MODULE_FIELDS: Record<ModuleName, FieldDef[]> = {
  Contacts: [
    { api_name: 'First_Name', label: 'First Name', data_type: 'text', custom: false, length: 40 },
    {
      api_name: 'Last_Name',
      label: 'Last Name',
      data_type: 'text',
      custom: false,
      mandatory: true,
      length: 80,
    },
    { api_name: 'Full_Name', label: 'Full Name', data_type: 'text', custom: false, readOnly: true },
    { api_name: 'Email', label: 'Email', data_type: 'email', custom: false, length: 100 },
    { api_name: 'Secondary_Email', label: 'Secondary Email', data_type: 'email', custom: false, length: 100 },
    { api_name: 'Phone', label: 'Phone', data_type: 'phone', custom: false, length: 30 },
    { api_name: 'Mobile', label: 'Mobile', data_type: 'phone', custom: false, length: 30 },
    { api_name: 'Title', label: 'Title', data_type: 'text', custom: false, length: 100 },
    { api_name: 'Department', label: 'Department', data_type: 'text', custom: false, length: 30 },
    {
      api_name: 'Account_Name',
      label: 'Account Name',
      data_type: 'lookup',
      custom: false,
      lookup: 'Accounts',
    },
    { api_name: 'Mailing_City', label: 'Mailing City', data_type: 'text', custom: false, length: 30 },
    { api_name: 'Mailing_Country', label: 'Mailing Country', data_type: 'text', custom: false, length: 30 },
    { api_name: 'Description', label: 'Description', data_type: 'textarea', custom: false, length: 32000 },
    { api_name: 'Email_Opt_Out', label: 'Email Opt Out', data_type: 'boolean', custom: false },
    ...SYSTEM,
    GATEWAY_KEY,
    {
      api_name: 'Customer_Tier',
      label: 'Customer Tier',
      data_type: 'picklist',
      custom: true,
      picklist: picklist(['-None-', 'Gold', 'Silver', 'Bronze']),
    },
    { api_name: 'Lifetime_Score', label: 'Lifetime Score', data_type: 'integer', custom: true },
  ],
  Deals: [
    {
      api_name: 'Deal_Name',
      label: 'Deal Name',
      data_type: 'text',
      custom: false,
      mandatory: true,
      length: 120,
    },
    { api_name: 'Amount', label: 'Amount', data_type: 'currency', custom: false },
    { api_name: 'Closing_Date', label: 'Closing Date', data_type: 'date', custom: false },
    {
      api_name: 'Stage',
      label: 'Stage',
      data_type: 'picklist',
      custom: false,
      mandatory: true,
      picklist: STAGES,
    },
    {
      api_name: 'Pipeline',
      label: 'Pipeline',
      data_type: 'picklist',
      custom: false,
      picklist: picklist(PIPELINES.map((p) => p.name)),
    },
    { api_name: 'Probability', label: 'Probability (%)', data_type: 'integer', custom: false },
    {
      api_name: 'Contact_Name',
      label: 'Contact Name',
      data_type: 'lookup',
      custom: false,
      lookup: 'Contacts',
    },
    {
      api_name: 'Account_Name',
      label: 'Account Name',
      data_type: 'lookup',
      custom: false,
      lookup: 'Accounts',
    },
    {
      api_name: 'Type',
      label: 'Type',
      data_type: 'picklist',
      custom: false,
      picklist: picklist(['-None-', 'Existing Business', 'New Business']),
    },
    { api_name: 'Next_Step', label: 'Next Step', data_type: 'text', custom: false, length: 100 },
    { api_name: 'Description', label: 'Description', data_type: 'textarea', custom: false, length: 32000 },
    ...SYSTEM,
    GATEWAY_KEY,
    {
      api_name: 'Region',
      label: 'Region',
      data_type: 'picklist',
      custom: true,
      picklist: picklist(['-None-', 'EMEA', 'Americas', 'APAC']),
    },
    { api_name: 'Renewal_Date', label: 'Renewal Date', data_type: 'date', custom: true },
  ],
};

/** docs/vendors/zoho.md "Upsert": the system duplicate-check field of each module. */
export const SYSTEM_DUPLICATE_FIELD: Record<ModuleName, string> = { Contacts: 'Email', Deals: 'Deal_Name' };

export function fieldOf(module: ModuleName, apiName: string): FieldDef | undefined {
  return apiName === 'id' ? ID_FIELD : MODULE_FIELDS[module].find((f) => f.api_name === apiName);
}

export const ID_FIELD: FieldDef = {
  api_name: 'id',
  label: 'Record Id',
  data_type: 'bigint',
  custom: false,
  readOnly: true,
};
