import { SfHttpError } from './errors';
import { SF_LIMITS } from './settings';
import { findObject, type SfObject } from './schema';
import {
  comparable,
  compare,
  compileCondition,
  resolveObject,
  resolvePath,
  valueAt,
  type Resolved,
} from './soql-filter';
import { type SoqlQuery, type SelectItem } from './soql-parser';
import { type SfStore } from './store';
import { outputValue, type SfRecord, type SfValue } from './values';

export { resolveObject, resolvePath } from './soql-filter';

export interface QueryOutcome {
  /** Projected rows, ready for JSON (relationship fields nested, `attributes` first). */
  rows: SfRecord[];
  totalSize: number;
  /** Set for COUNT() queries: the count is the answer, there are no rows. */
  countOnly: boolean;
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
  const obj = resolveObject(q.from, store.schema);
  const version = options.version ?? 'v62.0';
  if (q.offset !== undefined && q.offset > SF_LIMITS.maxOffset) {
    // UNVERIFIED exact text; the code and the 2,000 cap are well attested.
    throw new SfHttpError(400, {
      errorCode: 'NUMBER_OUTSIDE_VALID_RANGE',
      message: `Maximum SOQL offset allowed is ${SF_LIMITS.maxOffset}`,
    });
  }
  const selected = q.select.map((item) => prepareSelect(store, obj, item));
  const where = q.where
    ? compileCondition(
        store,
        obj,
        q.where,
        options.now,
        (sub) =>
          executeSoql(store, sub, { includeDeleted: options.includeDeleted, now: options.now, raw: true })
            .rows,
      )
    : () => true;
  const order = q.orderBy.map((o) => ({ ...o, path: resolvePath(obj, o.path, store.schema) }));

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

function prepareSelect(store: SfStore, obj: SfObject, item: SelectItem): PreparedSelect {
  if (item.kind === 'field') return { kind: 'field', resolved: resolvePath(obj, item.path, store.schema) };
  if (item.kind === 'count') return { kind: 'count' };
  const rel = obj.childRelationships.find(
    (c) => c.relationshipName.toLowerCase() === item.query.from.toLowerCase(),
  );
  const child = rel ? findObject(rel.childSObject, store.schema) : undefined;
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
