// The portal's property and pipeline definitions as data (docs/vendors/hubspot.md "Properties", docs/vendors/hubspot.md "Pipelines", docs/vendors/hubspot.md "CRM objects"). Property values on records are
// always strings; the definitions here decide how a value is validated, compared in search and shown
// in the properties API.
import { type HsObjectType } from './constants';

export type PropertyType =
  'bool' | 'date' | 'datetime' | 'enumeration' | 'number' | 'phone_number' | 'string';
export type FieldType =
  | 'booleancheckbox'
  | 'calculation_equation'
  | 'checkbox'
  | 'date'
  | 'file'
  | 'html'
  | 'number'
  | 'phonenumber'
  | 'radio'
  | 'select'
  | 'text'
  | 'textarea';

export interface PropertyOption {
  label: string;
  value: string;
  displayOrder: number;
  hidden: boolean;
  description?: string;
}

export interface PropertyDef {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: FieldType;
  groupName: string;
  description: string;
  options: PropertyOption[];
  displayOrder: number;
  hasUniqueValue: boolean;
  hubspotDefined: boolean;
  /** Set by HubSpot only (ids, timestamps): writes are refused. */
  readOnlyValue: boolean;
  calculated: boolean;
  formField: boolean;
  textDisplayHint?: string;
  numberDisplayHint?: string;
  createdAt: string;
  updatedAt: string;
}

export interface PipelineStage {
  id: string;
  label: string;
  displayOrder: number;
  probability: number;
  isClosed: boolean;
}
export interface Pipeline {
  id: string;
  label: string;
  displayOrder: number;
  createdAt: number;
  stages: PipelineStage[];
}

/** A default pipeline has createdAt 0 (epoch) [V-SPEC]. */
const DEFAULT_STAGES: [string, string, number][] = [
  ['appointmentscheduled', 'Appointment Scheduled', 0.2],
  ['qualifiedtobuy', 'Qualified to Buy', 0.4],
  ['presentationscheduled', 'Presentation Scheduled', 0.6],
  ['decisionmakerboughtin', 'Decision Maker Bought-In', 0.8],
  ['contractsent', 'Contract Sent', 0.9],
  ['closedwon', 'Closed Won', 1],
  ['closedlost', 'Closed Lost', 0],
];

/** The `default` pipeline plus one custom pipeline whose stages have numeric ids, as custom ones do [3P]. */
export function defaultPipelines(): Pipeline[] {
  const stage = ([id, label, probability]: [string, string, number], i: number): PipelineStage => ({
    id,
    label,
    displayOrder: i,
    probability,
    // Closed stages are exactly the won (1.0) and lost (0.0) ones.
    isClosed: probability === 0 || probability === 1,
  });
  return [
    {
      id: 'default',
      label: 'Sales Pipeline',
      displayOrder: 0,
      createdAt: 0,
      stages: DEFAULT_STAGES.map(stage),
    },
    {
      id: '75e28846-ad0d-4be2-a027-5e1da6590b98',
      label: 'Renewals',
      displayOrder: 1,
      createdAt: Date.parse('2024-03-01T09:00:00.000Z'),
      stages: (
        [
          ['122178070', 'Renewal Due', 0.5],
          ['122178071', 'In Negotiation', 0.7],
          ['122178078', 'Renewed', 1],
          ['122178079', 'Churned', 0],
        ] as [string, string, number][]
      ).map(stage),
    },
  ];
}

const DEFINED_AT = '2019-08-06T02:41:08.029Z';
const CUSTOM_AT = '2024-02-12T10:15:00.000Z';

type Spec = [
  name: string,
  label: string,
  type: PropertyType,
  fieldType: FieldType,
  extra?: Partial<PropertyDef>,
];

function build(specs: Spec[], groupName: string, hubspotDefined: boolean): PropertyDef[] {
  return specs.map(([name, label, type, fieldType, extra], i) => ({
    name,
    label,
    type,
    fieldType,
    groupName,
    description: '',
    options: [],
    displayOrder: hubspotDefined ? -1 : i,
    hasUniqueValue: false,
    hubspotDefined,
    readOnlyValue: false,
    calculated: false,
    formField: !hubspotDefined,
    createdAt: hubspotDefined ? DEFINED_AT : CUSTOM_AT,
    updatedAt: hubspotDefined ? DEFINED_AT : CUSTOM_AT,
    ...extra,
  }));
}

function options(values: [string, string][]): PropertyOption[] {
  return values.map(([value, label], displayOrder) => ({ label, value, displayOrder, hidden: false }));
}

/** Lifecycle stages in their only allowed direction of travel (docs/vendors/hubspot.md "CRM objects": "can only move forward"). */
export const LIFECYCLE_STAGES = [
  'subscriber',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
  'evangelist',
  'other',
];

const readOnly: Partial<PropertyDef> = { readOnlyValue: true };

/**
 * Property definitions of one portal. `owners` become the options of `hubspot_owner_id`. The custom
 * properties are named the HubSpot way (lowercase snake case, no suffix); `crm_external_id` /
 * `deal_external_id` are unique-value properties usable as `idProperty`.
 */
export function defaultProperties(
  owners: { id: string; name: string }[],
): Record<HsObjectType, PropertyDef[]> {
  const ownerOptions = options(owners.map((o) => [o.id, o.name]));
  const common: Spec[] = [
    ['hs_object_id', 'Record ID', 'number', 'number', readOnly],
    ['createdate', 'Create Date', 'datetime', 'date', readOnly],
    ['hs_lastmodifieddate', 'Object last modified date/time', 'datetime', 'date', readOnly],
    ['hubspot_owner_id', 'Contact owner', 'enumeration', 'select', { options: ownerOptions }],
  ];
  const lifecycle = options(
    LIFECYCLE_STAGES.map((v) => [v, v === 'marketingqualifiedlead' ? 'Marketing Qualified Lead' : cap(v)]),
  );
  const contacts = [
    ...build(
      [
        ...common,
        ['lastmodifieddate', 'Last Modified Date', 'datetime', 'date', readOnly],
        ['email', 'Email', 'string', 'text', { textDisplayHint: 'email' }],
        ['firstname', 'First Name', 'string', 'text'],
        ['lastname', 'Last Name', 'string', 'text'],
        ['phone', 'Phone Number', 'string', 'phonenumber', { textDisplayHint: 'phone_number' }],
        ['mobilephone', 'Mobile Phone Number', 'string', 'phonenumber'],
        ['fax', 'Fax Number', 'string', 'phonenumber'],
        ['company', 'Company Name', 'string', 'text'],
        ['website', 'Website URL', 'string', 'text', { textDisplayHint: 'domain_name' }],
        ['jobtitle', 'Job Title', 'string', 'text'],
        ['address', 'Street Address', 'string', 'text'],
        ['city', 'City', 'string', 'text'],
        ['state', 'State/Region', 'string', 'text'],
        ['zip', 'Postal Code', 'string', 'text'],
        ['country', 'Country/Region', 'string', 'text'],
        ['hs_additional_emails', 'Additional email addresses', 'enumeration', 'checkbox'],
        ['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { options: lifecycle }],
        [
          'hs_lead_status',
          'Lead Status',
          'enumeration',
          'radio',
          {
            options: options([
              ['NEW', 'New'],
              ['OPEN', 'Open'],
              ['IN_PROGRESS', 'In Progress'],
              ['OPEN_DEAL', 'Open Deal'],
              ['UNQUALIFIED', 'Unqualified'],
              ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
              ['CONNECTED', 'Connected'],
              ['BAD_TIMING', 'Bad Timing'],
            ]),
          },
        ],
      ],
      'contactinformation',
      true,
    ),
    ...build(
      [
        ['crm_external_id', 'External ID', 'string', 'text', { hasUniqueValue: true }],
        [
          'customer_tier',
          'Customer tier',
          'enumeration',
          'select',
          {
            options: options([
              ['gold', 'Gold'],
              ['silver', 'Silver'],
              ['bronze', 'Bronze'],
            ]),
          },
        ],
        ['nps_score', 'NPS score', 'number', 'number', { numberDisplayHint: 'unformatted' }],
        ['newsletter_opt_in', 'Newsletter opt-in', 'bool', 'booleancheckbox', { options: booleanOptions() }],
        [
          'interests',
          'Interests',
          'enumeration',
          'checkbox',
          {
            options: options([
              ['analytics', 'Analytics'],
              ['automation', 'Automation'],
              ['integrations', 'Integrations'],
              ['security', 'Security'],
            ]),
          },
        ],
      ],
      'crm_gateway',
      false,
    ),
  ];
  const deals = [
    ...build(
      [
        ...common,
        ['dealname', 'Deal Name', 'string', 'text'],
        ['amount', 'Amount', 'number', 'number', { numberDisplayHint: 'currency' }],
        ['dealstage', 'Deal Stage', 'enumeration', 'radio'],
        ['pipeline', 'Pipeline', 'enumeration', 'select'],
        ['closedate', 'Close Date', 'datetime', 'date'],
        [
          'dealtype',
          'Deal Type',
          'enumeration',
          'radio',
          {
            options: options([
              ['newbusiness', 'New Business'],
              ['existingbusiness', 'Existing Business'],
            ]),
          },
        ],
        ['description', 'Deal Description', 'string', 'textarea'],
        ['deal_currency_code', 'Currency', 'enumeration', 'select', { options: options(currencies()) }],
        ['hs_deal_stage_probability', 'Deal Stage Probability', 'number', 'number', readOnly],
      ],
      'dealinformation',
      true,
    ),
    ...build(
      [
        ['deal_external_id', 'External deal ID', 'string', 'text', { hasUniqueValue: true }],
        ['renewal_date', 'Renewal date', 'date', 'date'],
        [
          'deal_source',
          'Deal source',
          'enumeration',
          'select',
          {
            options: options([
              ['inbound', 'Inbound'],
              ['outbound', 'Outbound'],
              ['partner', 'Partner'],
            ]),
          },
        ],
      ],
      'crm_gateway',
      false,
    ),
  ];
  return { contacts, deals };
}

/** Enumeration options of dealstage/pipeline follow the pipelines, as in a real portal. */
export function syncPipelineOptions(deals: PropertyDef[], pipelines: Pipeline[]): void {
  const stage = deals.find((p) => p.name === 'dealstage');
  const pipeline = deals.find((p) => p.name === 'pipeline');
  if (stage)
    stage.options = options(pipelines.flatMap((p) => p.stages.map((s): [string, string] => [s.id, s.label])));
  if (pipeline) pipeline.options = options(pipelines.map((p): [string, string] => [p.id, p.label]));
}

function booleanOptions(): PropertyOption[] {
  return options([
    ['true', 'Yes'],
    ['false', 'No'],
  ]);
}

function currencies(): [string, string][] {
  return ['USD', 'EUR', 'GBP'].map((c) => [c, c]);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
