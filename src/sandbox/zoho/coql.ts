// COQL queries (docs/vendors/zoho.md "COQL"): `POST /crm/v8/coql` with `select_query`, run over the
// org's records. Comparisons follow each field's type: datetimes by instant, ids numerically, lookups
// and users by their id, text and picklists as written; unset fields are null. Priced by LIMIT.
import { type FastifyInstance } from 'fastify';
import { MODULES, type ModuleName } from './constants';
import { requiredParam } from './errors';
import { fieldOf, type FieldDef } from './fields';
import { invalidQuery, likeRegex, literalValue, order, recordValue } from './values';
import { apiRoute, type Answer, type CallContext } from './http';
import { parseCoql, syntaxError, type Condition, type CoqlQuery } from './coql-parser';
import { fieldValue } from './render';
import { type ZohoServer } from './state';
import { type ZohoRecord } from './store';

function fieldDef(module: ModuleName, name: string): FieldDef {
  const def = fieldOf(module, name);
  if (!def) throw invalidQuery('invalid column name', name);
  return def;
}

function matches(module: ModuleName, record: ZohoRecord, c: Condition): boolean {
  switch (c.kind) {
    case 'and':
      return c.parts.every((p) => matches(module, record, p));
    case 'or':
      return c.parts.some((p) => matches(module, record, p));
    default:
      break;
  }
  const def = fieldDef(module, c.field);
  const v = recordValue(record, def);
  switch (c.kind) {
    case 'null':
      return (v === null || v === '') !== c.negate;
    case 'in':
      return c.values.some((x) => order(v, literalValue(def, x)) === 0 && v !== null) !== c.negate;
    case 'like':
      return (v !== null && likeRegex(c.pattern).test(String(v))) !== c.negate;
    case 'between': {
      const low = literalValue(def, c.low);
      const high = literalValue(def, c.high);
      return v !== null && order(v, low) >= 0 && order(v, high) <= 0;
    }
    case 'cmp': {
      const lit = literalValue(def, c.value);
      if (v === null || lit === null) return c.op === '!=' ? v !== lit : false;
      const d = order(v, lit);
      return { '=': d === 0, '!=': d !== 0, '>': d > 0, '<': d < 0, '>=': d >= 0, '<=': d <= 0 }[c.op];
    }
  }
}

export function runCoql(ctx: CallContext, query: CoqlQuery): Answer {
  const module = MODULES.find((m) => m.toLowerCase() === query.module.toLowerCase());
  if (!module) throw invalidQuery('invalid module name', query.module);
  const columns = query.columns.map((c) => fieldDef(module, c).api_name);
  const sorts = query.orderBy.map((o) => ({
    def: fieldDef(module, o.field),
    sign: o.direction === 'asc' ? 1 : -1,
  }));
  const store = ctx.org.state.store;
  const rows = store
    .all(module)
    .filter((r) => !query.where || matches(module, r, query.where))
    .sort((a, b) => {
      for (const s of sorts) {
        const d = order(recordValue(a, s.def), recordValue(b, s.def));
        if (d !== 0) return s.sign * d;
      }
      return order(BigInt(a.id), BigInt(b.id));
    });
  const page = rows.slice(query.offset, query.offset + query.limit);
  if (page.length === 0) return { status: 204 };
  return {
    body: {
      data: page.map((r) => {
        const out: Record<string, unknown> = {};
        for (const c of columns) out[c] = fieldValue(store, r, c);
        out.id = r.id;
        return out;
      }),
      info: { count: page.length, more_records: rows.length > query.offset + page.length },
    },
  };
}

function queryOf(ctx: CallContext): CoqlQuery {
  const text = (ctx.body as { select_query?: unknown } | null)?.select_query;
  if (text === undefined) throw requiredParam('select_query');
  if (typeof text !== 'string') throw syntaxError('select_query must be a string');
  return parseCoql(text);
}

/** docs/vendors/zoho.md "COQL": 1 credit up to LIMIT 200, 2 up to 1,000, 3 up to 2,000. */
export function coqlCredits(limit: number): number {
  return limit <= 200 ? 1 : limit <= 1000 ? 2 : 3;
}

export function registerCoqlRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(
    app,
    server,
    {
      method: 'POST',
      path: '/coql',
      credits: (ctx) => {
        try {
          return coqlCredits(queryOf(ctx).limit);
        } catch {
          return 1;
        }
      },
    },
    (ctx) => runCoql(ctx, queryOf(ctx)),
  );
}
