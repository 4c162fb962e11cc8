import { type CrmObject, type NativeField, type NativeFieldType } from '../types';
import { type DynamicsApi } from './api-context';
import { TABLES } from './dynamics.constants';
import { webApiRequest } from './webapi';
import { type WireAttribute, type WireKey, type WireLabel } from './wire.types';

/**
 * Column metadata from `EntityDefinitions(LogicalName='<table>')/Attributes`, with the options of each
 * choice column (its attribute cast to its metadata type with `$expand=OptionSet`) and the alternate
 * keys (`…/Keys`) that make a column unique (docs/vendors/dynamics.md "Metadata"). Metadata is not
 * paged. A lookup is named as reads return it, `_<name>_value`, with its navigation property as
 * relationship name.
 */

const TYPES: Readonly<Record<string, NativeFieldType>> = {
  String: 'string',
  Memo: 'text',
  Integer: 'integer',
  BigInt: 'integer',
  Decimal: 'decimal',
  Double: 'decimal',
  Money: 'currency',
  Boolean: 'boolean',
  Picklist: 'picklist',
  State: 'picklist',
  Status: 'picklist',
  MultiSelectPicklist: 'multipicklist',
  Lookup: 'reference',
  Customer: 'reference',
  Owner: 'reference',
  Uniqueidentifier: 'id',
};

/** Choice columns and the metadata type their options are read through. */
const OPTION_SET_TYPES: Readonly<Record<string, string>> = {
  Picklist: 'PicklistAttributeMetadata',
  State: 'StateAttributeMetadata',
  Status: 'StatusAttributeMetadata',
};

const LOOKUPS = new Set(['Lookup', 'Customer', 'Owner']);

function labelOf(label: WireLabel | undefined, fallback: string): string {
  return label?.UserLocalizedLabel?.Label ?? label?.LocalizedLabels?.[0]?.Label ?? fallback;
}

function typeOf(a: WireAttribute): NativeFieldType {
  if (a.AttributeType === 'DateTime') return a.DateTimeBehavior?.Value === 'DateOnly' ? 'date' : 'datetime';
  if (a.AttributeType === 'String' && a.LogicalName.startsWith('emailaddress')) return 'email';
  return TYPES[a.AttributeType] ?? 'unknown';
}

export async function describeFields(api: DynamicsApi, obj: CrmObject): Promise<NativeField[]> {
  const table = `EntityDefinitions(LogicalName='${TABLES[obj].logicalName}')`;
  const [attributes, keys] = await Promise.all([
    webApiRequest<{ value: WireAttribute[] }>(api, { method: 'GET', resource: `${table}/Attributes` }),
    webApiRequest<{ value: WireKey[] }>(api, { method: 'GET', resource: `${table}/Keys` }),
  ]);
  const columns = (attributes.body?.value ?? []).filter(
    (a) => !a.AttributeOf && a.AttributeType !== 'Virtual',
  );
  const uniqueColumns = new Set(
    (keys.body?.value ?? []).filter((k) => k.KeyAttributes.length === 1).map((k) => k.KeyAttributes[0]),
  );
  const options = new Map<string, { value: string; label: string }[]>();
  await Promise.all(
    columns
      .filter((a) => OPTION_SET_TYPES[a.AttributeType])
      .map(async (a) => {
        const res = await webApiRequest<WireAttribute>(api, {
          method: 'GET',
          resource: `${table}/Attributes(LogicalName='${a.LogicalName}')/Microsoft.Dynamics.CRM.${OPTION_SET_TYPES[a.AttributeType]}`,
          query: { $select: 'LogicalName', $expand: 'OptionSet' },
        });
        options.set(
          a.LogicalName,
          (res.body?.OptionSet?.Options ?? []).map((o) => ({
            value: String(o.Value),
            label: labelOf(o.Label, String(o.Value)),
          })),
        );
      }),
  );
  return columns.map((a) => toField(a, uniqueColumns.has(a.LogicalName), options.get(a.LogicalName)));
}

function toField(
  a: WireAttribute,
  unique: boolean,
  picklistValues: { value: string; label: string }[] | undefined,
): NativeField {
  const lookup = LOOKUPS.has(a.AttributeType);
  const required =
    a.RequiredLevel?.Value === 'ApplicationRequired' || a.RequiredLevel?.Value === 'SystemRequired';
  return {
    name: lookup ? `_${a.LogicalName}_value` : a.LogicalName,
    label: labelOf(a.DisplayName, a.LogicalName),
    type: typeOf(a),
    custom: a.IsCustomAttribute === true,
    required,
    readOnly: a.IsValidForCreate !== true && a.IsValidForUpdate !== true,
    unique,
    // Dataverse upserts by any alternate key: a one-column key is an external id.
    externalId: unique,
    ...(picklistValues ? { picklistValues } : {}),
    ...(lookup ? { referenceTo: a.Targets ?? [], relationshipName: a.LogicalName } : {}),
  };
}
