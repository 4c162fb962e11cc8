/**
 * A SOQL subset parser: SELECT fields (relationship paths, COUNT(), child subqueries) FROM object
 * [WHERE …] [ORDER BY …] [LIMIT n] [OFFSET n]. WHERE supports = != <> < > <= >=, [NOT] IN (values or
 * a semi-join subquery), [NOT] LIKE, AND/OR/NOT, parentheses, string/number/boolean/null, datetime and
 * date literals, and the relative date literals TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, NEXT_N_DAYS:n.
 * Anything else is refused with MALFORMED_QUERY, as Salesforce refuses what it cannot parse.
 */

import { SoqlLiteralError, decodeLikePattern, decodeLiteral, literalEnd } from './soql-literals';

export type SoqlValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'datetime'; ms: number; text: string }
  | { kind: 'date'; value: string }
  | { kind: 'dateLiteral'; name: string; n: number };

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';

export type SoqlCondition =
  | { type: 'and' | 'or'; items: SoqlCondition[] }
  | { type: 'not'; item: SoqlCondition }
  | { type: 'compare'; field: string; op: CompareOp; value: SoqlValue }
  | { type: 'in'; field: string; negated: boolean; values: SoqlValue[] }
  | { type: 'inQuery'; field: string; negated: boolean; query: SoqlQuery }
  /** `pattern`: `%` and `_` are wildcards; `\%`, `\_` and `\\` are those characters as text (soql-literals.ts). */
  | { type: 'like'; field: string; negated: boolean; pattern: string };

export type SelectItem =
  | { kind: 'field'; path: string }
  | { kind: 'count'; field?: string; alias?: string }
  | { kind: 'subquery'; query: SoqlQuery };

export interface OrderItem {
  path: string;
  descending: boolean;
  nullsLast: boolean;
}

export interface SoqlQuery {
  select: SelectItem[];
  from: string;
  where?: SoqlCondition;
  orderBy: OrderItem[];
  limit?: number;
  offset?: number;
}

export class SoqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly soql: string,
    readonly position: number,
  ) {
    // Salesforce's MALFORMED_QUERY message quotes the query, points at the column and then explains.
    super(
      `\n${soql}\n${' '.repeat(Math.max(0, position))}^\nERROR at Row:1:Column:${position + 1}\n${message}`,
    );
  }
}

interface Token {
  type: 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'op' | 'punct' | 'eof';
  text: string;
  pos: number;
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?/;
const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*(?::\d+)?/;
function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = soql.slice(i);
    if (ch === "'") {
      // The body is kept as written: what its escapes mean depends on where it stands (LIKE or not).
      const end = literalEnd(soql, i);
      if (end < 0) throw new SoqlSyntaxError('unterminated string literal', soql, i);
      tokens.push({ type: 'string', text: soql.slice(i + 1, end), pos: i });
      i = end + 1;
      continue;
    }
    const dt = DATETIME_RE.exec(rest);
    if (dt) {
      tokens.push({ type: 'datetime', text: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const d = DATE_RE.exec(rest);
    if (d) {
      tokens.push({ type: 'date', text: d[0], pos: i });
      i += d[0].length;
      continue;
    }
    const num = NUMBER_RE.exec(rest);
    if (num && (ch !== '-' || tokens.length === 0 || tokens[tokens.length - 1]?.type === 'op')) {
      tokens.push({ type: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = IDENT_RE.exec(rest);
    if (id) {
      tokens.push({ type: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    const op = /^(?:!=|<>|<=|>=|=|<|>)/.exec(rest);
    if (op) {
      tokens.push({ type: 'op', text: op[0] === '<>' ? '!=' : op[0], pos: i });
      i += op[0].length;
      continue;
    }
    if ('(),'.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, pos: i });
      i++;
      continue;
    }
    throw new SoqlSyntaxError(`unexpected token: '${ch}'`, soql, i);
  }
  tokens.push({ type: 'eof', text: '<EOF>', pos: soql.length });
  return tokens;
}

const RELATIVE_DATES = new Set(['TODAY', 'YESTERDAY', 'TOMORROW', 'LAST_N_DAYS', 'NEXT_N_DAYS']);
const UNSUPPORTED_CLAUSES = new Set(['GROUP', 'HAVING', 'WITH', 'TYPEOF', 'USING']);

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly soql: string,
  ) {}

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private take(): Token {
    return this.tokens[this.i++] as Token;
  }
  private error(message?: string, token = this.peek()): SoqlSyntaxError {
    return new SoqlSyntaxError(
      message ?? `unexpected token: ${token.type === 'eof' ? '<EOF>' : `'${token.text}'`}`,
      this.soql,
      token.pos,
    );
  }
  private isKeyword(word: string, token = this.peek()): boolean {
    return token.type === 'ident' && token.text.toUpperCase() === word;
  }
  private keyword(word: string): void {
    if (!this.isKeyword(word)) throw this.error();
    this.i++;
  }
  private punct(ch: string): void {
    const t = this.peek();
    if (t.type !== 'punct' || t.text !== ch) throw this.error();
    this.i++;
  }
  /** A string token's value; a bad escape points at its backslash. */
  private literal(t: Token, decode: (body: string) => string): string {
    try {
      return decode(t.text);
    } catch (err) {
      if (!(err instanceof SoqlLiteralError)) throw err;
      throw new SoqlSyntaxError(err.message, this.soql, t.pos + 1 + err.offset);
    }
  }
  private ident(): string {
    const t = this.peek();
    if (t.type !== 'ident') throw this.error();
    this.i++;
    return t.text;
  }

  query(nested: boolean): SoqlQuery {
    this.keyword('SELECT');
    const select: SelectItem[] = [];
    do {
      select.push(this.selectItem());
    } while (this.peek().type === 'punct' && this.peek().text === ',' && this.take());
    this.keyword('FROM');
    const from = this.ident();
    const q: SoqlQuery = { select, from, orderBy: [] };
    if (this.isKeyword('WHERE')) {
      this.i++;
      q.where = this.condition();
    }
    if (UNSUPPORTED_CLAUSES.has(this.peek().text.toUpperCase()) && this.peek().type === 'ident') {
      throw this.error(`the sandbox does not support ${this.peek().text.toUpperCase()} clauses`);
    }
    if (this.isKeyword('ORDER')) {
      this.i++;
      this.keyword('BY');
      do {
        const path = this.ident();
        let descending = false;
        if (this.isKeyword('ASC')) this.i++;
        else if (this.isKeyword('DESC')) {
          this.i++;
          descending = true;
        }
        let nullsLast = descending;
        if (this.isKeyword('NULLS')) {
          this.i++;
          if (this.isKeyword('FIRST')) nullsLast = false;
          else if (this.isKeyword('LAST')) nullsLast = true;
          else throw this.error();
          this.i++;
        }
        q.orderBy.push({ path, descending, nullsLast });
      } while (this.peek().type === 'punct' && this.peek().text === ',' && this.take());
    }
    if (this.isKeyword('LIMIT')) {
      this.i++;
      q.limit = this.integer();
    }
    if (this.isKeyword('OFFSET')) {
      this.i++;
      q.offset = this.integer();
    }
    if (this.isKeyword('FOR')) {
      this.i++;
      if (!['VIEW', 'REFERENCE', 'UPDATE'].includes(this.peek().text.toUpperCase())) throw this.error();
      this.i++;
    }
    const end = this.peek();
    if (nested ? !(end.type === 'punct' && end.text === ')') : end.type !== 'eof') throw this.error();
    return q;
  }

  private integer(): number {
    const t = this.take();
    if (t.type !== 'number' || !/^\d+$/.test(t.text)) throw this.error(undefined, t);
    return Number(t.text);
  }

  private selectItem(): SelectItem {
    const t = this.peek();
    if (t.type === 'punct' && t.text === '(') {
      this.i++;
      const query = this.query(true);
      this.punct(')');
      return { kind: 'subquery', query };
    }
    if (this.isKeyword('COUNT') && this.tokens[this.i + 1]?.text === '(') {
      this.i += 2;
      let field: string | undefined;
      if (this.peek().type === 'ident') field = this.ident();
      this.punct(')');
      let alias: string | undefined;
      if (this.peek().type === 'ident' && !this.isKeyword('FROM')) alias = this.ident();
      return { kind: 'count', field, alias };
    }
    return { kind: 'field', path: this.ident() };
  }

  /**
   * One level of a condition: operands joined by one operator. SOQL refuses `a AND b OR c` without
   * parentheses (MALFORMED_QUERY, "unexpected token: OR") instead of applying a precedence.
   */
  private condition(): SoqlCondition {
    const items = [this.notExpr()];
    let op: 'AND' | 'OR' | null = null;
    while (this.isKeyword('AND') || this.isKeyword('OR')) {
      const word = this.peek().text.toUpperCase() as 'AND' | 'OR';
      if (op && word !== op) throw this.error(`unexpected token: '${this.peek().text}'`);
      op = word;
      this.i++;
      items.push(this.notExpr());
    }
    if (items.length === 1) return items[0] as SoqlCondition;
    return { type: op === 'OR' ? 'or' : 'and', items };
  }

  private notExpr(): SoqlCondition {
    if (this.isKeyword('NOT')) {
      this.i++;
      return { type: 'not', item: this.notExpr() };
    }
    const t = this.peek();
    if (t.type === 'punct' && t.text === '(') {
      this.i++;
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): SoqlCondition {
    const field = this.ident();
    let negated = false;
    if (this.isKeyword('NOT')) {
      this.i++;
      negated = true;
      if (!this.isKeyword('IN') && !this.isKeyword('LIKE')) throw this.error();
    }
    if (this.isKeyword('IN')) {
      this.i++;
      this.punct('(');
      if (this.isKeyword('SELECT')) {
        const query = this.query(true);
        this.punct(')');
        return { type: 'inQuery', field, negated, query };
      }
      const values: SoqlValue[] = [];
      do {
        values.push(this.value());
      } while (this.peek().type === 'punct' && this.peek().text === ',' && this.take());
      this.punct(')');
      return { type: 'in', field, negated, values };
    }
    if (this.isKeyword('LIKE')) {
      this.i++;
      const t = this.take();
      if (t.type !== 'string') throw this.error(undefined, t);
      return { type: 'like', field, negated, pattern: this.literal(t, decodeLikePattern) };
    }
    const op = this.take();
    if (op.type !== 'op') throw this.error(undefined, op);
    return { type: 'compare', field, op: op.text as CompareOp, value: this.value() };
  }

  private value(): SoqlValue {
    const t = this.take();
    switch (t.type) {
      case 'string':
        return { kind: 'string', value: this.literal(t, decodeLiteral) };
      case 'number':
        return { kind: 'number', value: Number(t.text) };
      case 'datetime':
        return { kind: 'datetime', ms: Date.parse(t.text), text: t.text };
      case 'date':
        return { kind: 'date', value: t.text };
      case 'ident': {
        const upper = t.text.toUpperCase();
        if (upper === 'TRUE' || upper === 'FALSE') return { kind: 'boolean', value: upper === 'TRUE' };
        if (upper === 'NULL') return { kind: 'null' };
        const [name, n] = upper.split(':') as [string, string | undefined];
        if (RELATIVE_DATES.has(name) && (n === undefined) === !name.includes('_N_')) {
          return { kind: 'dateLiteral', name, n: n === undefined ? 0 : Number(n) };
        }
        throw this.error(`unexpected token: '${t.text}'`, t);
      }
      default:
        throw this.error(undefined, t);
    }
  }
}

export function parseSoql(soql: string): SoqlQuery {
  const parser = new Parser(tokenize(soql), soql);
  return parser.query(false);
}
