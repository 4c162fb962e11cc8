// Searching records (docs/vendors/zoho.md "Search"): `GET /crm/v8/{module}/search` with `criteria`
// (`(Field:operator:value)` groups joined by and/or, `\` escaping commas and parentheses in values), or
// `email=`, `phone=`, `word=`; paged by `page`/`per_page` over the first 2,000 matches. Writes reach the
// search index after the core `indexLagMs` fault when one is set.
import { type FastifyInstance } from 'fastify';
import { LIST, SEARCH, type ModuleName } from './constants';
import { invalidData, limitExceeded, requiredParam, ZohoError } from './errors';
import { fieldOf, MODULE_FIELDS } from './fields';
import { apiRoute, type Answer, type CallContext } from './http';
import { moduleOf } from './modules';
import { intParam } from './paging';
import { fieldList } from './records';
import { renderRecord } from './render';
import { type ZohoServer } from './state';
import { compareIds, type ZohoRecord } from './store';
import { literalValue, order, recordValue } from './values';

const OPERATORS = [
  'equals',
  'not_equal',
  'starts_with',
  'in',
  'greater_than',
  'greater_equal',
  'less_than',
  'less_equal',
  'between',
] as const;
type Operator = (typeof OPERATORS)[number];

export type Criteria =
  { kind: 'and' | 'or'; parts: Criteria[] } | { kind: 'test'; field: string; op: Operator; values: string[] };

function badCriteria(reason: string): ZohoError {
  return invalidData(`invalid query formed: ${reason}`, { param_name: 'criteria' });
}

/** Splits on a separator not escaped with `\`, unescaping the parts. */
function splitUnescaped(text: string, sep: string, max = Infinity): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      cur += text[++i];
    } else if (c === sep && out.length < max - 1) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parses `((A:equals:x) and (B:starts_with:y))`; at most 10 tests. */
export function parseCriteria(text: string): Criteria {
  let i = 0;
  let tests = 0;
  const ws = (): void => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const expr = (): Criteria => {
    const parts = [term()];
    let kind: 'and' | 'or' | undefined;
    for (;;) {
      ws();
      const m = /^(and|or)\b/i.exec(text.slice(i));
      if (!m) break;
      const k = m[1]!.toLowerCase() as 'and' | 'or';
      if (kind && kind !== k) throw badCriteria('mixing and/or needs parentheses');
      kind = k;
      i += m[0].length;
      parts.push(term());
    }
    return parts.length === 1 ? parts[0]! : { kind: kind!, parts };
  };
  const term = (): Criteria => {
    ws();
    if (text[i] !== '(') throw badCriteria('expected (');
    i++;
    ws();
    if (text[i] === '(') {
      const inner = expr();
      ws();
      if (text[i] !== ')') throw badCriteria('expected )');
      i++;
      return inner;
    }
    let raw = '';
    while (i < text.length && text[i] !== ')') {
      if (text[i] === '\\' && i + 1 < text.length) raw += text[i++];
      raw += text[i++];
    }
    if (text[i] !== ')') throw badCriteria('expected )');
    i++;
    const [field, op, value] = splitUnescaped(raw, ':', 3).map((s) => s.trim());
    if (!field || !op || value === undefined) throw badCriteria('expected field:operator:value');
    if (!(OPERATORS as readonly string[]).includes(op.toLowerCase()))
      throw badCriteria(`unknown operator ${op}`);
    if (++tests > SEARCH.maxCriteria) throw limitExceeded('criteria', SEARCH.maxCriteria);
    const operator = op.toLowerCase() as Operator;
    const values =
      operator === 'in' || operator === 'between'
        ? splitUnescaped(value, ',')
        : [splitUnescaped(value, '\u0000')[0]!];
    if (operator === 'between' && values.length !== 2) throw badCriteria('between takes two values');
    return { kind: 'test', field, op: operator, values };
  };
  const out = expr();
  ws();
  if (i !== text.length) throw badCriteria('unexpected text after the criteria');
  return out;
}

function test(module: ModuleName, record: ZohoRecord, c: Criteria): boolean {
  if (c.kind !== 'test')
    return c.kind === 'and'
      ? c.parts.every((p) => test(module, record, p))
      : c.parts.some((p) => test(module, record, p));
  const def = fieldOf(module, c.field);
  if (!def)
    throw invalidData('invalid field api name in criteria', { param_name: 'criteria', api_name: c.field });
  const v = recordValue(record, def);
  const text = (x: unknown): string => String(x ?? '').toLowerCase();
  const lits = c.values.map((x) => literalValue(def, x));
  const d = v === null ? NaN : order(v, lits[0]!);
  switch (c.op) {
    case 'equals':
      return v !== null && (typeof v === 'string' ? text(v) === text(lits[0]) : d === 0);
    case 'not_equal':
      return v === null || (typeof v === 'string' ? text(v) !== text(lits[0]) : d !== 0);
    case 'starts_with':
      return v !== null && text(v).startsWith(text(lits[0]));
    case 'in':
      return (
        v !== null && lits.some((l) => (typeof v === 'string' ? text(v) === text(l) : order(v, l) === 0))
      );
    case 'greater_than':
      return d > 0;
    case 'greater_equal':
      return d >= 0;
    case 'less_than':
      return d < 0;
    case 'less_equal':
      return d <= 0;
    case 'between':
      return v !== null && order(v, lits[0]!) >= 0 && order(v, lits[1]!) <= 0;
  }
}

/** `email=`, `phone=`, `word=`: any field of that kind matching (a word: contained in any text field). */
function shortcut(
  module: ModuleName,
  record: ZohoRecord,
  kind: 'email' | 'phone' | 'word',
  value: string,
): boolean {
  const wanted = value.toLowerCase();
  return MODULE_FIELDS[module].some((f) => {
    const v = record.values[f.api_name];
    if (typeof v !== 'string') return false;
    if (kind === 'email') return f.data_type === 'email' && v.toLowerCase() === wanted;
    if (kind === 'phone') return f.data_type === 'phone' && v.replace(/\D/g, '') === value.replace(/\D/g, '');
    return (f.data_type === 'text' || f.data_type === 'email') && v.toLowerCase().includes(wanted);
  });
}

function search(ctx: CallContext): Answer {
  const module = moduleOf(ctx.params.module);
  const q = ctx.query;
  const fields = fieldList(module, q.fields, false);
  const perPage = intParam('per_page', q.per_page, 1, SEARCH.maxPerPage, LIST.defaultPerPage);
  const page = intParam('page', q.page, 1, Number.MAX_SAFE_INTEGER, 1);
  if (page * perPage > SEARCH.maxReach)
    throw new ZohoError(
      400,
      'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
      `You can only get the first ${SEARCH.maxReach} records`,
      {
        limit: SEARCH.maxReach,
      },
    );
  const criteria = q.criteria ? parseCriteria(q.criteria) : undefined;
  const shortcuts = (['email', 'phone', 'word'] as const).filter((k) => q[k]);
  if (!criteria && shortcuts.length === 0) throw requiredParam('criteria');
  const org = ctx.org;
  // Records changed within the index lag are not searchable yet (the core fault `indexLagMs`).
  const indexedBefore = org.now() - (org.faults.current.indexLagMs ?? 0);
  const rows = org.state.store
    .all(module)
    .filter(
      (r) =>
        r.changedAt <= indexedBefore &&
        (!criteria || test(module, r, criteria)) &&
        shortcuts.every((k) => shortcut(module, r, k, q[k]!)),
    )
    .sort((a, b) => compareIds(a.id, b.id));
  const slice = rows.slice((page - 1) * perPage, page * perPage);
  if (slice.length === 0) return { status: 204 };
  return {
    body: {
      data: slice.map((r) => renderRecord(org.state.store, r, fields)),
      info: { per_page: perPage, count: slice.length, page, more_records: rows.length > page * perPage },
    },
  };
}

export function registerSearchRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'GET', path: '/:module/search' }, search);
}
