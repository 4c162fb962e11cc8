// The tables the sandbox serves and their columns, as Dataverse's metadata describes them
// (docs/vendors/dynamics.md "Tables" and "Metadata"): one declaration drives validation, rendering,
// $select/$filter checks, lookups, alternate keys and the EntityDefinitions answers.
import { PUBLISHER_PREFIX } from './constants';

export type AttributeType =
  | 'Uniqueidentifier'
  | 'String'
  | 'Memo'
  | 'Integer'
  | 'BigInt'
  | 'Decimal'
  | 'Money'
  | 'Boolean'
  | 'DateTime'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'Lookup'
  | 'Customer'
  | 'Owner';

export type RequiredLevel = 'None' | 'SystemRequired' | 'ApplicationRequired' | 'Recommended';

export interface OptionDef {
  value: number;
  label: string;
  /** Status options name the state they belong to. */
  state?: number;
  /** State options name their default status. */
  defaultStatus?: number;
}

export interface AttributeDef {
  logicalName: string;
  type: AttributeType;
  label: string;
  requiredLevel: RequiredLevel;
  /** Settable on create / update through the Web API. */
  validForCreate: boolean;
  validForUpdate: boolean;
  maxLength?: number;
  options?: OptionDef[];
  /** Lookup targets, by logical name (Customer lookups have two). */
  targets?: string[];
  /** DateTime columns with the DateOnly behaviour render `yyyy-MM-dd`. */
  dateOnly?: boolean;
  /** Write-only: never returned (a service endpoint's key). @defaultValue false */
  secret?: boolean;
  /** A column the org added (its name starts with the publisher prefix). */
  custom?: boolean;
  /** Money range (`estimatedvalue`: ±1e12). */
  min?: number;
  max?: number;
}

/** A single-valued navigation property: the lookup it sets and the table it points at. */
export interface NavigationDef {
  attribute: string;
  target: string;
}

/** A collection-valued navigation property: rows of `entity` whose `attribute` points here. */
export interface CollectionNavigationDef {
  entity: string;
  attribute: string;
}

export interface AlternateKeyDef {
  logicalName: string;
  attributes: string[];
}

export interface EntityDef {
  logicalName: string;
  entitySetName: string;
  primaryId: string;
  primaryName: string;
  displayName: string;
  attributes: AttributeDef[];
  navigation: Record<string, NavigationDef>;
  collections: Record<string, CollectionNavigationDef>;
  keys: AlternateKeyDef[];
  changeTracking: boolean;
  /** A table the Web API may not write (currencies, users are maintained elsewhere). */
  readOnly?: boolean;
  /** Tables whose rows fire no webhooks and never show in deltas (registration tables). */
  system?: boolean;
}

const col = (
  logicalName: string,
  type: AttributeType,
  label: string,
  extra: Partial<AttributeDef> = {},
): AttributeDef => ({
  logicalName,
  type,
  label,
  requiredLevel: 'None',
  validForCreate: true,
  validForUpdate: true,
  ...extra,
});
const readOnly = { validForCreate: false, validForUpdate: false } as const;
const system = (name: string, label: string, type: AttributeType, extra: Partial<AttributeDef> = {}) =>
  col(name, type, label, { ...readOnly, requiredLevel: 'SystemRequired', ...extra });

/** Columns every table carries: its id (settable on create), audit stamps and row version. */
function stamps(primaryId: string): AttributeDef[] {
  return [
    system(primaryId, 'Id', 'Uniqueidentifier', { validForCreate: true }),
    system('createdon', 'Created On', 'DateTime'),
    system('modifiedon', 'Modified On', 'DateTime'),
    system('versionnumber', 'Version Number', 'BigInt', { requiredLevel: 'None' }),
  ];
}

/** Stamps plus the owner, for user-owned tables. */
function common(primaryId: string): AttributeDef[] {
  return [
    ...stamps(primaryId),
    col('ownerid', 'Owner', 'Owner', { targets: ['systemuser'], requiredLevel: 'SystemRequired' }),
  ];
}

const customPrefix = `${PUBLISHER_PREFIX}_`;
const customCol = (name: string, type: AttributeType, label: string, extra: Partial<AttributeDef> = {}) =>
  col(`${customPrefix}${name}`, type, label, { custom: true, ...extra });

export const CONTACT_STATES: OptionDef[] = [
  { value: 0, label: 'Active', defaultStatus: 1 },
  { value: 1, label: 'Inactive', defaultStatus: 2 },
];
export const OPPORTUNITY_STATES: OptionDef[] = [
  { value: 0, label: 'Open', defaultStatus: 1 },
  { value: 1, label: 'Won', defaultStatus: 3 },
  { value: 2, label: 'Lost', defaultStatus: 4 },
];
const ACTIVE_INACTIVE_STATUSES: OptionDef[] = [
  { value: 1, label: 'Active', state: 0 },
  { value: 2, label: 'Inactive', state: 1 },
];
const OPPORTUNITY_STATUSES: OptionDef[] = [
  { value: 1, label: 'In Progress', state: 0 },
  { value: 2, label: 'On Hold', state: 0 },
  { value: 3, label: 'Won', state: 1 },
  { value: 4, label: 'Canceled', state: 2 },
  { value: 5, label: 'Out-Sold', state: 2 },
];

/** statecode (not settable on create) and statuscode, each status naming its state. */
function stateColumns(states: OptionDef[], statuses: OptionDef[]): AttributeDef[] {
  return [
    col('statecode', 'State', 'Status', {
      requiredLevel: 'SystemRequired',
      validForCreate: false,
      options: states,
    }),
    col('statuscode', 'Status', 'Status Reason', { options: statuses }),
  ];
}

export const SALES_STAGES: OptionDef[] = [
  { value: 0, label: 'Qualify' },
  { value: 1, label: 'Develop' },
  { value: 2, label: 'Propose' },
  { value: 3, label: 'Close' },
];

const contact: EntityDef = {
  logicalName: 'contact',
  entitySetName: 'contacts',
  primaryId: 'contactid',
  primaryName: 'fullname',
  displayName: 'Contact',
  changeTracking: true,
  attributes: [
    ...common('contactid'),
    col('firstname', 'String', 'First Name', { maxLength: 50 }),
    col('lastname', 'String', 'Last Name', { maxLength: 50, requiredLevel: 'ApplicationRequired' }),
    col('fullname', 'String', 'Full Name', { ...readOnly, maxLength: 160 }),
    col('emailaddress1', 'String', 'Email', { maxLength: 100 }),
    col('telephone1', 'String', 'Business Phone', { maxLength: 50 }),
    col('mobilephone', 'String', 'Mobile Phone', { maxLength: 50 }),
    col('jobtitle', 'String', 'Job Title', { maxLength: 100 }),
    col('description', 'Memo', 'Description', { maxLength: 2000 }),
    col('parentcustomerid', 'Customer', 'Company Name', { targets: ['account', 'contact'] }),
    ...stateColumns(CONTACT_STATES, ACTIVE_INACTIVE_STATUSES),
    customCol('externalid', 'String', 'External Id', { maxLength: 100 }),
    // A custom Decimal column: Dataverse's default range for a new decimal column is ±100,000,000,000.
    customCol('npsscore', 'Decimal', 'NPS Score', { min: -100_000_000_000, max: 100_000_000_000 }),
    customCol('loyaltytier', 'Picklist', 'Loyalty Tier', {
      options: [
        { value: 100000000, label: 'Bronze' },
        { value: 100000001, label: 'Silver' },
        { value: 100000002, label: 'Gold' },
      ],
    }),
    customCol('newsletteroptin', 'Boolean', 'Newsletter Opt In'),
  ],
  navigation: {
    parentcustomerid_account: { attribute: 'parentcustomerid', target: 'account' },
    parentcustomerid_contact: { attribute: 'parentcustomerid', target: 'contact' },
    ownerid: { attribute: 'ownerid', target: 'systemuser' },
  },
  collections: { opportunity_parent_contact: { entity: 'opportunity', attribute: 'parentcontactid' } },
  keys: [
    { logicalName: `${customPrefix}contact_externalid_key`, attributes: [`${customPrefix}externalid`] },
    { logicalName: `${customPrefix}contact_email_key`, attributes: ['emailaddress1'] },
  ],
};

const opportunity: EntityDef = {
  logicalName: 'opportunity',
  entitySetName: 'opportunities',
  primaryId: 'opportunityid',
  primaryName: 'name',
  displayName: 'Opportunity',
  changeTracking: true,
  attributes: [
    ...common('opportunityid'),
    col('name', 'String', 'Topic', { maxLength: 300, requiredLevel: 'ApplicationRequired' }),
    col('estimatedvalue', 'Money', 'Est. Revenue', { min: -1e12, max: 1e12 }),
    col('estimatedclosedate', 'DateTime', 'Est. Close Date', { dateOnly: true }),
    col('closeprobability', 'Integer', 'Probability', { min: 0, max: 100 }),
    col('stepname', 'String', 'Pipeline Phase', { maxLength: 200 }),
    col('salesstage', 'Picklist', 'Sales Stage', { options: SALES_STAGES }),
    ...stateColumns(OPPORTUNITY_STATES, OPPORTUNITY_STATUSES),
    col('parentcontactid', 'Lookup', 'Contact', { targets: ['contact'] }),
    col('parentaccountid', 'Lookup', 'Account', { targets: ['account'] }),
    col('customerid', 'Customer', 'Potential Customer', { targets: ['account', 'contact'] }),
    col('transactioncurrencyid', 'Lookup', 'Currency', {
      targets: ['transactioncurrency'],
      requiredLevel: 'ApplicationRequired',
    }),
    col('description', 'Memo', 'Description', { maxLength: 2000 }),
    customCol('externalid', 'String', 'External Id', { maxLength: 100 }),
  ],
  navigation: {
    parentcontactid: { attribute: 'parentcontactid', target: 'contact' },
    parentaccountid: { attribute: 'parentaccountid', target: 'account' },
    customerid_account: { attribute: 'customerid', target: 'account' },
    customerid_contact: { attribute: 'customerid', target: 'contact' },
    transactioncurrencyid: { attribute: 'transactioncurrencyid', target: 'transactioncurrency' },
    ownerid: { attribute: 'ownerid', target: 'systemuser' },
  },
  collections: {},
  keys: [
    { logicalName: `${customPrefix}opportunity_externalid_key`, attributes: [`${customPrefix}externalid`] },
  ],
};

const account: EntityDef = {
  logicalName: 'account',
  entitySetName: 'accounts',
  primaryId: 'accountid',
  primaryName: 'name',
  displayName: 'Account',
  changeTracking: true,
  attributes: [
    ...common('accountid'),
    col('name', 'String', 'Account Name', { maxLength: 160, requiredLevel: 'ApplicationRequired' }),
    col('accountnumber', 'String', 'Account Number', { maxLength: 20 }),
    col('telephone1', 'String', 'Main Phone', { maxLength: 50 }),
    col('websiteurl', 'String', 'Website', { maxLength: 200 }),
    col('primarycontactid', 'Lookup', 'Primary Contact', { targets: ['contact'] }),
    ...stateColumns(CONTACT_STATES, ACTIVE_INACTIVE_STATUSES),
  ],
  navigation: {
    primarycontactid: { attribute: 'primarycontactid', target: 'contact' },
    ownerid: { attribute: 'ownerid', target: 'systemuser' },
  },
  collections: {
    opportunity_parent_account: { entity: 'opportunity', attribute: 'parentaccountid' },
    contact_customer_accounts: { entity: 'contact', attribute: 'parentcustomerid' },
  },
  keys: [{ logicalName: 'accountnumber_key', attributes: ['accountnumber'] }],
};

const systemuser: EntityDef = {
  logicalName: 'systemuser',
  entitySetName: 'systemusers',
  primaryId: 'systemuserid',
  primaryName: 'fullname',
  displayName: 'User',
  changeTracking: true,
  readOnly: true,
  attributes: [
    ...stamps('systemuserid'),
    col('firstname', 'String', 'First Name', { maxLength: 64 }),
    col('lastname', 'String', 'Last Name', { maxLength: 64 }),
    col('fullname', 'String', 'Full Name', { ...readOnly, maxLength: 200 }),
    col('domainname', 'String', 'User Name', { maxLength: 1024 }),
    col('internalemailaddress', 'String', 'Primary Email', { maxLength: 100 }),
    col('applicationid', 'Uniqueidentifier', 'Application ID'),
    col('isdisabled', 'Boolean', 'Status'),
  ],
  navigation: {},
  collections: {},
  keys: [],
};

const transactioncurrency: EntityDef = {
  logicalName: 'transactioncurrency',
  entitySetName: 'transactioncurrencies',
  primaryId: 'transactioncurrencyid',
  primaryName: 'currencyname',
  displayName: 'Currency',
  changeTracking: false,
  readOnly: true,
  attributes: [
    ...stamps('transactioncurrencyid'),
    col('currencyname', 'String', 'Currency Name', { maxLength: 100 }),
    col('isocurrencycode', 'String', 'Currency Code', { maxLength: 5 }),
    col('currencysymbol', 'String', 'Currency Symbol', { maxLength: 10 }),
    col('exchangerate', 'Decimal', 'Exchange Rate'),
  ],
  navigation: {},
  collections: {},
  keys: [{ logicalName: 'isocurrencycode_key', attributes: ['isocurrencycode'] }],
};

/** Tables a connection may join (a subset of Dataverse's connection-enabled tables). */
const CONNECTABLE = ['account', 'contact', 'opportunity'];

// Connections ("Connections"): a link between any two rows, each side with an optional role. Dataverse
// writes a reciprocal row (record1 and record2 swapped) for every connection it creates, and deletes
// both together (connections.ts).
const connection: EntityDef = {
  logicalName: 'connection',
  entitySetName: 'connections',
  primaryId: 'connectionid',
  primaryName: 'name',
  displayName: 'Connection',
  changeTracking: true,
  attributes: [
    ...common('connectionid'),
    col('name', 'String', 'Connection Name', { ...readOnly, maxLength: 500 }),
    col('record1id', 'Lookup', 'Connected From', { targets: CONNECTABLE, validForUpdate: false }),
    col('record2id', 'Lookup', 'Connected To', { targets: CONNECTABLE, validForUpdate: false }),
    col('record1roleid', 'Lookup', 'As This Role (From)', { targets: ['connectionrole'] }),
    col('record2roleid', 'Lookup', 'As This Role (To)', { targets: ['connectionrole'] }),
    col('relatedconnectionid', 'Lookup', 'Related Connection', { ...readOnly, targets: ['connection'] }),
    col('ismaster', 'Boolean', 'Is Master', readOnly),
    col('description', 'Memo', 'Description', { maxLength: 4000 }),
  ],
  navigation: {
    ...Object.fromEntries(
      CONNECTABLE.flatMap((t) => [
        [`record1id_${t}`, { attribute: 'record1id', target: t }],
        [`record2id_${t}`, { attribute: 'record2id', target: t }],
      ]),
    ),
    record1roleid: { attribute: 'record1roleid', target: 'connectionrole' },
    record2roleid: { attribute: 'record2roleid', target: 'connectionrole' },
    ownerid: { attribute: 'ownerid', target: 'systemuser' },
  },
  collections: {},
  keys: [],
};

const connectionrole: EntityDef = {
  logicalName: 'connectionrole',
  entitySetName: 'connectionroles',
  primaryId: 'connectionroleid',
  primaryName: 'name',
  displayName: 'Connection Role',
  changeTracking: false,
  readOnly: true,
  attributes: [
    ...stamps('connectionroleid'),
    col('name', 'String', 'Name', { maxLength: 100, requiredLevel: 'SystemRequired' }),
  ],
  navigation: {},
  collections: {},
  keys: [],
};

// Webhook registration tables ("Webhooks"): rows written through the Web API like any other.
const serviceendpoint: EntityDef = {
  logicalName: 'serviceendpoint',
  entitySetName: 'serviceendpoints',
  primaryId: 'serviceendpointid',
  primaryName: 'name',
  displayName: 'Service Endpoint',
  changeTracking: false,
  system: true,
  attributes: [
    ...common('serviceendpointid'),
    col('name', 'String', 'Name', { maxLength: 256, requiredLevel: 'SystemRequired' }),
    col('url', 'String', 'Url', { maxLength: 2000 }),
    col('contract', 'Picklist', 'Contract', {
      requiredLevel: 'SystemRequired',
      options: [
        { value: 1, label: 'OneWay' },
        { value: 8, label: 'Webhook' },
      ],
    }),
    col('authtype', 'Picklist', 'Auth Type', {
      options: [
        { value: 4, label: 'WebhookKey' },
        { value: 5, label: 'HttpHeader' },
        { value: 6, label: 'HttpQueryString' },
      ],
    }),
    col('authvalue', 'Memo', 'Auth Value', { maxLength: 4000, secret: true }),
    col('messageformat', 'Picklist', 'Message Format', {
      options: [
        { value: 1, label: 'BinaryXML' },
        { value: 2, label: 'Json' },
        { value: 3, label: 'TextXML' },
      ],
    }),
  ],
  navigation: {},
  collections: {},
  keys: [],
};

const sdkmessageprocessingstep: EntityDef = {
  logicalName: 'sdkmessageprocessingstep',
  entitySetName: 'sdkmessageprocessingsteps',
  primaryId: 'sdkmessageprocessingstepid',
  primaryName: 'name',
  displayName: 'Sdk Message Processing Step',
  changeTracking: false,
  system: true,
  attributes: [
    ...common('sdkmessageprocessingstepid'),
    col('name', 'String', 'Name', { maxLength: 256, requiredLevel: 'SystemRequired' }),
    // The message (Create/Update/Delete) and table are lookups to sdkmessage / sdkmessagefilter at
    // Dataverse; the sandbox takes their names directly (UNVERIFIED shortcut, "Webhooks").
    col('messagename', 'String', 'Message', { maxLength: 100, requiredLevel: 'SystemRequired' }),
    col('primaryobjecttypecode', 'String', 'Table', { maxLength: 100 }),
    col('eventhandler', 'Lookup', 'Event Handler', { targets: ['serviceendpoint'] }),
    col('stage', 'Integer', 'Execution Stage', { min: 10, max: 40 }),
    col('mode', 'Picklist', 'Execution Mode', {
      options: [
        { value: 0, label: 'Synchronous' },
        { value: 1, label: 'Asynchronous' },
      ],
    }),
    col('filteringattributes', 'String', 'Filtering Attributes', { maxLength: 100000 }),
  ],
  navigation: { eventhandler_serviceendpoint: { attribute: 'eventhandler', target: 'serviceendpoint' } },
  collections: {},
  keys: [],
};

export const ENTITIES: readonly EntityDef[] = [
  contact,
  opportunity,
  account,
  systemuser,
  transactioncurrency,
  connection,
  connectionrole,
  serviceendpoint,
  sdkmessageprocessingstep,
];

const byLogicalName = new Map(ENTITIES.map((e) => [e.logicalName, e]));
const bySetName = new Map(ENTITIES.map((e) => [e.entitySetName, e]));

export function entityByLogicalName(name: string): EntityDef | undefined {
  return byLogicalName.get(name);
}

export function entityBySetName(name: string): EntityDef | undefined {
  return bySetName.get(name);
}

export function attributeOf(entity: EntityDef, name: string): AttributeDef | undefined {
  return entity.attributes.find((a) => a.logicalName === name);
}

export function isLookup(attribute: AttributeDef): boolean {
  return attribute.type === 'Lookup' || attribute.type === 'Customer' || attribute.type === 'Owner';
}

/** `_parentcustomerid_value` → the `parentcustomerid` lookup column, else undefined. */
export function lookupFromValueProperty(entity: EntityDef, property: string): AttributeDef | undefined {
  const m = /^_(.+)_value$/.exec(property);
  const attribute = m ? attributeOf(entity, m[1]) : undefined;
  return attribute && isLookup(attribute) ? attribute : undefined;
}
