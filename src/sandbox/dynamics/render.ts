// A row as the Web API returns it (docs/vendors/dynamics.md "Rows", "Formatted values"): `@odata.etag`,
// the selected columns (the primary key always), lookups as `_<name>_value` with their annotations
// when asked for, and formatted values of choices, money and dates.
import {
  attributeOf,
  entityByLogicalName,
  isLookup,
  lookupFromValueProperty,
  type AttributeDef,
  type EntityDef,
} from './schema';
import { etagOf, isLookupValue, type DvRecord, type DvStore } from './store';
import { wantsAnnotation, type Preferences } from './webapi-types';

const FORMATTED = 'OData.Community.Display.V1.FormattedValue';
const LOOKUP_LOGICAL_NAME = 'Microsoft.Dynamics.CRM.lookuplogicalname';
const NAVIGATION = 'Microsoft.Dynamics.CRM.associatednavigationproperty';

/** What to render: the selected properties (undefined = all) and the annotation preferences. */
export interface RenderOptions {
  select?: string[];
  prefs: Preferences;
  expand?: ExpandItem[];
}

export interface ExpandItem {
  navigation: string;
  select?: string[];
}

/** Property name of a column in a response: lookups answer as `_<name>_value`. */
export function propertyName(attribute: AttributeDef): string {
  return isLookup(attribute) ? `_${attribute.logicalName}_value` : attribute.logicalName;
}

/** Every readable column: what a row answers when no `$select` names its columns. */
export function allProperties(entity: EntityDef): string[] {
  return entity.attributes.filter((a) => !a.secret).map(propertyName);
}

/** The raw value of a column, with the system stamps the store keeps outside `values`. */
export function columnValue(record: DvRecord, attribute: AttributeDef): unknown {
  if (attribute.logicalName === 'createdon')
    return new Date(record.createdOn).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (attribute.logicalName === 'modifiedon')
    return new Date(record.modifiedOn).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (attribute.logicalName === 'versionnumber') return record.version;
  return record.values[attribute.logicalName] ?? null;
}

const MONTH_DAY_YEAR = (d: Date): string => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;

function formatTime(d: Date): string {
  const h = d.getUTCHours();
  const m = String(d.getUTCMinutes()).padStart(2, '0');
  return `${h % 12 === 0 ? 12 : h % 12}:${m} ${h < 12 ? 'AM' : 'PM'}`;
}

/** The org user's view of a value (en-US, UTC): choices by label, money with its symbol, dates. */
function formatted(
  attribute: AttributeDef,
  value: unknown,
  record: DvRecord,
  store: DvStore,
): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (attribute.options) return attribute.options.find((o) => o.value === value)?.label;
  if (attribute.type === 'Money' && typeof value === 'number') {
    const currency = record.values.transactioncurrencyid;
    const symbol = isLookupValue(currency)
      ? String(store.get('transactioncurrency', currency.id)?.values.currencysymbol ?? '$')
      : '$';
    const sign = value < 0 ? '-' : '';
    const digits = Math.abs(value).toLocaleString('en-US', {
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    return `${sign}${symbol}${digits}`;
  }
  if (attribute.type === 'DateTime' && typeof value === 'string') {
    const d = new Date(value);
    return attribute.dateOnly ? MONTH_DAY_YEAR(d) : `${MONTH_DAY_YEAR(d)} ${formatTime(d)}`;
  }
  if (attribute.type === 'Boolean') return value ? 'Yes' : 'No';
  if (isLookupValue(value)) {
    const target = entityByLogicalName(value.entity);
    const row = target ? store.get(target.logicalName, value.id) : undefined;
    return row && target ? String(row.values[target.primaryName] ?? '') : undefined;
  }
  if (typeof value === 'number') return value.toLocaleString('en-US');
  return undefined;
}

/** The navigation property a lookup value goes through (Customer lookups name the target table). */
function navigationFor(entity: EntityDef, attribute: AttributeDef, target: string): string | undefined {
  return Object.entries(entity.navigation).find(
    ([, nav]) => nav.attribute === attribute.logicalName && nav.target === target,
  )?.[0];
}

function attributeForProperty(entity: EntityDef, property: string): AttributeDef | undefined {
  return lookupFromValueProperty(entity, property) ?? attributeOf(entity, property);
}

export function renderRecord(
  entity: EntityDef,
  record: DvRecord,
  store: DvStore,
  options: RenderOptions,
  origin: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { '@odata.etag': etagOf(record) };
  const properties = options.select ?? allProperties(entity);
  const withPrimary = properties.includes(entity.primaryId) ? properties : [...properties, entity.primaryId];
  for (const property of withPrimary) {
    const attribute = attributeForProperty(entity, property);
    if (!attribute || attribute.secret) continue;
    const raw = columnValue(record, attribute);
    const value = isLookupValue(raw) ? raw.id : raw;
    const text = wantsAnnotation(options.prefs, FORMATTED)
      ? formatted(attribute, raw, record, store)
      : undefined;
    // Annotations precede their value, as in Microsoft's samples.
    if (text !== undefined) out[`${property}@${FORMATTED}`] = text;
    if (isLookupValue(raw)) {
      const nav = navigationFor(entity, attribute, raw.entity);
      if (nav && wantsAnnotation(options.prefs, NAVIGATION)) out[`${property}@${NAVIGATION}`] = nav;
      if (wantsAnnotation(options.prefs, LOOKUP_LOGICAL_NAME))
        out[`${property}@${LOOKUP_LOGICAL_NAME}`] = raw.entity;
    }
    out[property] = value;
  }
  for (const item of options.expand ?? [])
    out[item.navigation] = expanded(entity, record, store, item, options, origin);
  return out;
}

function expanded(
  entity: EntityDef,
  record: DvRecord,
  store: DvStore,
  item: ExpandItem,
  options: RenderOptions,
  origin: string,
): unknown {
  const inner: RenderOptions = { select: item.select, prefs: options.prefs };
  const single = entity.navigation[item.navigation];
  if (single) {
    const target = entityByLogicalName(single.target)!;
    const value = record.values[single.attribute];
    if (!isLookupValue(value) || value.entity !== single.target) return null;
    const row = store.get(target.logicalName, value.id);
    return row ? renderRecord(target, row, store, inner, origin) : null;
  }
  const many = entity.collections[item.navigation]!;
  const target = entityByLogicalName(many.entity)!;
  const rows: Record<string, unknown>[] = [];
  for (const row of store.table(target.logicalName).values()) {
    const link = row.values[many.attribute];
    if (isLookupValue(link) && link.id === record.id && link.entity === entity.logicalName)
      rows.push(renderRecord(target, row, store, inner, origin));
  }
  return rows;
}
