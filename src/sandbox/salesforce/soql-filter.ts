/** SOQL name resolution and WHERE evaluation, with Salesforce's type rules for filter literals. */
import { SfHttpError } from './errors';
import { idKey } from './id-lookup';
import { findField, findObject, type SfField, type SfObject, type SfSchema } from './schema';
import { type SoqlCondition, type SoqlQuery, type SoqlValue } from './soql-parser';
import { type SfStore } from './store';
import { type SfRecord, type SfValue } from './values';

const DAY = 86_400_000;

export interface Resolved {
  /** Reference fields walked before the leaf (Account in Account.Name). */
  hops: SfField[];
  leaf: SfField;
}

const invalidField = (name: string, obj: SfObject): SfHttpError =>
  new SfHttpError(400, {
    errorCode: 'INVALID_FIELD',
    message: `No such column '${name}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  });

export function resolveObject(name: string, schema: SfSchema): SfObject {
  const obj = findObject(name, schema);
  if (!obj) {
    throw new SfHttpError(400, {
      errorCode: 'INVALID_TYPE',
      message: `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    });
  }
  return obj;
}

/** `Account.Owner.Name` → the reference hops and the leaf field; relationship names are case-insensitive. */
export function resolvePath(obj: SfObject, path: string, schema: SfSchema): Resolved {
  const parts = path.split('.');
  const hops: SfField[] = [];
  let current = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const rel = (parts[i] as string).toLowerCase();
    const ref = current.fields.find((x) => x.relationshipName?.toLowerCase() === rel);
    const target = ref?.referenceTo ? findObject(ref.referenceTo, schema) : undefined;
    if (!ref || !target) throw invalidField(parts.slice(0, i + 1).join('.'), current);
    hops.push(ref);
    current = target;
  }
  const leaf = findField(current, parts[parts.length - 1] as string);
  if (!leaf) throw invalidField(path, obj);
  return { hops, leaf };
}

export function valueAt(store: SfStore, rec: SfRecord, r: Resolved): SfValue {
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

export function comparable(field: SfField, value: SfValue): number | string | boolean | null {
  if (value === null) return null;
  if (field.type === 'date') return Date.parse(`${String(value)}T00:00:00Z`);
  if (typeof value === 'string' && field.type !== 'id' && field.type !== 'reference')
    return value.toLowerCase();
  return value;
}

export function compare(a: number | string | boolean, b: number | string | boolean): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A normalised LIKE pattern (soql-literals.ts: `\x` is the character x as text) as a case-insensitive regex. */
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

export type Predicate = (rec: SfRecord) => boolean;

export function compileCondition(
  store: SfStore,
  obj: SfObject,
  cond: SoqlCondition,
  now: number,
  /** Runs a semi-join sub-select, returning stored rows (keeps this file free of the executor). */
  runSubquery: (query: SoqlQuery) => SfRecord[],
): Predicate {
  switch (cond.type) {
    case 'and': {
      const parts = cond.items.map((c) => compileCondition(store, obj, c, now, runSubquery));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = cond.items.map((c) => compileCondition(store, obj, c, now, runSubquery));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compileCondition(store, obj, cond.item, now, runSubquery);
      return (r) => !inner(r);
    }
    case 'like': {
      const path = resolvePath(obj, cond.field, store.schema);
      const re = likeRegex(cond.pattern);
      return (r) => {
        const v = valueAt(store, r, path);
        return (typeof v === 'string' && re.test(v)) !== cond.negated;
      };
    }
    case 'in':
    case 'inQuery': {
      const path = resolvePath(obj, cond.field, store.schema);
      const set = new Set<unknown>();
      if (cond.type === 'in') {
        for (const v of cond.values) {
          const lit = literal(path.leaf, v, now);
          if (Array.isArray(lit)) throw filterTypeError(path.leaf, path.leaf.type);
          set.add(lit);
        }
      } else {
        const subRows = runSubquery(cond.query);
        const subObj = resolveObject(cond.query.from, store.schema);
        const item = cond.query.select[0];
        if (cond.query.select.length !== 1 || item?.kind !== 'field') {
          throw new SfHttpError(400, {
            errorCode: 'MALFORMED_QUERY',
            message: 'semi join sub-selects must select exactly one field',
          });
        }
        const subPath = resolvePath(subObj, item.path, store.schema);
        for (const row of subRows) set.add(comparable(subPath.leaf, valueAt(store, row, subPath)));
      }
      return (r) => set.has(comparable(path.leaf, valueAt(store, r, path))) !== cond.negated;
    }
    case 'compare': {
      const path = resolvePath(obj, cond.field, store.schema);
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
