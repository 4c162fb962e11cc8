// The COQL dialect the sandbox understands (docs/vendors/zoho.md "COQL"): one SELECT with a column
// list, FROM a module, an optional WHERE of comparisons joined by AND/OR with parentheses, ORDER BY
// and LIMIT [offset,] count | LIMIT count OFFSET offset. Keywords in any case; strings in single quotes.
// Pure: it knows nothing of modules or fields (the executor checks those).
import { COQL } from './constants';
import { limitExceeded, ZohoError } from './errors';

export type Literal = string | number | boolean | null;

export type Condition =
  | { kind: 'and' | 'or'; parts: Condition[] }
  | { kind: 'cmp'; field: string; op: '=' | '!=' | '>' | '<' | '>=' | '<='; value: Literal }
  | { kind: 'null'; field: string; negate: boolean }
  | { kind: 'in'; field: string; values: Literal[]; negate: boolean }
  | { kind: 'like'; field: string; pattern: string; negate: boolean }
  | { kind: 'between'; field: string; low: Literal; high: Literal };

export interface CoqlQuery {
  columns: string[];
  module: string;
  where?: Condition;
  orderBy: { field: string; direction: 'asc' | 'desc' }[];
  limit: number;
  offset: number;
}

type Token = { t: 'word' | 'string' | 'number' | 'punct'; v: string };

export function syntaxError(reason: string): ZohoError {
  return new ZohoError(400, 'SYNTAX_ERROR', 'error occured while parsing the query', { reason });
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) throw syntaxError('unterminated string');
        const ch = text[i]!;
        if (ch === '\\' && i + 1 < text.length) {
          v += text[i + 1];
          i += 2;
        } else if (ch === "'" && text[i + 1] === "'") {
          v += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          v += ch;
          i++;
        }
      }
      out.push({ t: 'string', v });
    } else if ((/[0-9-]/.test(c) && /[0-9.]/.test(text[i + 1] ?? '')) || /[0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i))!;
      out.push({ t: 'number', v: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$.]*/.exec(text.slice(i))!;
      out.push({ t: 'word', v: m[0] });
      i += m[0].length;
    } else {
      const two = text.slice(i, i + 2);
      if (['!=', '>=', '<=', '<>'].includes(two)) {
        out.push({ t: 'punct', v: two === '<>' ? '!=' : two });
        i += 2;
      } else if ('(),=<>*'.includes(c)) {
        out.push({ t: 'punct', v: c });
        i++;
      } else throw syntaxError(`unexpected character ${c}`);
    }
  }
  return out;
}

class Parser {
  private i = 0;
  criteria = 0;
  constructor(private readonly tokens: Token[]) {}

  peekWord(...words: string[]): boolean {
    const tok = this.tokens[this.i];
    return tok?.t === 'word' && words.includes(tok.v.toLowerCase());
  }

  peekPunct(p: string): boolean {
    const tok = this.tokens[this.i];
    return tok?.t === 'punct' && tok.v === p;
  }

  word(...words: string[]): void {
    if (!this.peekWord(...words)) throw syntaxError(`expected ${words.join(' or ').toUpperCase()}`);
    this.i++;
  }

  punct(p: string): void {
    if (!this.peekPunct(p)) throw syntaxError(`expected ${p}`);
    this.i++;
  }

  ident(): string {
    const tok = this.tokens[this.i];
    if (tok?.t !== 'word') throw syntaxError('expected a field or module name');
    this.i++;
    return tok.v;
  }

  int(): number {
    const tok = this.tokens[this.i];
    if (tok?.t !== 'number' || !/^\d+$/.test(tok.v)) throw syntaxError('expected a whole number');
    this.i++;
    return Number(tok.v);
  }

  literal(): Literal {
    const tok = this.tokens[this.i];
    if (!tok) throw syntaxError('expected a value');
    this.i++;
    if (tok.t === 'string') return tok.v;
    if (tok.t === 'number') return Number(tok.v);
    if (tok.t === 'word' && ['true', 'false'].includes(tok.v.toLowerCase()))
      return tok.v.toLowerCase() === 'true';
    if (tok.t === 'word' && tok.v.toLowerCase() === 'null') return null;
    throw syntaxError('expected a value');
  }

  done(): boolean {
    return this.i >= this.tokens.length;
  }

  condition(): Condition {
    const parts = [this.conjunction()];
    while (this.peekWord('or')) {
      this.i++;
      parts.push(this.conjunction());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'or', parts };
  }

  private conjunction(): Condition {
    const parts = [this.term()];
    while (this.peekWord('and')) {
      this.i++;
      parts.push(this.term());
    }
    return parts.length === 1 ? parts[0]! : { kind: 'and', parts };
  }

  private term(): Condition {
    if (this.peekPunct('(')) {
      this.i++;
      const inner = this.condition();
      this.punct(')');
      return inner;
    }
    const field = this.ident();
    if (++this.criteria > COQL.maxCriteria) throw limitExceeded('where', COQL.maxCriteria);
    if (this.peekWord('is')) {
      this.i++;
      const negate = this.peekWord('not');
      if (negate) this.i++;
      this.word('null');
      return { kind: 'null', field, negate };
    }
    const negate = this.peekWord('not');
    if (negate) this.i++;
    if (this.peekWord('in')) {
      this.i++;
      this.punct('(');
      const values = [this.literal()];
      while (this.peekPunct(',')) {
        this.i++;
        values.push(this.literal());
      }
      this.punct(')');
      if (values.length > COQL.maxInValues) throw limitExceeded('in', COQL.maxInValues);
      return { kind: 'in', field, values, negate };
    }
    if (this.peekWord('like')) {
      this.i++;
      const pattern = this.literal();
      if (typeof pattern !== 'string') throw syntaxError('LIKE takes a string');
      return { kind: 'like', field, pattern, negate };
    }
    if (negate) throw syntaxError('NOT goes with IN, LIKE or IS NULL');
    if (this.peekWord('between')) {
      this.i++;
      const low = this.literal();
      this.word('and');
      return { kind: 'between', field, low, high: this.literal() };
    }
    const tok = this.tokens[this.i];
    if (tok?.t !== 'punct' || !['=', '!=', '>', '<', '>=', '<='].includes(tok.v))
      throw syntaxError('expected a comparator');
    this.i++;
    return { kind: 'cmp', field, op: tok.v as '=', value: this.literal() };
  }
}

export function parseCoql(text: string): CoqlQuery {
  const p = new Parser(tokenize(text));
  p.word('select');
  const columns = [p.ident()];
  while (p.peekPunct(',')) {
    p.punct(',');
    columns.push(p.ident());
  }
  if (columns.length > COQL.maxColumns) throw limitExceeded('select', COQL.maxColumns);
  p.word('from');
  const module = p.ident();
  let where: Condition | undefined;
  if (p.peekWord('where')) {
    p.word('where');
    where = p.condition();
  }
  const orderBy: CoqlQuery['orderBy'] = [];
  if (p.peekWord('order')) {
    p.word('order');
    p.word('by');
    do {
      if (orderBy.length > 0) p.punct(',');
      const field = p.ident();
      let direction: 'asc' | 'desc' = 'asc';
      if (p.peekWord('asc', 'desc')) {
        direction = p.peekWord('desc') ? 'desc' : 'asc';
        p.word('asc', 'desc');
      }
      orderBy.push({ field, direction });
    } while (p.peekPunct(','));
    if (orderBy.length > 10) throw limitExceeded('order by', 10);
  }
  let limit: number = COQL.defaultLimit;
  let offset = 0;
  if (p.peekWord('limit')) {
    p.word('limit');
    limit = p.int();
    if (p.peekPunct(',')) {
      p.punct(',');
      offset = limit;
      limit = p.int();
    } else if (p.peekWord('offset')) {
      p.word('offset');
      offset = p.int();
    }
  }
  if (!p.done()) throw syntaxError('unexpected text after the query');
  if (limit < 1 || limit > COQL.maxLimit) throw limitExceeded('limit', COQL.maxLimit);
  if (offset + limit > COQL.maxReach) throw limitExceeded('offset', COQL.maxReach);
  return { columns, module, where, orderBy, limit, offset };
}
