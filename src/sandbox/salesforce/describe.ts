import { type FastifyInstance } from 'fastify';
import { callContext, sendJson } from './context';
import { objectFromPath } from './records';
import { type SfField, type SfObject } from './schema';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  boolean: 'xsd:boolean',
  currency: 'xsd:double',
  percent: 'xsd:double',
  double: 'xsd:double',
  int: 'xsd:int',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

const PERSON_NAME_PARTS = new Set(['Salutation', 'FirstName', 'LastName']);

/** One `fields[]` entry with every key jsforce's `Field` type declares (docs/vendors/salesforce.md "Describe"). */
function describeField(f: SfField): Record<string, unknown> {
  const text = !['boolean', 'currency', 'percent', 'double', 'int', 'date', 'datetime'].includes(f.type);
  return {
    aggregatable: f.type !== 'textarea',
    autoNumber: false,
    byteLength: text ? (f.length ?? 0) * 3 : 0,
    calculated: f.calculated ?? false,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: PERSON_NAME_PARTS.has(f.name) ? 'Name' : null,
    controllerName: null,
    createable: f.createable && !f.calculated,
    custom: f.custom ?? false,
    defaultValue: f.type === 'boolean' && f.defaultedOnCreate ? false : null,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultedOnCreate ?? false,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === 'int' ? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId ?? false,
    extraTypeInfo: PERSON_NAME_PARTS.has(f.name) || f.name === 'Name' ? 'personname' : null,
    filterable: f.type !== 'textarea',
    filteredLookupInfo: null,
    groupable: f.type !== 'textarea' && f.type !== 'datetime' && f.type !== 'currency' && f.type !== 'double',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.name === 'Id' || (f.externalId ?? false) || f.type === 'email',
    inlineHelpText: null,
    label: f.label,
    length: text ? (f.length ?? 0) : 0,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.name === 'Name',
    namePointing: false,
    nillable: f.nillable,
    permissionable: f.nillable && !f.calculated,
    picklistValues: (f.picklist ?? []).map((value) => ({
      active: true,
      defaultValue: false,
      label: value,
      validFor: null,
      value,
    })),
    polymorphicForeignKey: false,
    precision: f.precision ?? 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: f.referenceTo ? [f.referenceTo] : [],
    relationshipName: f.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist ?? false,
    scale: f.scale ?? 0,
    soapType: SOAP_TYPES[f.type] ?? 'xsd:string',
    sortable: f.type !== 'textarea',
    type: f.type,
    unique: f.unique ?? false,
    updateable: f.updateable && !f.calculated,
    writeRequiresMasterRead: false,
  };
}

function objectFlags(o: SfObject, version: string): Record<string, unknown> {
  const base = `/services/data/${version}/sobjects/${o.name}`;
  // The org's own row: queried and retrieved, never replicated, searched or listed in the UI.
  const isOrg = o.name === 'Organization';
  return {
    activateable: false,
    createable: o.writable,
    custom: false,
    customSetting: false,
    deletable: o.writable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    keyPrefix: o.keyPrefix,
    label: o.label,
    labelPlural: o.labelPlural,
    layoutable: !isOrg,
    mergeable: o.name === 'Contact' || o.name === 'Account',
    mruEnabled: !isOrg,
    name: o.name,
    queryable: true,
    replicateable: !isOrg,
    retrieveable: true,
    searchable: o.name !== 'OpportunityContactRole' && !isOrg,
    triggerable: !isOrg,
    undeletable: o.writable,
    updateable: o.writable,
    urls: { sobject: base, describe: `${base}/describe`, rowTemplate: `${base}/{ID}` },
  };
}

export function registerDescribeRoutes(scope: FastifyInstance): void {
  scope.get('/sobjects', async (request, reply) => {
    const { org, version } = callContext(request);
    return sendJson(reply, 200, {
      encoding: 'UTF-8',
      maxBatchSize: 200,
      sobjects: [...org.state.store.schema.values()].map((o) => objectFlags(o, version)),
    });
  });

  scope.get('/sobjects/:type', async (request, reply) => {
    const { org, version } = callContext(request);
    const obj = objectFromPath((request.params as { type: string }).type, org.state.store.schema);
    return sendJson(reply, 200, { objectDescribe: objectFlags(obj, version), recentItems: [] });
  });

  scope.get('/sobjects/:type/describe', async (request, reply) => {
    const { org, version } = callContext(request);
    const obj = objectFromPath((request.params as { type: string }).type, org.state.store.schema);
    return sendJson(reply, 200, {
      ...objectFlags(obj, version),
      fields: obj.fields.map(describeField),
      childRelationships: obj.childRelationships.map((c) => ({
        cascadeDelete: c.cascadeDelete,
        childSObject: c.childSObject,
        deprecatedAndHidden: false,
        field: c.field,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: c.relationshipName,
        restrictedDelete: false,
      })),
      recordTypeInfos: [],
      supportedScopes: [
        { label: 'All', name: 'everything' },
        { label: 'Mine', name: 'mine' },
      ],
    });
  });
}
