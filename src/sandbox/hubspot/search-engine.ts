// The CRM search engine (docs/vendors/hubspot.md "Search") as a pure function over indexed records: request validation with the
// documented limits, filter groups (OR of ANDs), one sort, `query`, offset paging and the 10,000 cap.
import { SEARCH } from './constants';
import { validationError } from './errors';
import { type PropertyDef } from './schema';
import { parseHsTime } from './validate';

export type Operator =
  | 'EQ'
  | 'NEQ'
  | 'LT'
  | 'LTE'
  | 'GT'
  | 'GTE'
  | 'BETWEEN'
  | 'IN'
  | 'NOT_IN'
  | 'HAS_PROPERTY'
  | 'NOT_HAS_PROPERTY'
  | 'CONTAINS_TOKEN'
  | 'NOT_CONTAINS_TOKEN';
const OPERATORS = new Set<string>([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

export interface SearchFilter {
  propertyName: string;
  operator: Operator;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchRequest {
  filterGroups?: { filters?: SearchFilter[] }[];
  /** Objects per the docs, strings (`"-createdate"`) per the OpenAPI spec: both accepted (docs/vendors/hubspot.md "Search"). */
  sorts?: ({ propertyName: string; direction?: 'ASCENDING' | 'DESCENDING' } | string)[];
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string | number;
}

export interface SearchDoc {
  id: string;
  createdAt: number;
  properties: Record<string, string>;
}

export interface SearchContext {
  defs: Map<string, PropertyDef>;
  /** Properties the free-text `query` looks in. */
  queryProperties: readonly string[];
  /** Ids of `objectType` associated with `doc` (for the `associations.<type>` pseudo-property). */
  associated(doc: SearchDoc, objectType: string): string[];
}

export interface SearchPage {
  total: number;
  ids: string[];
  /** Offset of the next page, absent on the last one. */
  nextAfter?: string;
}

/** Validates a raw request body; the error messages name the limit and the value that broke it. */
export function parseSearchRequest(body: unknown, rawLength: number): SearchRequest {
  if (rawLength > SEARCH.maxBodyChars) {
    throw validationError(
      `The request body is ${rawLength} characters long; the maximum is ${SEARCH.maxBodyChars}.`,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw validationError(
      'Invalid input JSON: expected an object with filterGroups, sorts, properties, limit and after.',
    );
  }
  const req = body as SearchRequest;
  const groups = req.filterGroups ?? [];
  if (!Array.isArray(groups)) throw validationError('filterGroups must be an array.');
  if (groups.length > SEARCH.maxFilterGroups) {
    throw validationError(
      `Too many filter groups: ${groups.length}; at most ${SEARCH.maxFilterGroups} are allowed.`,
    );
  }
  let total = 0;
  for (const g of groups) {
    const filters = g.filters ?? [];
    if (filters.length > SEARCH.maxFiltersPerGroup) {
      throw validationError(
        `Too many filters in a group: ${filters.length}; at most ${SEARCH.maxFiltersPerGroup} per group are allowed.`,
      );
    }
    total += filters.length;
    for (const f of filters) {
      if (!f || typeof f.propertyName !== 'string' || !OPERATORS.has(f.operator)) {
        throw validationError(
          `Invalid filter ${JSON.stringify(f)}: expected a propertyName and a known operator.`,
        );
      }
    }
  }
  if (total > SEARCH.maxFiltersTotal) {
    throw validationError(
      `Too many filters: ${total}; at most ${SEARCH.maxFiltersTotal} in total are allowed.`,
    );
  }
  if ((req.sorts ?? []).length > 1) throw validationError('Only one sort is allowed.');
  const limit = req.limit ?? SEARCH.defaultLimit;
  if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH.maxLimit) {
    throw validationError(
      `limit must be an integer between 0 and ${SEARCH.maxLimit}; got ${JSON.stringify(req.limit)}.`,
    );
  }
  const after = req.after === undefined || req.after === '' ? 0 : Number(req.after);
  if (!Number.isInteger(after) || after < 0)
    throw validationError(`after must be a non-negative integer offset; got ${JSON.stringify(req.after)}.`);
  return { ...req, limit, after: String(after) };
}

/**
 * Runs a parsed request. `total` counts every match; paging past 10,000 results is a 400, as HubSpot
 * refuses it, so a connector must narrow its filter (e.g. by the modification date) instead.
 */
export function runSearch(docs: Iterable<SearchDoc>, req: SearchRequest, ctx: SearchContext): SearchPage {
  const limit = req.limit ?? SEARCH.defaultLimit;
  const offset = Number(req.after ?? 0);
  if (offset + limit > SEARCH.maxResults) {
    throw validationError(
      `The search API returns at most ${SEARCH.maxResults} results per query; after=${offset} with limit=${limit} goes past it.`,
    );
  }
  const groups = (req.filterGroups ?? []).filter((g) => (g.filters ?? []).length > 0);
  const tokens = req.query ? req.query.toLowerCase().split(/\s+/).filter(Boolean) : [];
  const hits: SearchDoc[] = [];
  for (const doc of docs) {
    if (groups.length > 0 && !groups.some((g) => (g.filters ?? []).every((f) => matches(doc, f, ctx))))
      continue;
    if (
      tokens.length > 0 &&
      !tokens.every((t) => ctx.queryProperties.some((p) => fullText(doc.properties[p], t)))
    )
      continue;
    hits.push(doc);
  }
  hits.sort(comparator(req.sorts?.[0], ctx));
  const ids = hits.slice(offset, offset + limit).map((d) => d.id);
  const next = offset + limit;
  return { total: hits.length, ids, ...(next < hits.length && limit > 0 ? { nextAfter: String(next) } : {}) };
}

function comparator(
  sort: SearchRequest['sorts'] extends (infer S)[] | undefined ? S | undefined : never,
  ctx: SearchContext,
) {
  let prop: string | undefined;
  let desc = false;
  if (typeof sort === 'string') {
    desc = sort.startsWith('-');
    prop = desc ? sort.slice(1) : sort;
  } else if (sort) {
    prop = sort.propertyName;
    desc = sort.direction === 'DESCENDING';
  }
  const byId = (a: SearchDoc, b: SearchDoc): number => Number(a.id) - Number(b.id);
  if (!prop) return (a: SearchDoc, b: SearchDoc) => a.createdAt - b.createdAt || byId(a, b);
  const def = ctx.defs.get(prop);
  const name = prop;
  return (a: SearchDoc, b: SearchDoc): number => {
    const va = a.properties[name];
    const vb = b.properties[name];
    // Records without the property sort last in either direction.
    if (va === undefined || vb === undefined) return va === vb ? byId(a, b) : va === undefined ? 1 : -1;
    const c = compareValues(def, va, vb);
    return (desc ? -c : c) || byId(a, b);
  };
}

function matches(doc: SearchDoc, f: SearchFilter, ctx: SearchContext): boolean {
  if (f.propertyName.startsWith('associations.')) {
    const ids = ctx.associated(doc, f.propertyName.slice('associations.'.length));
    if (f.operator === 'EQ') return ids.includes(String(f.value));
    if (f.operator === 'IN') return (f.values ?? []).some((v) => ids.includes(String(v)));
    if (f.operator === 'HAS_PROPERTY') return ids.length > 0;
    if (f.operator === 'NOT_HAS_PROPERTY') return ids.length === 0;
    return false;
  }
  const def = ctx.defs.get(f.propertyName);
  const actual = doc.properties[f.propertyName];
  const has = actual !== undefined && actual !== '';
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'NEQ':
      return !has || compareValues(def, actual, String(f.value ?? '')) !== 0;
    case 'NOT_IN':
      return !has || !(f.values ?? []).some((v) => inMatch(def, actual, String(v)));
    case 'NOT_CONTAINS_TOKEN':
      return !has || !containsToken(actual, String(f.value ?? ''));
    default:
      break;
  }
  if (!has) return false;
  const v = String(f.value ?? '');
  switch (f.operator) {
    case 'EQ':
      return compareValues(def, actual, v) === 0;
    case 'LT':
      return compareValues(def, actual, v) < 0;
    case 'LTE':
      return compareValues(def, actual, v) <= 0;
    case 'GT':
      return compareValues(def, actual, v) > 0;
    case 'GTE':
      return compareValues(def, actual, v) >= 0;
    case 'BETWEEN':
      return compareValues(def, actual, v) >= 0 && compareValues(def, actual, String(f.highValue ?? '')) <= 0;
    case 'IN':
      return (f.values ?? []).some((x) => inMatch(def, actual, String(x)));
    case 'CONTAINS_TOKEN':
      return containsToken(actual, v);
    default:
      return false;
  }
}

/**
 * Compares a stored value with a filter value by the property's type: numbers numerically, dates and
 * datetimes by instant (epoch-ms strings or ISO-8601), enumerations case-sensitively, everything else
 * case-insensitively [V-DOC "filter values are case-insensitive, except enumeration properties"].
 */
export function compareValues(def: PropertyDef | undefined, a: string, b: string): number {
  const type = def?.type ?? 'string';
  if (type === 'number') return cmp(Number(a), Number(b));
  if (type === 'datetime' || type === 'date') {
    const ta = parseHsTime(a);
    const tb = parseHsTime(b);
    if (Number.isFinite(ta) && Number.isFinite(tb)) return cmp(ta, tb);
  }
  if (type === 'enumeration' || type === 'bool') {
    // A multi-select value matches EQ when one of its `;` parts does.
    if (def?.fieldType === 'checkbox' && a.split(';').includes(b)) return 0;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * IN / NOT_IN: "string values must be lowercase" [V-DOC] — the stored value is lower-cased and compared
 * with the filter value as sent, so an upper-case filter value matches nothing, as at HubSpot.
 */
function inMatch(def: PropertyDef | undefined, actual: string, value: string): boolean {
  const type = def?.type ?? 'string';
  if (type === 'string' || type === 'phone_number') return actual.toLowerCase() === value;
  return compareValues(def, actual, value) === 0;
}

function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * CONTAINS_TOKEN: the value split into word tokens contains the filter token; `*` is a wildcard
 * (`*@hubspot.com`). A wildcard pattern is matched against the whole value as well, which is how an
 * email domain search behaves.
 */
export function containsToken(value: string, token: string): boolean {
  const t = token.toLowerCase();
  const v = value.toLowerCase();
  if (t.includes('*')) {
    const re = new RegExp(`^${t.split('*').map(escapeRe).join('.*')}$`);
    return re.test(v) || v.split(/[\s;,]+/).some((w) => re.test(w));
  }
  return v.split(/[^a-z0-9@._+-]+/).includes(t) || v.split(/[^a-z0-9]+/).includes(t);
}

function fullText(value: string | undefined, token: string): boolean {
  if (!value) return false;
  const v = value.toLowerCase();
  return v.includes(token);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
