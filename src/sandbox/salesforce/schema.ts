import { KEY_PREFIX } from './ids';
import {
  ACTIVE_CURRENCIES,
  CONTACT_ROLES,
  CUSTOMER_TIERS,
  DEAL_SOURCES,
  INDUSTRIES,
  LEAD_SOURCES,
  OPPORTUNITY_STAGES,
} from './picklists';

export * from './picklists';

/** Salesforce field-reference types we use (docs/vendors/salesforce.md "Describe"). */
export type SfFieldType =
  | 'id'
  | 'string'
  | 'email'
  | 'phone'
  | 'url'
  | 'reference'
  | 'picklist'
  | 'currency'
  | 'date'
  | 'datetime'
  | 'percent'
  | 'boolean'
  | 'textarea'
  | 'int'
  | 'double';

export interface SfField {
  name: string;
  label: string;
  type: SfFieldType;
  length?: number;
  precision?: number;
  scale?: number;
  /** Required on create when false and not defaulted. */
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate?: boolean;
  custom?: boolean;
  externalId?: boolean;
  unique?: boolean;
  picklist?: readonly string[];
  restrictedPicklist?: boolean;
  referenceTo?: string;
  relationshipName?: string;
  /** Computed by the sandbox (Name, IsClosed…): never writable. */
  calculated?: boolean;
}

export interface SfChildRelationship {
  relationshipName: string;
  childSObject: string;
  field: string;
  cascadeDelete: boolean;
}

export interface SfObject {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  fields: readonly SfField[];
  fieldMap: ReadonlyMap<string, SfField>;
  childRelationships: readonly SfChildRelationship[];
  /** Writable through the API (User is read-only here). */
  writable: boolean;
}

type FieldSpec = Omit<SfField, 'nillable' | 'createable' | 'updateable'> &
  Partial<Pick<SfField, 'nillable' | 'createable' | 'updateable'>>;

const f = (spec: FieldSpec): SfField => ({ nillable: true, createable: true, updateable: true, ...spec });
const sys = (name: string, label: string, type: SfFieldType, extra: Partial<SfField> = {}): SfField =>
  f({
    name,
    label,
    type,
    createable: false,
    updateable: false,
    defaultedOnCreate: true,
    nillable: false,
    ...extra,
  });

function auditFields(): SfField[] {
  return [
    sys('Id', 'Record ID', 'id', { length: 18 }),
    sys('IsDeleted', 'Deleted', 'boolean'),
    sys('CreatedDate', 'Created Date', 'datetime'),
    sys('CreatedById', 'Created By ID', 'reference', {
      referenceTo: 'User',
      relationshipName: 'CreatedBy',
      length: 18,
    }),
    sys('LastModifiedDate', 'Last Modified Date', 'datetime'),
    sys('LastModifiedById', 'Last Modified By ID', 'reference', {
      referenceTo: 'User',
      relationshipName: 'LastModifiedBy',
      length: 18,
    }),
    sys('SystemModstamp', 'System Modstamp', 'datetime'),
  ];
}

const owner = (): SfField =>
  f({
    name: 'OwnerId',
    label: 'Owner ID',
    type: 'reference',
    referenceTo: 'User',
    relationshipName: 'Owner',
    length: 18,
    nillable: false,
    defaultedOnCreate: true,
  });
const externalId = (label: string): SfField =>
  f({
    name: 'External_Id__c',
    label,
    type: 'string',
    length: 64,
    custom: true,
    externalId: true,
    unique: true,
  });

function object(
  name: string,
  labelPlural: string,
  keyPrefix: string,
  fields: SfField[],
  childRelationships: SfChildRelationship[] = [],
  writable = true,
): SfObject {
  return {
    name,
    label: name.replace(/([a-z])([A-Z])/g, '$1 $2'),
    labelPlural,
    keyPrefix,
    fields,
    fieldMap: new Map(fields.map((x) => [x.name, x])),
    childRelationships,
    writable,
  };
}

export const SCHEMA: ReadonlyMap<string, SfObject> = new Map(
  [
    object(
      'User',
      'Users',
      KEY_PREFIX.User,
      [
        ...auditFields(),
        f({ name: 'Username', label: 'Username', type: 'string', length: 80, nillable: false }),
        f({ name: 'FirstName', label: 'First Name', type: 'string', length: 40 }),
        f({ name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false }),
        sys('Name', 'Full Name', 'string', { length: 121, calculated: true }),
        f({ name: 'Email', label: 'Email', type: 'email', length: 128, nillable: false }),
        f({ name: 'IsActive', label: 'Active', type: 'boolean', nillable: false, defaultedOnCreate: true }),
        // The user's manager, as in a real org's User (a relationship path can climb it: Owner.Manager.Email).
        f({
          name: 'ManagerId',
          label: 'Manager ID',
          type: 'reference',
          referenceTo: 'User',
          relationshipName: 'Manager',
          length: 18,
        }),
      ],
      [],
      false,
    ),
    object(
      'Account',
      'Accounts',
      KEY_PREFIX.Account,
      [
        ...auditFields(),
        f({ name: 'Name', label: 'Account Name', type: 'string', length: 255, nillable: false }),
        f({ name: 'Industry', label: 'Industry', type: 'picklist', length: 255, picklist: INDUSTRIES }),
        f({ name: 'Website', label: 'Website', type: 'url', length: 255 }),
        f({ name: 'Phone', label: 'Account Phone', type: 'phone', length: 40 }),
        owner(),
        externalId('External ID'),
      ],
      [
        { relationshipName: 'Contacts', childSObject: 'Contact', field: 'AccountId', cascadeDelete: true },
        {
          relationshipName: 'Opportunities',
          childSObject: 'Opportunity',
          field: 'AccountId',
          cascadeDelete: true,
        },
      ],
    ),
    object(
      'Contact',
      'Contacts',
      KEY_PREFIX.Contact,
      [
        ...auditFields(),
        f({
          name: 'MasterRecordId',
          label: 'Master Record ID',
          type: 'reference',
          referenceTo: 'Contact',
          relationshipName: 'MasterRecord',
          createable: false,
          updateable: false,
          length: 18,
        }),
        f({
          name: 'AccountId',
          label: 'Account ID',
          type: 'reference',
          referenceTo: 'Account',
          relationshipName: 'Account',
          length: 18,
        }),
        f({
          name: 'Salutation',
          label: 'Salutation',
          type: 'picklist',
          length: 40,
          picklist: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'],
        }),
        f({ name: 'FirstName', label: 'First Name', type: 'string', length: 40 }),
        f({ name: 'LastName', label: 'Last Name', type: 'string', length: 80, nillable: false }),
        sys('Name', 'Full Name', 'string', { length: 121, calculated: true }),
        f({ name: 'Email', label: 'Email', type: 'email', length: 80 }),
        f({ name: 'Phone', label: 'Business Phone', type: 'phone', length: 40 }),
        f({ name: 'MobilePhone', label: 'Mobile Phone', type: 'phone', length: 40 }),
        f({ name: 'Title', label: 'Title', type: 'string', length: 128 }),
        f({ name: 'Department', label: 'Department', type: 'string', length: 80 }),
        f({
          name: 'LeadSource',
          label: 'Lead Source',
          type: 'picklist',
          length: 255,
          picklist: LEAD_SOURCES,
        }),
        f({ name: 'Birthdate', label: 'Birthdate', type: 'date' }),
        f({ name: 'Description', label: 'Contact Description', type: 'textarea', length: 32000 }),
        f({ name: 'MailingCity', label: 'Mailing City', type: 'string', length: 40 }),
        f({ name: 'MailingCountry', label: 'Mailing Country', type: 'string', length: 80 }),
        owner(),
        externalId('External ID'),
        f({
          name: 'Customer_Tier__c',
          label: 'Customer Tier',
          type: 'picklist',
          length: 255,
          custom: true,
          picklist: CUSTOMER_TIERS,
          restrictedPicklist: true,
        }),
        f({ name: 'NPS_Score__c', label: 'NPS Score', type: 'double', precision: 3, scale: 0, custom: true }),
        f({
          name: 'Newsletter_Opt_In__c',
          label: 'Newsletter Opt In',
          type: 'boolean',
          custom: true,
          nillable: false,
          defaultedOnCreate: true,
        }),
      ],
      [
        {
          relationshipName: 'OpportunityContactRoles',
          childSObject: 'OpportunityContactRole',
          field: 'ContactId',
          cascadeDelete: true,
        },
      ],
    ),
    object(
      'Opportunity',
      'Opportunities',
      KEY_PREFIX.Opportunity,
      [
        ...auditFields(),
        f({
          name: 'AccountId',
          label: 'Account ID',
          type: 'reference',
          referenceTo: 'Account',
          relationshipName: 'Account',
          length: 18,
        }),
        f({
          name: 'ContactId',
          label: 'Contact ID',
          type: 'reference',
          referenceTo: 'Contact',
          relationshipName: 'Contact',
          length: 18,
        }),
        f({ name: 'Name', label: 'Name', type: 'string', length: 120, nillable: false }),
        f({ name: 'Description', label: 'Description', type: 'textarea', length: 32000 }),
        f({
          name: 'StageName',
          label: 'Stage',
          type: 'picklist',
          length: 255,
          nillable: false,
          picklist: OPPORTUNITY_STAGES.map((s) => s.value),
        }),
        f({ name: 'Amount', label: 'Amount', type: 'currency', precision: 18, scale: 2 }),
        f({
          name: 'Probability',
          label: 'Probability (%)',
          type: 'percent',
          precision: 3,
          scale: 0,
          defaultedOnCreate: true,
        }),
        f({ name: 'CloseDate', label: 'Close Date', type: 'date', nillable: false }),
        f({
          name: 'Type',
          label: 'Opportunity Type',
          type: 'picklist',
          length: 255,
          picklist: ['New Customer', 'Existing Customer - Upgrade', 'Existing Customer - Renewal'],
        }),
        f({
          name: 'LeadSource',
          label: 'Lead Source',
          type: 'picklist',
          length: 255,
          picklist: LEAD_SOURCES,
        }),
        f({ name: 'NextStep', label: 'Next Step', type: 'string', length: 255 }),
        sys('IsClosed', 'Closed', 'boolean', { calculated: true }),
        sys('IsWon', 'Won', 'boolean', { calculated: true }),
        owner(),
        externalId('External ID'),
        f({
          name: 'Deal_Source__c',
          label: 'Deal Source',
          type: 'picklist',
          length: 255,
          custom: true,
          picklist: DEAL_SOURCES,
        }),
        f({
          name: 'Renewal__c',
          label: 'Renewal',
          type: 'boolean',
          custom: true,
          nillable: false,
          defaultedOnCreate: true,
        }),
      ],
      [
        {
          relationshipName: 'OpportunityContactRoles',
          childSObject: 'OpportunityContactRole',
          field: 'OpportunityId',
          cascadeDelete: true,
        },
      ],
    ),
    // The org itself: one row, read-only, queried for its settings (`SELECT DefaultCurrencyIsoCode
    // FROM Organization`). Only the fields a client needs are modelled; it has no IsDeleted.
    object(
      'Organization',
      'Organizations',
      KEY_PREFIX.Organization,
      [
        ...auditFields().filter((x) => x.name !== 'IsDeleted'),
        sys('Name', 'Name', 'string', { length: 80 }),
        // A picklist in Salesforce's field reference; the corporate currency in a multi-currency org
        // (UNVERIFIED there: the shared vendor doc is silent on Organization).
        sys('DefaultCurrencyIsoCode', 'Locale Currency', 'picklist', { length: 3, nillable: true }),
      ],
      [],
      false,
    ),
    object('OpportunityContactRole', 'Opportunity Contact Role', KEY_PREFIX.OpportunityContactRole, [
      ...auditFields(),
      f({
        name: 'OpportunityId',
        label: 'Opportunity ID',
        type: 'reference',
        referenceTo: 'Opportunity',
        relationshipName: 'Opportunity',
        length: 18,
        nillable: false,
        updateable: false,
      }),
      f({
        name: 'ContactId',
        label: 'Contact ID',
        type: 'reference',
        referenceTo: 'Contact',
        relationshipName: 'Contact',
        length: 18,
      }),
      f({ name: 'Role', label: 'Role', type: 'picklist', length: 255, picklist: CONTACT_ROLES }),
      f({ name: 'IsPrimary', label: 'Primary', type: 'boolean', nillable: false, defaultedOnCreate: true }),
    ]),
  ].map((o) => [o.name, o]),
);

/** Each record's currency, in a multi-currency org only. */
export const CURRENCY_FIELD = 'CurrencyIsoCode';

/** The objects whose records carry their own currency once multi-currency is on. */
const CURRENCY_OBJECTS = new Set(['Account', 'Contact', 'Opportunity']);

/**
 * `CurrencyIsoCode`: present only in a multi-currency org, where every record of these objects holds
 * the currency of its amounts (defaulted on create to the corporate currency); in a single-currency org
 * the field does not exist, and selecting it is INVALID_FIELD.
 */
const currencyField = (object: string): SfField =>
  f({
    name: CURRENCY_FIELD,
    label: `${object.replace(/([a-z])([A-Z])/g, '$1 $2')} Currency`,
    type: 'picklist',
    length: 3,
    nillable: false,
    defaultedOnCreate: true,
    picklist: ACTIVE_CURRENCIES,
    restrictedPicklist: true,
  });

/** An org's objects: {@link SCHEMA} as it is, or with CurrencyIsoCode once multi-currency is on. */
export type SfSchema = ReadonlyMap<string, SfObject>;

/** The schema of a multi-currency org. */
export const MULTI_CURRENCY_SCHEMA: SfSchema = new Map(
  [...SCHEMA.values()].map((o) => {
    if (!CURRENCY_OBJECTS.has(o.name)) return [o.name, o];
    // After Id and the audit fields, where Salesforce's describe lists it.
    const at = o.fields.findIndex((x) => x.name === 'SystemModstamp') + 1;
    const fields = [...o.fields.slice(0, at), currencyField(o.name), ...o.fields.slice(at)];
    return [o.name, { ...o, fields, fieldMap: new Map(fields.map((x) => [x.name, x])) }];
  }),
);

export function schemaFor(multiCurrency: boolean): SfSchema {
  return multiCurrency ? MULTI_CURRENCY_SCHEMA : SCHEMA;
}

/** The object with this API name (case-insensitive, as SOQL and REST paths are) in an org's schema. */
export function findObject(name: string, schema: SfSchema = SCHEMA): SfObject | undefined {
  const exact = schema.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const o of schema.values()) if (o.name.toLowerCase() === lower) return o;
  return undefined;
}

export function findField(obj: SfObject, name: string): SfField | undefined {
  const exact = obj.fieldMap.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const x of obj.fields) if (x.name.toLowerCase() === lower) return x;
  return undefined;
}
