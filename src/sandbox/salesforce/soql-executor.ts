import { SfHttpError } from './errors';
import { idKey } from './id-lookup';
import { SF_LIMITS } from './settings';
import { findField, findObject, type SfField, type SfObject } from './schema';
import { type SoqlCondition, type SoqlQuery, type SoqlValue, type SelectItem } from './soql-parser';
import { type SfStore } from './store';
import { outputValue, type SfRecord, type SfValue } from './values';

const DAY = 86_400_000;

export interface QueryOutcome {
  /** Projected rows, ready for JSON (relationship fields nested, `attributes` first). */
  rows: SfRecord[];
  totalSize: number;
  /** Set for COUNT() queries: the count is the answer, there are no rows. */
  countOnly: boolean;
}

interface Resolved {
  /** Reference fields walked before the leaf (Account in Account.Name). */
  hops: SfField[];
  leaf: SfField;
}

const invalidField = (name: string, obj: SfObject): SfHttpError =>
  new SfHttpError(400, {
    errorCode: 'INVALID_FIELD',
    message: `No such column '${name}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  });

export function resolveObject(name: string): SfObject {
  const obj = findObject(name);
  if (!obj) {
    throw new SfHttpError(400, {
      errorCode: 'INVALID_TYPE',
      message: `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    });
  }
  return obj;
}

/** `Account.Owner.Name` → the reference hops and the leaf field; relationship names are case-insensitive. */
export function resolvePath(obj: SfObject, path: string): Resolved {
  const parts = path.split('.');
  const hops: SfField[] = [];
  let current = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const rel = (parts[i] as string).toLowerCase();
    const ref = current.fields.find((x) => x.relationshipName?.toLowerCase() === rel);
    const target = ref?.referenceTo ? findObject(ref.referenceTo) : undefined;
    if (!ref || !target) throw invalidField(parts.slice(0, i + 1).join('.'), current);
    hops.push(ref);
    current = target;
  }
  const leaf = findField(current, parts[parts.length - 1] as string);
  if (!leaf) throw invalidField(path, obj);
  return { hops, leaf };
}

function valueAt(store: SfStore, rec: SfRecord, r: Resolved): SfValue {
  let cur: SfRecord | undefined = rec;
  for (const hop of r.hops) {
    const id: SfValue | undefined = cur[hop.name];
    cur = typeof id === 'string' && hop.referenceTo ? store.get(hop.referenceTo, id) : undefined;
    if (!cur) return null;
  }
  return cur[r.leaf.name] ?? null;
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/** A relative date literal as a [start, end) range of epoch ms (UTC days). */
function literalRange(v: { name: string; n: number }, now: number): [number, number] {
  const today = dayStart(now);
  switch (v.name) {
    case 'TODAY':
      return [today, today + DAY];
    case 'YESTERDAY':
      return [today - DAY, today];
    case 'TOMORROW':
      return [today + DAY, today + 2 * DAY];
    case 'LAST_N_DAYS':
      return [today - v.n * DAY, today + DAY];
    default:
      return [today, today + (v.n + 1) * DAY];
  }
}

function filterTypeError(field: SfField, expected: string): SfHttpError {
  return new SfHttpError(400, {
    errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
    message: `value of filter criterion for field '${field.name}' must be of type ${expected} and should not be enclosed in quotes`,
  });
}

/** The comparable form of a literal for this field, checked against the field's type as Salesforce does. */
function literal(
  field: SfField,
  v: SoqlValue,
  now: number,
): number | string | boolean | null | [number, number] {
  if (v.kind === 'null') return null;
  switch (field.type) {
    case 'datetime':
      if (v.kind === 'datetime') return v.ms;
      if (v.kind === 'dateLiteral') return literalRange(v, now);
      throw filterTypeError(field, 'dateTime');
    case 'date':
      if (v.kind === 'date') return Date.parse(`${v.value}T00:00:00Z`);
      if (v.kind === 'dateLiteral') return literalRange(v, now);
      throw filterTypeError(field, 'date');
    case 'currency':
    case 'percent':
    case 'double':
    case 'int':
      if (v.kind === 'number') return v.value;
      throw filterTypeError(field, 'double');
    case 'boolean':
      if (v.kind === 'boolean') return v.value;
      throw filterTypeError(field, 'boolean');
    case 'id':
    case 'reference':
      if (v.kind !== 'string') throw filterTypeError(field, 'id');
      return idKey(v.value) ?? v.value;
    default:
      if (v.kind === 'string') return v.value.toLowerCase();
      throw filterTypeError(field, 'string');
  }
}

function comparable(field: SfField, value: SfValue): number | string | boolean | null {
  if (value === null) return null;
  if (field.type === 'date') return Date.parse(`${String(value)}T00:00:00Z`);
  if (typeof value === 'string' && field.type !== 'id' && field.type !== 'reference')
    return value.toLowerCase();
  return value;
}

function compare(a: number | string | boolean, b: number | string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length)
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'is');
}

type Predicate = (rec: SfRecord) => boolean;

function compileCondition(
  store: SfStore,
  obj: SfObject,
  cond: SoqlCondition,
  now: number,
  includeDeleted: boolean,
): Predicate {
  switch (cond.type) {
    case 'and': {
      const parts = cond.items.map((c) => compileCondition(store, obj, c, now, includeDeleted));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = cond.items.map((c) => compileCondition(store, obj, c, now, includeDeleted));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compileCondition(store, obj, cond.item, now, includeDeleted);
      return (r) => !inner(r);
    }
    case 'like': {
      const path = resolvePath(obj, cond.field);
      const re = likeRegex(cond.pattern);
      return (r) => {
        const v = valueAt(store, r, path);
        return (typeof v === 'string' && re.test(v)) !== cond.negated;
      };
    }
    case 'in':
    case 'inQuery': {
      const path = resolvePath(obj, cond.field);
      const set = new Set<unknown>();
      if (cond.type === 'in') {
        for (const v of cond.values) {
          const lit = literal(path.leaf, v, now);
          if (Array.isArray(lit)) throw filterTypeError(path.leaf, path.leaf.type);
          set.add(lit);
        }
      } else {
        const sub = executeSoql(store, cond.query, { includeDeleted, now, raw: true });
        const subObj = resolveObject(cond.query.from);
        const item = cond.query.select[0];
        if (cond.query.select.length !== 1 || item?.kind !== 'field') {
          throw new SfHttpError(400, {
            errorCode: 'MALFORMED_QUERY',
            message: 'semi join sub-selects must select exactly one field',
          });
        }
        const subPath = resolvePath(subObj, item.path);
        for (const row of sub.rows) set.add(comparable(subPath.leaf, valueAt(store, row, subPath)));
      }
      return (r) => set.has(comparable(path.leaf, valueAt(store, r, path))) !== cond.negated;
    }
    case 'compare': {
      const path = resolvePath(obj, cond.field);
      const lit = literal(path.leaf, cond.value, now);
      const op = cond.op;
      return (r) => {
        const v = comparable(path.leaf, valueAt(store, r, path));
        if (lit === null) return op === '=' ? v === null : op === '!=' ? v !== null : false;
        if (v === null) return op === '!=';
        if (Array.isArray(lit)) {
          const n = v as number;
          const [start, end] = lit;
          switch (op) {
            case '=':
              return n >= start && n < end;
            case '!=':
              return n < start || n >= end;
            case '<':
              return n < start;
            case '<=':
              return n < end;
            case '>':
              return n >= end;
            default:
              return n >= start;
          }
        }
        const c = compare(v, lit);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          default:
            return c >= 0;
        }
      };
    }
  }
}

function recordUrl(version: string, type: string, id: SfValue): string {
  return `/services/data/${version}/sobjects/${type}/${String(id)}`;
}

export interface ExecuteOptions {
  includeDeleted: boolean;
  now: number;
  /** Return stored rows instead of projected JSON (semi-joins). */
  raw?: boolean;
  /** URL version segment for `attributes.url`, e.g. `v62.0`. @defaultValue v62.0 */
  version?: string;
}

/** Runs a parsed query against an org's store. Throws SfHttpError for what Salesforce would reject. */
export function executeSoql(store: SfStore, q: SoqlQuery, options: ExecuteOptions): QueryOutcome {
  const obj = resolveObject(q.from);
  const version = options.version ?? 'v62.0';
  if (q.offset !== undefined && q.offset > SF_LIMITS.maxOffset) {
    // UNVERIFIED exact text; the code and the 2,000 cap are well attested.
    throw new SfHttpError(400, {
      errorCode: 'NUMBER_OUTSIDE_VALID_RANGE',
      message: `Maximum SOQL offset allowed is ${SF_LIMITS.maxOffset}`,
    });
  }
  const selected = q.select.map((item) => prepareSelect(obj, item));
  const where = q.where
    ? compileCondition(store, obj, q.where, options.now, options.includeDeleted)
    : () => true;
  const order = q.orderBy.map((o) => ({ ...o, path: resolvePath(obj, o.path) }));

  let rows: SfRecord[] = [];
  for (const rec of store.table(obj.name).values()) {
    if (!options.includeDeleted && rec.IsDeleted) continue;
    if (where(rec)) rows.push(rec);
  }
  if (order.length > 0) {
    rows.sort((a, b) => {
      for (const o of order) {
        const va = comparable(o.path.leaf, valueAt(store, a, o.path));
        const vb = comparable(o.path.leaf, valueAt(store, b, o.path));
        if (va === vb) continue;
        if (va === null) return o.nullsLast ? 1 : -1;
        if (vb === null) return o.nullsLast ? -1 : 1;
        const c = compare(va, vb);
        if (c !== 0) return o.descending ? -c : c;
      }
      return 0;
    });
  }
  const offset = q.offset ?? 0;
  rows = rows.slice(offset, q.limit !== undefined ? offset + q.limit : undefined);

  const countItem = q.select.find((s) => s.kind === 'count');
  if (countItem && countItem.kind === 'count' && !countItem.field) {
    if (q.select.length > 1)
      throw new SfHttpError(400, {
        errorCode: 'MALFORMED_QUERY',
        message: 'COUNT() must be the only element in the SELECT list',
      });
    return { rows: [], totalSize: rows.length, countOnly: true };
  }
  if (countItem) {
    const row: SfRecord = {};
    (row as Record<string, unknown>).attributes = { type: 'AggregateResult' };
    row[countItem.kind === 'count' && countItem.alias ? countItem.alias : 'expr0'] = rows.length;
    return { rows: [row], totalSize: 1, countOnly: false };
  }
  if (options.raw) return { rows, totalSize: rows.length, countOnly: false };
  const projected = rows.map((rec) => project(store, obj, rec, selected, version, options));
  return { rows: projected, totalSize: projected.length, countOnly: false };
}

type PreparedSelect =
  | { kind: 'field'; resolved: Resolved }
  | { kind: 'subquery'; query: SoqlQuery; relationshipName: string; child: SfObject; field: string }
  | { kind: 'count' };

function prepareSelect(obj: SfObject, item: SelectItem): PreparedSelect {
  if (item.kind === 'field') return { kind: 'field', resolved: resolvePath(obj, item.path) };
  if (item.kind === 'count') return { kind: 'count' };
  const rel = obj.childRelationships.find(
    (c) => c.relationshipName.toLowerCase() === item.query.from.toLowerCase(),
  );
  const child = rel ? findObject(rel.childSObject) : undefined;
  if (!rel || !child) {
    throw new SfHttpError(400, {
      errorCode: 'INVALID_TYPE',
      message: `Didn't understand relationship '${item.query.from}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
    });
  }
  return {
    kind: 'subquery',
    query: { ...item.query, from: child.name },
    relationshipName: rel.relationshipName,
    child,
    field: rel.field,
  };
}

function project(
  store: SfStore,
  obj: SfObject,
  rec: SfRecord,
  selected: PreparedSelect[],
  version: string,
  options: ExecuteOptions,
): SfRecord {
  const out: Record<string, unknown> = {
    attributes: { type: obj.name, url: recordUrl(version, obj.name, rec.Id ?? null) },
  };
  for (const s of selected) {
    if (s.kind === 'count') continue;
    if (s.kind === 'subquery') {
      const parentId = rec.Id as string;
      const subQuery: SoqlQuery = {
        ...s.query,
        where: s.query.where
          ? {
              type: 'and',
              items: [
                { type: 'compare', field: s.field, op: '=', value: { kind: 'string', value: parentId } },
                s.query.where,
              ],
            }
          : { type: 'compare', field: s.field, op: '=', value: { kind: 'string', value: parentId } },
      };
      const sub = executeSoql(store, subQuery, { ...options, raw: false });
      // Salesforce writes null, not an empty result, for a parent without children.
      out[s.relationshipName] =
        sub.rows.length === 0 ? null : { totalSize: sub.totalSize, done: true, records: sub.rows };
      continue;
    }
    const { hops, leaf } = s.resolved;
    if (hops.length === 0) {
      out[leaf.name] = outputValue(leaf, rec[leaf.name]);
      continue;
    }
    let target = out;
    let cur: SfRecord | undefined = rec;
    for (const hop of hops) {
      const key = hop.relationshipName as string;
      const id: SfValue | undefined = cur?.[hop.name];
      cur = typeof id === 'string' && hop.referenceTo ? store.get(hop.referenceTo, id) : undefined;
      if (!cur) {
        if (!(key in target)) target[key] = null;
        break;
      }
      const existing = target[key];
      if (existing === null || existing === undefined) {
        target[key] = {
          attributes: {
            type: hop.referenceTo,
            url: recordUrl(version, hop.referenceTo as string, cur.Id ?? null),
          },
        };
      }
      target = target[key] as Record<string, unknown>;
    }
    if (cur) target[leaf.name] = outputValue(leaf, cur[leaf.name]);
  }
  return out as SfRecord;
}
