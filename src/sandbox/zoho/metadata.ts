// Settings APIs (docs/vendors/zoho.md "Field metadata", "Pipelines", "Contact roles"): the fields of a
// module (custom ones marked `custom_field: true`), its one layout, the Deals pipelines with their
// stages' forecast data, and the contact role definitions. Metadata ids are stable per org.
import crypto from 'node:crypto';
import { type FastifyInstance } from 'fastify';
import { type ModuleName } from './constants';
import { invalidData, requiredParam } from './errors';
import { MODULE_FIELDS, PIPELINES, STAGES, type FieldDef } from './fields';
import { apiRoute } from './http';
import { moduleOf } from './modules';
import { type ZohoServer } from './state';
import { type OrgStore } from './store';

/** A stable metadata id in the org's id space for a name (a field, a layout, a stage). */
export function metaId(store: OrgStore, key: string): string {
  const n = crypto.createHash('sha256').update(key).digest().readUIntBE(0, 6) % 1_000_000_000;
  return `${store.idPrefix}${String(n).padStart(12, '0')}`;
}

const JSON_TYPES: Record<FieldDef['data_type'], string> = {
  text: 'string',
  email: 'string',
  phone: 'string',
  textarea: 'string',
  picklist: 'string',
  lookup: 'jsonobject',
  ownerlookup: 'jsonobject',
  date: 'string',
  datetime: 'string',
  currency: 'double',
  integer: 'integer',
  boolean: 'boolean',
  bigint: 'string',
};

function renderField(store: OrgStore, module: ModuleName, f: FieldDef): Record<string, unknown> {
  return {
    id: metaId(store, `field:${module}:${f.api_name}`),
    api_name: f.api_name,
    field_label: f.label,
    display_label: f.label,
    data_type: f.data_type,
    json_type: JSON_TYPES[f.data_type],
    custom_field: f.custom,
    system_mandatory: f.mandatory ?? false,
    read_only: f.readOnly ?? false,
    field_read_only: f.readOnly ?? false,
    visible: true,
    length: f.length ?? null,
    unique: f.unique ? { casesensitive: 'false' } : {},
    pick_list_values: (f.picklist ?? []).map((p, i) => ({
      display_value: p.display_value,
      actual_value: p.actual_value,
      id: metaId(store, `pick:${module}:${f.api_name}:${p.actual_value}`),
      sequence_number: i + 1,
      type: 'used',
      ...(p.forecast_type
        ? {
            probability: p.probability,
            forecast_type: p.forecast_type,
            forecast_category: {
              name: p.forecast_category?.name,
              id: metaId(store, `forecast:${p.forecast_category?.name}`),
            },
          }
        : {}),
    })),
    lookup: f.lookup ? { module: { api_name: f.lookup, id: metaId(store, `module:${f.lookup}`) } } : {},
  };
}

export function layoutId(store: OrgStore, module: ModuleName): string {
  return metaId(store, `layout:${module}:Standard`);
}

function stageMap(store: OrgStore, name: string, sequence: number): Record<string, unknown> {
  const stage = STAGES.find((s) => s.actual_value === name)!;
  return {
    display_value: stage.display_value,
    sequence_number: sequence,
    forecast_category: {
      name: stage.forecast_category?.name,
      id: metaId(store, `forecast:${stage.forecast_category?.name}`),
    },
    actual_value: stage.actual_value,
    id: metaId(store, `pick:Deals:Stage:${stage.actual_value}`),
    forecast_type: stage.forecast_type,
  };
}

function moduleParam(raw: string | undefined): ModuleName {
  if (raw === undefined || raw === '') throw requiredParam('module');
  try {
    return moduleOf(raw);
  } catch {
    throw invalidData('the module name given seems to be invalid', { param_name: 'module' });
  }
}

export function registerMetadataRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'GET', path: '/settings/fields' }, (ctx) => {
    const module = moduleParam(ctx.query.module);
    const store = ctx.org.state.store;
    return { body: { fields: MODULE_FIELDS[module].map((f) => renderField(store, module, f)) } };
  });

  apiRoute(app, server, { method: 'GET', path: '/settings/layouts' }, (ctx) => {
    const module = moduleParam(ctx.query.module);
    const store = ctx.org.state.store;
    return {
      body: {
        layouts: [
          {
            id: layoutId(store, module),
            name: 'Standard',
            api_name: 'Standard',
            status: 'active',
            visible: true,
            sections: [
              {
                api_name: `${module.slice(0, -1)} Information`,
                display_label: `${module.slice(0, -1)} Information`,
                sequence_number: 1,
                fields: MODULE_FIELDS[module].map((f) => renderField(store, module, f)),
              },
            ],
          },
        ],
      },
    };
  });

  apiRoute(app, server, { method: 'GET', path: '/settings/pipeline' }, (ctx) => {
    const store = ctx.org.state.store;
    const layout = ctx.query.layout_id;
    if (layout === undefined || layout === '') throw requiredParam('layout_id');
    if (layout !== layoutId(store, 'Deals'))
      throw invalidData('the layout id given seems to be invalid', { param_name: 'layout_id' });
    return {
      body: {
        pipeline: PIPELINES.map((p) => ({
          display_value: p.name,
          default: p.default,
          maps: p.stages.map((s, i) => stageMap(store, s, i + 1)),
          actual_value: p.name,
          id: metaId(store, `pipeline:${p.name}`),
        })),
      },
    };
  });

  apiRoute(app, server, { method: 'GET', path: '/settings/contact_roles' }, (ctx) => ({
    body: { contact_roles: ctx.org.state.store.roleDefs.map((r) => ({ ...r })) },
  }));
}
