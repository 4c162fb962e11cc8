// Properties API (docs/vendors/hubspot.md "Properties"): read the portal's definitions, and create a custom property (a unique-value one
// included, which then works as an `idProperty`).
import { type FastifyInstance } from 'fastify';
import { HsError, notFound, validationError } from './errors';
import { apiRoute, objectType } from './http';
import { type FieldType, type PropertyDef, type PropertyType } from './schema';
import { type HubSpotServer } from './state';

const TYPES = new Set<PropertyType>([
  'bool',
  'date',
  'datetime',
  'enumeration',
  'number',
  'phone_number',
  'string',
]);
const FIELD_TYPES = new Set<FieldType>([
  'booleancheckbox',
  'calculation_equation',
  'checkbox',
  'date',
  'file',
  'html',
  'number',
  'phonenumber',
  'radio',
  'select',
  'text',
  'textarea',
]);
/** Internal names: lowercase letters, digits and underscores, starting with a letter. */
const NAME_RE = /^[a-z][a-z0-9_]*$/;

/** The wire shape of a definition (the spec's `Property`). */
export function renderProperty(d: PropertyDef): Record<string, unknown> {
  return {
    name: d.name,
    label: d.label,
    type: d.type,
    fieldType: d.fieldType,
    description: d.description,
    groupName: d.groupName,
    options: d.options,
    displayOrder: d.displayOrder,
    calculated: d.calculated,
    externalOptions: false,
    hasUniqueValue: d.hasUniqueValue,
    hidden: false,
    hubspotDefined: d.hubspotDefined,
    formField: d.formField,
    archived: false,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    dataSensitivity: 'non_sensitive',
    ...(d.textDisplayHint ? { textDisplayHint: d.textDisplayHint } : {}),
    ...(d.numberDisplayHint ? { numberDisplayHint: d.numberDisplayHint } : {}),
    modificationMetadata: {
      archivable: !d.hubspotDefined,
      readOnlyDefinition: d.hubspotDefined,
      readOnlyValue: d.readOnlyValue,
    },
  };
}

interface PropertyCreate {
  name?: string;
  label?: string;
  type?: PropertyType;
  fieldType?: FieldType;
  groupName?: string;
  description?: string;
  hasUniqueValue?: boolean;
  options?: { label?: string; value?: string; displayOrder?: number; hidden?: boolean }[];
  displayOrder?: number;
  formField?: boolean;
}

export function registerPropertyRoutes(app: FastifyInstance, server: HubSpotServer): void {
  apiRoute(app, server, 'GET', '/crm/v3/properties/:objectType', ({ org, request }) => {
    const type = objectType((request.params as { objectType: string }).objectType);
    return { results: [...org.state.store.properties[type].values()].map(renderProperty) };
  });

  apiRoute(app, server, 'GET', '/crm/v3/properties/:objectType/:name', ({ org, request }) => {
    const p = request.params as { objectType: string; name: string };
    const def = org.state.store.properties[objectType(p.objectType)].get(p.name);
    if (!def) throw notFound(`Unable to find property ${p.name}`);
    return renderProperty(def);
  });

  apiRoute(app, server, 'POST', '/crm/v3/properties/:objectType', ({ org, request, reply }) => {
    const type = objectType((request.params as { objectType: string }).objectType);
    const body = (request.body ?? {}) as PropertyCreate;
    const defs = org.state.store.properties[type];
    const missing = (['name', 'label', 'type', 'fieldType', 'groupName'] as const).filter((k) => !body[k]);
    if (missing.length > 0) throw validationError(`Missing required fields: ${missing.join(', ')}.`);
    const name = body.name as string;
    if (!NAME_RE.test(name))
      throw validationError(`Property name ${name} must be lowercase letters, digits and underscores.`);
    if (!TYPES.has(body.type as PropertyType))
      throw validationError(`Unknown property type ${String(body.type)}.`);
    if (!FIELD_TYPES.has(body.fieldType as FieldType))
      throw validationError(`Unknown fieldType ${String(body.fieldType)}.`);
    if (defs.has(name))
      throw new HsError(409, 'OBJECT_ALREADY_EXISTS', `Property named '${name}' already exists.`);
    const at = new Date(org.now()).toISOString();
    const def: PropertyDef = {
      name,
      label: body.label as string,
      type: body.type as PropertyType,
      fieldType: body.fieldType as FieldType,
      groupName: body.groupName as string,
      description: body.description ?? '',
      options: (body.options ?? []).map((o, i) => ({
        label: String(o.label ?? o.value ?? ''),
        value: String(o.value ?? ''),
        displayOrder: o.displayOrder ?? i,
        hidden: o.hidden ?? false,
      })),
      displayOrder: body.displayOrder ?? -1,
      hasUniqueValue: body.hasUniqueValue === true,
      hubspotDefined: false,
      readOnlyValue: false,
      calculated: false,
      formField: body.formField ?? false,
      createdAt: at,
      updatedAt: at,
    };
    defs.set(name, def);
    reply.code(201);
    return renderProperty(def);
  });
}
