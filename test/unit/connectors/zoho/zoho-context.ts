import { zoho as definition } from '../../../../src/connectors/zoho';
import { ZohoConnector } from '../../../../src/connectors/zoho/zoho.connector';
import { CRM } from '../../../../src/connectors/zoho/zoho.constants';
import { defaultHooks } from '../../../../src/connectors/http/hooks';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { type ReadFields } from '../../../../src/connectors/types';
import { createLogger } from '../../../../src/logger';
import { PricedBudget, RecordingTokens } from '../../../support/connector-doubles';
import nock from '../../../support/nock';

/** Shared set-up of the Zoho unit tests: a real shared client with the connector's hooks, nock at the HTTP level. */

/** The EU data centre's API domain: every unit test's connection lives there. */
export const API = 'https://www.zohoapis.eu';
export const V8 = '/crm/v8';
export const EU_URLS = { auth: 'https://accounts.zoho.eu', api: API };

export interface ZohoUnit {
  connector: ZohoConnector;
  tokens: RecordingTokens;
  budget: PricedBudget;
}

let connections = 0;

export function zohoUnit(
  options: { settings?: Record<string, unknown>; now?: () => number; readFields?: ReadFields } = {},
): ZohoUnit {
  const tokens = new RecordingTokens(API);
  tokens.current = { ...tokens.current, authKind: 'oauth2_code' };
  const budget = new PricedBudget();
  const decl = definition.declaration;
  const http = new VendorHttpClient({
    crm: decl.kind,
    tokens,
    budget,
    priority: 'interactive',
    hooks: { ...defaultHooks({ authScheme: decl.authScheme }), ...definition.hooks },
    random: () => 0.5,
    sleep: async () => undefined,
  });
  connections += 1;
  const connector = new ZohoConnector(
    {
      // A fresh id per test: metadata is cached per connection.
      connection: {
        id: `conn-zoho-unit-${connections}`,
        tenantId: 't1',
        crm: CRM,
        externalAccountId: null,
        vendorUrls: EU_URLS,
        settings: options.settings ?? {},
      },
      http,
      tokens,
      logger: createLogger({ level: 'silent' }),
      ...(options.readFields ? { readFields: options.readFields } : {}),
    },
    // Bulk Write polling sleeps through the connector's own timer: none in unit tests.
    { now: options.now, sleep: async () => undefined },
  );
  return { connector, tokens, budget };
}

/** Field metadata as `settings/fields` answers it: standard fields, a unique custom key, a picklist stage. */
export const CONTACT_FIELDS = [
  { api_name: 'First_Name', field_label: 'First Name', data_type: 'text', custom_field: false },
  {
    api_name: 'Last_Name',
    field_label: 'Last Name',
    data_type: 'text',
    custom_field: false,
    system_mandatory: true,
  },
  { api_name: 'Email', field_label: 'Email', data_type: 'email', custom_field: false },
  { api_name: 'Phone', field_label: 'Phone', data_type: 'phone', custom_field: false },
  { api_name: 'Owner', field_label: 'Contact Owner', data_type: 'ownerlookup', custom_field: false },
  {
    api_name: 'Account_Name',
    field_label: 'Account Name',
    data_type: 'lookup',
    custom_field: false,
    lookup: { module: { api_name: 'Accounts' } },
  },
  {
    api_name: 'Created_Time',
    field_label: 'Created Time',
    data_type: 'datetime',
    custom_field: false,
    read_only: true,
  },
  {
    api_name: 'Modified_Time',
    field_label: 'Modified Time',
    data_type: 'datetime',
    custom_field: false,
    read_only: true,
  },
  {
    api_name: 'Gateway_Key',
    field_label: 'Gateway Key',
    data_type: 'text',
    custom_field: true,
    unique: { casesensitive: false },
  },
  {
    api_name: 'Tier',
    field_label: 'Tier',
    data_type: 'picklist',
    custom_field: true,
    unique: {},
    pick_list_values: [
      { display_value: 'Gold', actual_value: 'Gold' },
      { display_value: 'Silver', actual_value: 'Silver' },
    ],
  },
];

export const DEAL_FIELDS = [
  {
    api_name: 'Deal_Name',
    field_label: 'Deal Name',
    data_type: 'text',
    custom_field: false,
    system_mandatory: true,
  },
  { api_name: 'Amount', field_label: 'Amount', data_type: 'currency', custom_field: false },
  {
    api_name: 'Stage',
    field_label: 'Stage',
    data_type: 'picklist',
    custom_field: false,
    pick_list_values: [
      {
        actual_value: 'Qualification',
        display_value: 'Qualification',
        probability: 10,
        forecast_type: 'Open',
      },
      {
        actual_value: 'Closed Won',
        display_value: 'Closed Won',
        probability: 100,
        forecast_type: 'Closed Won',
      },
      {
        actual_value: 'Closed Lost',
        display_value: 'Closed Lost',
        probability: 0,
        forecast_type: 'Closed Lost',
      },
      { actual_value: 'Legacy done', display_value: 'Legacy done', probability: 100 },
    ],
  },
  { api_name: 'Pipeline', field_label: 'Pipeline', data_type: 'picklist', custom_field: false },
  { api_name: 'Closing_Date', field_label: 'Closing Date', data_type: 'date', custom_field: false },
  { api_name: 'Contact_Name', field_label: 'Contact Name', data_type: 'lookup', custom_field: false },
  { api_name: 'Owner', field_label: 'Deal Owner', data_type: 'ownerlookup', custom_field: false },
  { api_name: 'Modified_Time', field_label: 'Modified Time', data_type: 'datetime', custom_field: false },
  {
    api_name: 'Gateway_Key',
    field_label: 'Gateway Key',
    data_type: 'text',
    custom_field: true,
    unique: { casesensitive: false },
  },
];

/** Answers a module's field metadata once. */
export function fieldsOnce(module: 'Contacts' | 'Deals' = 'Contacts'): nock.Scope {
  return nock(API)
    .get(`${V8}/settings/fields`)
    .query({ module })
    .reply(200, { fields: module === 'Contacts' ? CONTACT_FIELDS : DEAL_FIELDS });
}

/** Answers the org once (EUR, as a European org would). */
export function orgOnce(): nock.Scope {
  return nock(API)
    .get(`${V8}/org`)
    .reply(200, { org: [{ id: '20099887766', iso_code: 'EUR', currency: 'Euro' }] });
}

export const contact = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  First_Name: 'Jane',
  Last_Name: 'Doe',
  Email: 'jane@acme.example',
  Phone: '+358401234567',
  Owner: { name: 'Patricia Boyle', id: '5725767000000411001', email: 'p@acme.example' },
  Account_Name: null,
  Created_Time: '2026-01-01T10:00:00+05:30',
  Modified_Time: '2026-01-02T03:04:05+00:00',
  Gateway_Key: null,
  Tier: 'Gold',
  $approval_state: 'approved',
  ...extra,
});
