/**
 * SOQL string literals as Salesforce reads them ("Quoted String Escape Sequences", SOQL and SOSL
 * Reference): the backslash escapes `\n \r \t \b \f` (either case), `\" \' \\`, `\uXXXX`, and — in a
 * LIKE pattern only — `\%` and `\_`. A backslash in any other context is an error. The order matters
 * for LIKE: `'a\\%'` is `a`, an escaped backslash, then the `%` wildcard; only `\%` makes a literal `%`.
 *
 * The doc names `\b` "Bell" while its translations say backspace; backspace (U+0008, what `\b` means in
 * Java and Apex) is kept here [UNVERIFIED]. Whether a `%` written as `\u0025` is a wildcard is not
 * documented: it is read as text here [UNVERIFIED].
 */

/** A malformed escape at `offset` in the literal's body (the text between the quotes). */
export class SoqlLiteralError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** Sequences valid in every literal; the letters also upper-case (`\N` is a new line). */
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/** LIKE wildcards; `\%` and `\_` are valid in a LIKE pattern only. */
const WILDCARDS = new Set(['%', '_']);

const UNICODE = /^[0-9A-Fa-f]{4}$/;

/**
 * The end of the literal opening at `start` (the index of its closing quote), or -1 when unterminated.
 * A backslash always takes the next character with it, so `\'` never closes the literal.
 */
export function literalEnd(soql: string, start: number): number {
  for (let j = start + 1; j < soql.length; j++) {
    if (soql[j] === '\\') j++;
    else if (soql[j] === "'") return j;
  }
  return -1;
}

/** The value of a literal used as a value (`=`, `IN`, …); `body` is the text between the quotes. */
export function decodeLiteral(body: string): string {
  return decode(body, false);
}

/**
 * A LIKE pattern, normalised: `%` and `_` are wildcards, and `\%`, `\_` and `\\` stand for those
 * characters as text; every other character is itself (escape sequences already applied).
 */
export function decodeLikePattern(body: string): string {
  return decode(body, true);
}

function decode(body: string, like: boolean): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = body[i + 1] ?? '';
    if (WILDCARDS.has(next)) {
      if (!like) throw invalid(next, i);
      out += `\\${next}`;
      i++;
      continue;
    }
    if (next === 'u') {
      const hex = body.slice(i + 2, i + 6);
      if (!UNICODE.test(hex)) throw invalid(`u${hex}`, i);
      out += like ? likeText(String.fromCharCode(parseInt(hex, 16))) : String.fromCharCode(parseInt(hex, 16));
      i += 5;
      continue;
    }
    const mapped = ESCAPES[next] ?? (/^[NRTBF]$/.test(next) ? ESCAPES[next.toLowerCase()] : undefined);
    if (mapped === undefined) throw invalid(next, i);
    out += like ? likeText(mapped) : mapped;
    i++;
  }
  return out;
}

/** A character as text in a normalised LIKE pattern. */
function likeText(ch: string): string {
  return ch === '\\' || WILDCARDS.has(ch) ? `\\${ch}` : ch;
}

function invalid(sequence: string, offset: number): SoqlLiteralError {
  return new SoqlLiteralError(`Invalid string literal escape sequence \\${sequence}`, offset);
}
