// Parsing the system query options of a collection or row request (docs/vendors/dynamics.md
// "Querying"): $select, $expand, $orderby, $top, $count, checked against the table's columns so a
// typo is the documented 400 rather than an empty column.
import { badRequest, unknownProperty } from './errors';
import { parseFilter, type FilterNode } from './odata-filter';
import { allProperties, type ExpandItem } from './render';
import {
  attributeOf,
  entityByLogicalName,
  lookupFromValueProperty,
  isLookup,
  type EntityDef,
} from './schema';

export interface OrderTerm {
  property: string;
  descending: boolean;
}

export interface QueryOptions {
  select?: string[];
  filter?: FilterNode;
  orderBy: OrderTerm[];
  top?: number;
  count: boolean;
  expand: ExpandItem[];
  skipToken?: string;
  deltaToken?: string;
  /** Options present in the URL, for the change-tracking refusals. */
  present: Set<string>;
}

const KNOWN = new Set([
  '$select',
  '$filter',
  '$orderby',
  '$top',
  '$count',
  '$expand',
  '$skiptoken',
  '$deltatoken',
]);

export function checkProperty(entity: EntityDef, name: string): string {
  if (lookupFromValueProperty(entity, name)) return name;
  const attribute = attributeOf(entity, name);
  if (!attribute || isLookup(attribute)) throw unknownProperty(entity.logicalName, name);
  return name;
}

export function parseSelect(entity: EntityDef, text: string | null): string[] | undefined {
  if (text === null) return undefined;
  const names = text.split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) throw badRequest(`Syntax error in $select: '${text}'.`);
  if (names.includes('*')) return allProperties(entity);
  return names.map((n) => checkProperty(entity, n));
}

/** `nav($select=a,b)` items, split on the commas outside parentheses. */
function splitTop(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  out.push(current.trim());
  return out;
}

export function parseExpand(entity: EntityDef, text: string | null): ExpandItem[] {
  if (text === null) return [];
  return splitTop(text).map((item) => {
    const m = /^([A-Za-z0-9_]+)(?:\((.*)\))?$/.exec(item);
    if (!m) throw badRequest(`Syntax error in $expand: '${item}'.`);
    const navigation = m[1];
    const single = entity.navigation[navigation];
    const many = entity.collections[navigation];
    if (!single && !many) throw unknownProperty(entity.logicalName, navigation);
    const target = entityByLogicalName(single ? single.target : many!.entity)!;
    let select: string[] | undefined;
    for (const option of (m[2] ?? '').split(';').filter(Boolean)) {
      const [name, value] = option.split('=');
      if (name?.trim() !== '$select' || value === undefined)
        throw badRequest(`Query option '${String(name)}' is not supported inside $expand in this sandbox.`);
      select = parseSelect(target, value);
    }
    return { navigation, select };
  });
}

export function parseOrderBy(entity: EntityDef, text: string | null): OrderTerm[] {
  if (text === null) return [];
  return text.split(',').map((term) => {
    const [property, direction, extra] = term.trim().split(/\s+/);
    if (!property || extra !== undefined || (direction && !['asc', 'desc'].includes(direction)))
      throw badRequest(`Syntax error in $orderby: '${text}'.`);
    return { property: checkProperty(entity, property), descending: direction === 'desc' };
  });
}

function parseTop(text: string | null): number | undefined {
  if (text === null) return undefined;
  if (!/^\d{1,10}$/.test(text))
    throw badRequest(
      `Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  return Number(text);
}

function parseCount(text: string | null): boolean {
  if (text === null || text === 'false') return false;
  if (text === 'true') return true;
  throw badRequest(`'${text}' is not a valid count option.`);
}

export function parseQueryOptions(entity: EntityDef, query: URLSearchParams): QueryOptions {
  const present = new Set<string>();
  for (const key of query.keys()) {
    if (key.startsWith('$') && !KNOWN.has(key))
      throw badRequest(`The query parameter ${key} is not supported`);
    if (present.has(key))
      throw badRequest(
        `Query option '${key}' was specified more than once, but it must be specified at most once.`,
      );
    present.add(key);
  }
  const filterText = query.get('$filter');
  return {
    select: parseSelect(entity, query.get('$select')),
    filter: filterText === null ? undefined : parseFilter(filterText, entity),
    orderBy: parseOrderBy(entity, query.get('$orderby')),
    top: parseTop(query.get('$top')),
    count: parseCount(query.get('$count')),
    expand: parseExpand(entity, query.get('$expand')),
    skipToken: query.get('$skiptoken') ?? undefined,
    deltaToken: query.get('$deltatoken') ?? undefined,
    present,
  };
}
