// Table metadata (docs/vendors/dynamics.md "Metadata"): `EntityDefinitions`, one table by
// `LogicalName`, its `Attributes` (one by LogicalName, cast to its metadata type for the option set),
// and its alternate `Keys`, all built from the schema the rest of the sandbox enforces.
import { type DvContext } from './context';
import { LANGUAGE_CODE } from './constants';
import { badRequest, DV_CODES, DvError, methodNotAllowed, unknownResource } from './errors';
import { ENTITIES, entityByLogicalName, type AttributeDef, type EntityDef, type OptionDef } from './schema';
import { stableGuid } from './state';
import { json, type WebApiResponse } from './webapi-types';

function label(text: string, id: string): Record<string, unknown> {
  const localized = {
    Label: text,
    LanguageCode: LANGUAGE_CODE,
    IsManaged: true,
    MetadataId: stableGuid(`label:${id}`),
    HasChanged: null,
  };
  return { LocalizedLabels: [localized], UserLocalizedLabel: localized };
}

const METADATA_TYPE: Partial<Record<AttributeDef['type'], string>> = {
  String: 'StringAttributeMetadata',
  Memo: 'MemoAttributeMetadata',
  Integer: 'IntegerAttributeMetadata',
  BigInt: 'BigIntAttributeMetadata',
  Decimal: 'DecimalAttributeMetadata',
  Money: 'MoneyAttributeMetadata',
  Boolean: 'BooleanAttributeMetadata',
  DateTime: 'DateTimeAttributeMetadata',
  Picklist: 'PicklistAttributeMetadata',
  State: 'StateAttributeMetadata',
  Status: 'StatusAttributeMetadata',
  Lookup: 'LookupAttributeMetadata',
  Customer: 'LookupAttributeMetadata',
  Owner: 'LookupAttributeMetadata',
  Uniqueidentifier: 'UniqueIdentifierAttributeMetadata',
};

function schemaName(name: string): string {
  return name.replace(/(^|_)([a-z])/g, (_m, p: string, c: string) => `${p}${c.toUpperCase()}`);
}

function option(entity: EntityDef, attribute: AttributeDef, o: OptionDef): Record<string, unknown> {
  const id = `${entity.logicalName}.${attribute.logicalName}.${o.value}`;
  return {
    Value: o.value,
    Label: label(o.label, id),
    Description: { LocalizedLabels: [], UserLocalizedLabel: null },
    Color: null,
    IsManaged: !attribute.custom,
    MetadataId: null,
    HasChanged: null,
    ...(o.state !== undefined ? { State: o.state } : {}),
    ...(o.defaultStatus !== undefined ? { DefaultStatus: o.defaultStatus } : {}),
  };
}

function optionSetType(attribute: AttributeDef): string {
  return attribute.type === 'State' ? 'State' : attribute.type === 'Status' ? 'Status' : 'Picklist';
}

function attributeMetadata(
  entity: EntityDef,
  attribute: AttributeDef,
  withOptions: boolean,
): Record<string, unknown> {
  const type = METADATA_TYPE[attribute.type] ?? 'AttributeMetadata';
  const id = `${entity.logicalName}.${attribute.logicalName}`;
  return {
    '@odata.type': `#Microsoft.Dynamics.CRM.${type}`,
    LogicalName: attribute.logicalName,
    SchemaName: schemaName(attribute.logicalName),
    EntityLogicalName: entity.logicalName,
    MetadataId: stableGuid(`attribute:${id}`),
    AttributeType: attribute.type,
    AttributeTypeName: {
      Value: `${attribute.type === 'Uniqueidentifier' ? 'Uniqueidentifier' : attribute.type}Type`,
    },
    DisplayName: label(attribute.label, id),
    RequiredLevel: {
      Value: attribute.requiredLevel,
      CanBeChanged: !attribute.custom,
      ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
    },
    IsCustomAttribute: attribute.custom === true,
    IsValidForCreate: attribute.validForCreate,
    IsValidForUpdate: attribute.validForUpdate,
    IsValidForRead: true,
    ...(attribute.maxLength !== undefined ? { MaxLength: attribute.maxLength } : {}),
    ...(attribute.targets ? { Targets: attribute.targets } : {}),
    ...(attribute.type === 'DateTime'
      ? { DateTimeBehavior: { Value: attribute.dateOnly ? 'DateOnly' : 'UserLocal' } }
      : {}),
    ...(withOptions && attribute.options
      ? {
          OptionSet: {
            Options: attribute.options.map((o) => option(entity, attribute, o)),
            Name: `${entity.logicalName}_${attribute.logicalName}`,
            OptionSetType: optionSetType(attribute),
            IsGlobal: false,
            IsCustomOptionSet: attribute.custom === true,
            MetadataId: stableGuid(`optionset:${id}`),
          },
        }
      : {}),
  };
}

function entityMetadata(entity: EntityDef): Record<string, unknown> {
  return {
    MetadataId: stableGuid(`entity:${entity.logicalName}`),
    LogicalName: entity.logicalName,
    SchemaName: schemaName(entity.logicalName),
    EntitySetName: entity.entitySetName,
    PrimaryIdAttribute: entity.primaryId,
    PrimaryNameAttribute: entity.primaryName,
    ChangeTrackingEnabled: entity.changeTracking,
    IsCustomEntity: false,
    DisplayName: label(entity.displayName, entity.logicalName),
  };
}

function keyMetadata(entity: EntityDef): Record<string, unknown>[] {
  return entity.keys.map((k) => ({
    MetadataId: stableGuid(`key:${entity.logicalName}.${k.logicalName}`),
    LogicalName: k.logicalName,
    SchemaName: schemaName(k.logicalName),
    EntityLogicalName: entity.logicalName,
    KeyAttributes: k.attributes,
    EntityKeyIndexStatus: 'Active',
    DisplayName: label(k.logicalName, k.logicalName),
  }));
}

/** `$select` on a metadata answer keeps MetadataId, as Dataverse always returns it. */
function selected(ctx: DvContext, row: Record<string, unknown>): Record<string, unknown> {
  const select = ctx.req.query.get('$select');
  if (select === null) return row;
  const names = new Set([
    ...select.split(',').map((s) => s.trim()),
    'MetadataId',
    '@odata.type',
    'OptionSet',
  ]);
  return Object.fromEntries(Object.entries(row).filter(([k]) => names.has(k)));
}

/** The two `$filter` forms the docs show for attributes; anything else is refused, not ignored. */
function attributeFilter(text: string | null): (a: AttributeDef) => boolean {
  if (text === null) return () => true;
  const byType = /^AttributeType eq Microsoft\.Dynamics\.CRM\.AttributeTypeCode'(\w+)'$/.exec(text.trim());
  if (byType) return (a) => a.type === byType[1];
  const custom = /^IsCustomAttribute eq (true|false)$/.exec(text.trim());
  if (custom) return (a) => (a.custom === true) === (custom[1] === 'true');
  const required = /^RequiredLevel\/Value eq Microsoft\.Dynamics\.CRM\.AttributeRequiredLevel'(\w+)'$/.exec(
    text.trim(),
  );
  if (required) return (a) => a.requiredLevel === required[1];
  throw badRequest(
    `The sandbox supports only AttributeType, IsCustomAttribute and RequiredLevel/Value filters on attributes; got '${text}'.`,
  );
}

function logicalNameKey(segment: string, kind: string): string {
  const m = /^\w+\((?:LogicalName=)?'([^']+)'\)$/.exec(segment);
  if (!m) throw badRequest(`Address one ${kind} as ${kind}(LogicalName='<name>'); got '${segment}'.`);
  return m[1];
}

/** `segments` are the decoded path segments after the service root, starting at EntityDefinitions. */
export function metadataRequest(ctx: DvContext, segments: string[]): WebApiResponse {
  if (ctx.req.method !== 'GET') throw methodNotAllowed('Metadata is read-only in this sandbox.');
  const root = ctx.root;
  if (segments.length === 1 && segments[0] === 'EntityDefinitions') {
    return json(200, {
      '@odata.context': `${root}$metadata#EntityDefinitions`,
      value: ENTITIES.map((e) => selected(ctx, entityMetadata(e))),
    });
  }
  const entity = entityByLogicalName(logicalNameKey(segments[0], 'EntityDefinitions'));
  if (!entity)
    throw new DvError(
      404,
      DV_CODES.objectDoesNotExist,
      `Could not find an entity with LogicalName = ${logicalNameKey(segments[0], 'EntityDefinitions')}.`,
    );
  if (segments.length === 1)
    return json(200, {
      '@odata.context': `${root}$metadata#EntityDefinitions/$entity`,
      ...selected(ctx, entityMetadata(entity)),
    });
  if (segments[1] === 'Keys' && segments.length === 2)
    return json(200, {
      '@odata.context': `${root}$metadata#EntityDefinitions('${entity.logicalName}')/Keys`,
      value: keyMetadata(entity),
    });
  if (segments[1] === 'Attributes' && segments.length === 2) {
    const keep = attributeFilter(ctx.req.query.get('$filter'));
    return json(200, {
      '@odata.context': `${root}$metadata#EntityDefinitions('${entity.logicalName}')/Attributes`,
      value: entity.attributes.filter(keep).map((a) => selected(ctx, attributeMetadata(entity, a, false))),
    });
  }
  if (segments[1]?.startsWith('Attributes(') && segments.length <= 3) {
    const name = logicalNameKey(segments[1], 'Attributes');
    const attribute = entity.attributes.find((a) => a.logicalName === name);
    if (!attribute)
      throw new DvError(
        404,
        DV_CODES.objectDoesNotExist,
        `Could not find attribute ${name} on ${entity.logicalName}.`,
      );
    const cast = segments[2];
    const type = METADATA_TYPE[attribute.type];
    if (cast !== undefined && cast !== `Microsoft.Dynamics.CRM.${type}`)
      throw badRequest(
        `The attribute ${name} is not a ${cast.replace('Microsoft.Dynamics.CRM.', '')}; it is a ${type}.`,
      );
    const withOptions = (ctx.req.query.get('$expand') ?? '').includes('OptionSet');
    return json(200, {
      '@odata.context': `${root}$metadata#EntityDefinitions('${entity.logicalName}')/Attributes/$entity`,
      ...selected(ctx, attributeMetadata(entity, attribute, withOptions)),
    });
  }
  throw unknownResource(segments.join('/'));
}
