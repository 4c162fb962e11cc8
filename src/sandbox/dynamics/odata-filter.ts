// `$filter` (docs/vendors/dynamics.md "Querying"): comparison operators, and/or/not, parentheses,
// contains/startswith/endswith, Microsoft.Dynamics.CRM.In, OData literals (strings with '' escaping,
// numbers, guids, unquoted dates, null, true/false). String comparisons are case-insensitive as in
// Dataverse. A filter that does not parse is a 400, never a crash.
import { badRequest, unknownProperty } from './errors';
import { attributeOf, isLookup, lookupFromValueProperty, type AttributeDef, type EntityDef } from './schema';
import { isLookupValue, type DvRecord } from './store';

type Literal = string | number | boolean | null;
type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export type FilterNode =
  | { kind: 'cmp'; op: ComparisonOp; property: PropertyRef; value: Literal }
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; expr: FilterNode }
  | { kind: 'text'; fn: 'contains' | 'startswith' | 'endswith'; property: PropertyRef; value: string }
  | { kind: 'in'; property: PropertyRef; values: Literal[] };

interface PropertyRef {
  name: string;
  attribute: AttributeDef;
}

interface Token {
  type: 'ident' | 'string' | 'number' | 'guid' | 'date' | 'punct';
  text: string;
  value?: Literal;
  pos: number;
}

/** Deeper nesting than this is refused: a crafted filter must not exhaust the stack. */
const MAX_DEPTH = 64;
const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const TEXT_FUNCTIONS = new Set(['contains', 'startswith', 'endswith']);
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;
const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdDlL]?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_.]*/;

function syntaxError(text: string, pos: number): Error {
  return badRequest(`Syntax error at position ${pos} in '${text}'.`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    if ('(),[]='.includes(ch)) {
      tokens.push({ type: 'punct', text: ch, pos: i });
      i++;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      let value = '';
      for (;;) {
        if (j >= text.length) throw badRequest(`Unterminated string literal at position ${i} in '${text}'.`);
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            value += ch;
            j += 2;
            continue;
          }
          break;
        }
        value += text[j++];
      }
      tokens.push({ type: 'string', text: rest.slice(0, j + 1 - i), value, pos: i });
      i = j + 1;
    } else if (GUID.test(rest)) {
      const m = GUID.exec(rest)![0];
      tokens.push({ type: 'guid', text: m, value: m.toLowerCase(), pos: i });
      i += m.length;
    } else if (DATE.test(rest)) {
      const m = DATE.exec(rest)![0];
      const ms = Date.parse(m);
      if (Number.isNaN(ms)) throw syntaxError(text, i);
      tokens.push({ type: 'date', text: m, value: ms, pos: i });
      i += m.length;
    } else if (NUMBER.test(rest)) {
      const m = NUMBER.exec(rest)![0];
      tokens.push({ type: 'number', text: m, value: Number(m.replace(/[mMdDlL]$/, '')), pos: i });
      i += m.length;
    } else if (IDENT.test(rest)) {
      const m = IDENT.exec(rest)![0];
      tokens.push({ type: 'ident', text: m, pos: i });
      i += m.length;
    } else {
      throw badRequest(`Syntax error: character '${ch}' is not valid at position ${i} in '${text}'.`);
    }
  }
  return tokens;
}

class Parser {
  private at = 0;
  constructor(
    private readonly text: string,
    private readonly tokens: Token[],
    private readonly entity: EntityDef,
  ) {}

  parse(): FilterNode {
    if (this.tokens.length === 0) throw badRequest(`The $filter expression is empty.`);
    const node = this.or(0);
    if (this.peek()) throw syntaxError(this.text, this.peek()!.pos);
    return node;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token {
    const t = this.tokens[this.at++];
    if (!t) throw badRequest(`Expression expected at position ${this.text.length} in '${this.text}'.`);
    return t;
  }

  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw syntaxError(this.text, t.pos);
  }

  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.type === 'ident' && t.text === word;
  }

  private or(depth: number): FilterNode {
    let left = this.and(depth);
    while (this.isWord('or')) {
      this.at++;
      left = { kind: 'or', left, right: this.and(depth) };
    }
    return left;
  }

  private and(depth: number): FilterNode {
    let left = this.unary(depth);
    while (this.isWord('and')) {
      this.at++;
      left = { kind: 'and', left, right: this.unary(depth) };
    }
    return left;
  }

  private unary(depth: number): FilterNode {
    if (depth > MAX_DEPTH)
      throw badRequest(`The $filter expression is nested more than ${MAX_DEPTH} levels deep.`);
    if (this.isWord('not')) {
      this.at++;
      return { kind: 'not', expr: this.unary(depth + 1) };
    }
    const t = this.peek();
    if (t?.text === '(') {
      this.at++;
      const inner = this.or(depth + 1);
      this.expect(')');
      return inner;
    }
    return this.primary();
  }

  private primary(): FilterNode {
    const t = this.next();
    if (t.type !== 'ident') throw syntaxError(this.text, t.pos);
    if (TEXT_FUNCTIONS.has(t.text)) {
      this.expect('(');
      const property = this.property(this.next());
      this.expect(',');
      const value = this.next();
      if (value.type !== 'string') throw syntaxError(this.text, value.pos);
      this.expect(')');
      return { kind: 'text', fn: t.text as 'contains', property, value: String(value.value) };
    }
    if (t.text === 'Microsoft.Dynamics.CRM.In') return this.inFunction();
    if (t.text.includes('.'))
      throw badRequest(`Unknown function '${t.text}' at position ${t.pos} in '${this.text}'.`);
    const property = this.property(t);
    const op = this.next();
    if (op.type !== 'ident' || !COMPARISONS.has(op.text)) throw syntaxError(this.text, op.pos);
    return { kind: 'cmp', op: op.text as ComparisonOp, property, value: this.literal() };
  }

  private inFunction(): FilterNode {
    this.expect('(');
    let property: PropertyRef | undefined;
    let values: Literal[] | undefined;
    for (let i = 0; i < 2; i++) {
      const name = this.next();
      this.expect('=');
      if (name.text === 'PropertyName') {
        const v = this.next();
        if (v.type !== 'string') throw syntaxError(this.text, v.pos);
        property = this.property({ ...v, type: 'ident', text: String(v.value) });
      } else if (name.text === 'PropertyValues') {
        this.expect('[');
        values = [];
        while (this.peek()?.text !== ']') {
          values.push(this.literal());
          if (this.peek()?.text === ',') this.at++;
        }
        this.expect(']');
      } else throw syntaxError(this.text, name.pos);
      if (i === 0) this.expect(',');
    }
    this.expect(')');
    if (!property || !values) throw syntaxError(this.text, 0);
    return { kind: 'in', property, values };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.type === 'ident') {
      if (t.text === 'null') return null;
      if (t.text === 'true') return true;
      if (t.text === 'false') return false;
      throw syntaxError(this.text, t.pos);
    }
    if (t.type === 'punct') throw syntaxError(this.text, t.pos);
    return t.value ?? null;
  }

  private property(t: Token): PropertyRef {
    if (t.type !== 'ident') throw syntaxError(this.text, t.pos);
    const lookup = lookupFromValueProperty(this.entity, t.text);
    if (lookup) return { name: t.text, attribute: lookup };
    const attribute = attributeOf(this.entity, t.text);
    if (!attribute || isLookup(attribute)) throw unknownProperty(this.entity.logicalName, t.text);
    return { name: t.text, attribute };
  }
}

export function parseFilter(text: string, entity: EntityDef): FilterNode {
  return new Parser(text, tokenize(text), entity).parse();
}

/** The value a filter or sort compares: lookups by id, dates as epoch ms, strings lower-cased. */
export function comparableValue(record: DvRecord, attr: AttributeDef): Literal {
  if (attr.logicalName === 'createdon') return record.createdOn;
  if (attr.logicalName === 'modifiedon') return record.modifiedOn;
  if (attr.logicalName === 'versionnumber') return record.version;
  const raw = record.values[attr.logicalName];
  if (raw === undefined || raw === null) return null;
  if (isLookupValue(raw)) return raw.id;
  if (attr.type === 'DateTime' && typeof raw === 'string') return Date.parse(raw);
  if (typeof raw === 'string') return raw.toLowerCase();
  return raw as Literal;
}

function normalise(value: Literal): Literal {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function compare(op: ComparisonOp, left: Literal, right: Literal): boolean {
  if (op === 'eq') return left === right;
  if (op === 'ne') return left !== right;
  if (left === null || right === null) return false;
  if (op === 'gt') return left > right;
  if (op === 'ge') return left >= right;
  if (op === 'lt') return left < right;
  return left <= right;
}

export function matches(node: FilterNode, record: DvRecord): boolean {
  switch (node.kind) {
    case 'and':
      return matches(node.left, record) && matches(node.right, record);
    case 'or':
      return matches(node.left, record) || matches(node.right, record);
    case 'not':
      return !matches(node.expr, record);
    case 'cmp':
      return compare(node.op, comparableValue(record, node.property.attribute), normalise(node.value));
    case 'in': {
      const value = comparableValue(record, node.property.attribute);
      return node.values.some((v) => normalise(v) === value);
    }
    case 'text': {
      const value = comparableValue(record, node.property.attribute);
      if (typeof value !== 'string') return false;
      const needle = node.value.toLowerCase();
      if (node.fn === 'contains') return value.includes(needle);
      if (node.fn === 'startswith') return value.startsWith(needle);
      return value.endsWith(needle);
    }
  }
}
