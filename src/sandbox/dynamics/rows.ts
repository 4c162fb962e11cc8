// One row: retrieve, create, update, upsert, delete, and single-column reads and writes
// (docs/vendors/dynamics.md "Creating and updating rows", "Upsert", "Conditional requests").
import crypto from 'node:crypto';
import { addReciprocal, checkConnectionSides, isConnectionTable, removeReciprocal } from './connections';
import { writeContext, type DvContext } from './context';
import { badRequest, DV_CODES, DvError, methodNotAllowed, notFound } from './errors';
import { keyText, type RowKey } from './keys';
import { parseExpand, parseSelect } from './query-options';
import { renderRecord } from './render';
import { attributeOf, isLookup, type EntityDef } from './schema';
import { applyStateRules } from './states';
import { etagOf, type DvRecord } from './store';
import { annotationsApplied, json, noContent, type WebApiResponse } from './webapi-types';
import { bodyToValues } from './write-values';

export function findRow(ctx: DvContext, entity: EntityDef, key: RowKey): DvRecord | undefined {
  return key.kind === 'id'
    ? ctx.store.get(entity.logicalName, key.id)
    : ctx.store.findByKey(entity.logicalName, key.values);
}

function missing(entity: EntityDef, key: RowKey): DvError {
  if (key.kind === 'id') return notFound(entity.logicalName, key.id);
  return new DvError(
    404,
    DV_CODES.objectDoesNotExist,
    `A record with the specified key values does not exist in ${entity.logicalName} entity`,
  );
}

export function entityId(ctx: DvContext, entity: EntityDef, id: string): string {
  return `${ctx.root}${entity.entitySetName}(${id})`;
}

function contextUrl(ctx: DvContext, entity: EntityDef, select: string[] | undefined): string {
  const columns = select ? `(${select.join(',')})` : '';
  return `${ctx.root}$metadata#${entity.entitySetName}${columns}/$entity`;
}

/** The body of a row answer (retrieve, or a write with `return=representation`). */
function representation(ctx: DvContext, entity: EntityDef, record: DvRecord): Record<string, unknown> {
  const select = parseSelect(entity, ctx.req.query.get('$select'));
  const expand = ctx.req.method === 'GET' ? parseExpand(entity, ctx.req.query.get('$expand')) : [];
  return {
    '@odata.context': contextUrl(ctx, entity, select),
    ...renderRecord(entity, record, ctx.store, { select, expand, prefs: ctx.prefs }, ctx.req.origin),
  };
}

function representationHeaders(ctx: DvContext, record: DvRecord): Record<string, string> {
  const applied = ['return=representation', annotationsApplied(ctx.prefs)].filter(Boolean).join(',');
  return { 'preference-applied': applied, etag: etagOf(record) };
}

export function retrieveRow(ctx: DvContext, entity: EntityDef, key: RowKey): WebApiResponse {
  const record = findRow(ctx, entity, key);
  if (!record) throw missing(entity, key);
  const body = representation(ctx, entity, record);
  // A conditional GET never answers 304 with $expand or annotations ("Conditional requests").
  const conditional = !ctx.req.query.has('$expand') && ctx.prefs.annotations.length === 0;
  if (conditional && ctx.req.headers['if-none-match'] === etagOf(record))
    return { status: 304, headers: { etag: etagOf(record) } };
  const applied = annotationsApplied(ctx.prefs);
  return json(200, body, { etag: etagOf(record), ...(applied ? { 'preference-applied': applied } : {}) });
}

/** Rows other than `self` that already hold the alternate-key values `values` would give them. */
function checkKeysUnique(
  ctx: DvContext,
  entity: EntityDef,
  values: Record<string, unknown>,
  self?: DvRecord,
): void {
  for (const key of entity.keys) {
    const merged = { ...(self?.values ?? {}), ...values };
    if (!key.attributes.some((a) => a in values)) continue;
    const keyValues = Object.fromEntries(key.attributes.map((a) => [a, merged[a]]));
    if (Object.values(keyValues).some((v) => v === null || v === undefined)) continue;
    const other = ctx.store.findByKey(entity.logicalName, keyValues);
    if (other && other.id !== self?.id)
      throw new DvError(
        412,
        DV_CODES.duplicateRecord,
        `A record that has the attribute values ${Object.values(keyValues).map(String).join(', ')} already exists. The entity key ${key.logicalName} requires that this set of attributes contains unique values. Select unique values and try again.`,
      );
  }
}

function refuseReadOnlyTable(entity: EntityDef): void {
  if (entity.readOnly)
    throw new DvError(
      403,
      DV_CODES.privilegeDenied,
      `The ${entity.logicalName} table cannot be changed through this sandbox's Web API.`,
    );
}

function insertRow(
  ctx: DvContext,
  entity: EntityDef,
  values: Record<string, unknown>,
  id?: string,
): DvRecord {
  refuseReadOnlyTable(entity);
  const rowId = (id ?? (values[entity.primaryId] as string | undefined) ?? crypto.randomUUID()).toLowerCase();
  if (ctx.store.get(entity.logicalName, rowId))
    throw new DvError(412, DV_CODES.duplicateRecord, 'Cannot insert duplicate key.');
  applyStateRules(entity, values, undefined, {
    closedReadOnly: ctx.org.state.settings.closedOpportunitiesReadOnly,
  });
  checkKeysUnique(ctx, entity, values);
  if (isConnectionTable(entity)) checkConnectionSides(values);
  const owned =
    attributeOf(entity, 'ownerid') && values.ownerid === undefined
      ? { ownerid: { id: ctx.userId, entity: 'systemuser' } }
      : {};
  const record = ctx.store.insert(entity.logicalName, rowId, { ...owned, ...values }, writeContext(ctx));
  if (!isConnectionTable(entity)) return record;
  addReciprocal(ctx.store, record, writeContext(ctx));
  return ctx.store.get(entity.logicalName, rowId) ?? record;
}

export function updateRow(
  ctx: DvContext,
  entity: EntityDef,
  record: DvRecord,
  values: Record<string, unknown>,
  viaAction = false,
): DvRecord {
  refuseReadOnlyTable(entity);
  delete values[entity.primaryId];
  applyStateRules(entity, values, record, {
    viaAction,
    closedReadOnly: ctx.org.state.settings.closedOpportunitiesReadOnly,
  });
  checkKeysUnique(ctx, entity, values, record);
  return ctx.store.update(entity.logicalName, record.id, values, writeContext(ctx));
}

function written(ctx: DvContext, entity: EntityDef, record: DvRecord, created: boolean): WebApiResponse {
  if (ctx.prefs.returnRepresentation)
    return json(created ? 201 : 200, representation(ctx, entity, record), representationHeaders(ctx, record));
  return noContent({ 'odata-entityid': entityId(ctx, entity, record.id) });
}

export function createRow(ctx: DvContext, entity: EntityDef): WebApiResponse {
  const values = bodyToValues(entity, ctx.req.body, ctx.store, 'create');
  return written(ctx, entity, insertRow(ctx, entity, values), true);
}

/** PATCH of a row URL: update, or upsert unless `If-Match` forbids creating (docs "Upsert"). */
export function patchRow(ctx: DvContext, entity: EntityDef, key: RowKey): WebApiResponse {
  const ifMatch = ctx.req.headers['if-match'];
  const ifNoneMatch = ctx.req.headers['if-none-match'];
  const existing = findRow(ctx, entity, key);
  const values = bodyToValues(entity, ctx.req.body, ctx.store, existing ? 'update' : 'create');
  if (ifNoneMatch === '*' && existing)
    throw new DvError(412, DV_CODES.duplicateRecord, 'A record with matching key values already exists.');
  if (ifMatch !== undefined && !existing) throw missing(entity, key);
  if (existing) {
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(existing))
      throw new DvError(
        412,
        DV_CODES.concurrencyVersionMismatch,
        "The version of the existing record doesn't match the RowVersion property provided.",
      );
    // Key values in the body are dropped on update: a key cannot change through itself.
    if (key.kind === 'alternate') for (const name of Object.keys(key.values)) delete values[name];
    return written(ctx, entity, updateRow(ctx, entity, existing, values), false);
  }
  if (key.kind === 'alternate') {
    for (const [name, value] of Object.entries(key.values)) if (!(name in values)) values[name] = value;
    return written(ctx, entity, insertRow(ctx, entity, values), true);
  }
  return written(ctx, entity, insertRow(ctx, entity, values, key.id), true);
}

export function deleteRow(ctx: DvContext, entity: EntityDef, key: RowKey): WebApiResponse {
  refuseReadOnlyTable(entity);
  const record = findRow(ctx, entity, key);
  if (!record) throw missing(entity, key);
  const ifMatch = ctx.req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== etagOf(record))
    throw new DvError(
      412,
      DV_CODES.concurrencyVersionMismatch,
      "The version of the existing record doesn't match the RowVersion property provided.",
    );
  if (isConnectionTable(entity)) removeReciprocal(ctx.store, record, writeContext(ctx));
  ctx.store.remove(entity.logicalName, record.id, writeContext(ctx));
  return noContent();
}

/** `GET|PUT|DELETE /contacts(<id>)/<column>`: one column's value. */
export function columnRequest(
  ctx: DvContext,
  entity: EntityDef,
  key: RowKey,
  column: string,
): WebApiResponse {
  const record = findRow(ctx, entity, key);
  if (!record) throw missing(entity, key);
  const attribute = attributeOf(entity, column);
  if (!attribute || isLookup(attribute))
    throw badRequest(
      `Could not find a property named '${column}' on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'.`,
    );
  if (ctx.req.method === 'GET') {
    return json(200, {
      '@odata.context': `${ctx.root}$metadata#${entity.entitySetName}(${keyText(key)})/${column}`,
      value: record.values[column] ?? null,
    });
  }
  if (ctx.req.method !== 'PUT' && ctx.req.method !== 'DELETE')
    throw methodNotAllowed(`The HTTP method '${ctx.req.method}' is not allowed on a property.`);
  const body =
    ctx.req.method === 'PUT'
      ? { [column]: (ctx.req.body as { value?: unknown } | null)?.value ?? null }
      : { [column]: null };
  updateRow(ctx, entity, record, bodyToValues(entity, body, ctx.store, 'update'));
  return noContent();
}
