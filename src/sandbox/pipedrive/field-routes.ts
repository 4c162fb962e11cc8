// Field metadata (docs/vendors/pipedrive.md "Custom fields"): v1 `personFields` / `dealFields`
// (offset paging under `additional_data.pagination`) and v2 `personFields` / `dealFields` (cursor;
// `field_code` is the key a record's `custom_fields` use).
import { type FastifyInstance } from 'fastify';
import { notFound } from './errors';
import { type FieldDef, type PdObject } from './fields';
import { apiRoute, type CallContext } from './http';
import { v1Page } from './v1-paging';
import { pageOf, parseLimit } from './paging';
import { rfc3339, v1Time } from './render';
import { type PipedriveServer } from './state';

const PATHS: Record<PdObject, string> = { person: '/personFields', deal: '/dealFields' };
/** Fields are as old as the company in the sandbox. */
const FIELD_TIME = Date.UTC(2024, 0, 1);

function v1Field(field: FieldDef, order: number): Record<string, unknown> {
  return {
    id: field.id,
    key: field.key,
    name: field.name,
    order_nr: order,
    field_type: field.type,
    add_time: v1Time(FIELD_TIME),
    update_time: v1Time(FIELD_TIME),
    active_flag: true,
    edit_flag: field.custom,
    bulk_edit_allowed: true,
    mandatory_flag: field.mandatory,
    options: field.options,
  };
}

function v2Field(field: FieldDef): Record<string, unknown> {
  return {
    field_name: field.name,
    field_code: field.key,
    field_type: field.type,
    is_custom_field: field.custom,
    is_optional_response_field: false,
    options:
      field.options?.map((o) => ({
        ...o,
        color: null,
        add_time: rfc3339(FIELD_TIME),
        update_time: rfc3339(FIELD_TIME),
      })) ?? null,
    subfields:
      field.type === 'monetary'
        ? [{ field_code: 'currency', field_name: 'Currency', field_type: 'varchar' }]
        : null,
  };
}

function fieldsOf(ctx: CallContext, object: PdObject): FieldDef[] {
  return ctx.org.state.store.fields[object];
}

export function registerFieldRoutes(app: FastifyInstance, server: PipedriveServer): void {
  for (const object of ['person', 'deal'] as const) {
    const path = PATHS[object];
    apiRoute(app, server, { method: 'GET', path, version: 'v1', kind: 'list' }, (ctx) => {
      const fields = fieldsOf(ctx, object).map((f, i) => v1Field(f, i + 1));
      return v1Page(fields, ctx.query);
    });
    apiRoute(app, server, { method: 'GET', path, version: 'v2', kind: 'list' }, (ctx) => {
      const fields = fieldsOf(ctx, object);
      const { page, nextCursor } = pageOf(
        fields,
        (f) => f.id,
        'asc',
        parseLimit(ctx.query.limit),
        `${object}Fields`,
        ctx.query.cursor,
      );
      return { data: page.map(v2Field), additional_data: { next_cursor: nextCursor } };
    });
    apiRoute(app, server, { method: 'GET', path: `${path}/:code`, version: 'v2', kind: 'get' }, (ctx) => {
      const field = fieldsOf(ctx, object).find((f) => f.key === ctx.params.code);
      if (!field) throw notFound('Field');
      return { data: v2Field(field) };
    });
  }
}
