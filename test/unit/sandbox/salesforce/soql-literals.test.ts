import { executeSoql } from '../../../../src/sandbox/salesforce/soql-executor';
import {
  SoqlLiteralError,
  decodeLikePattern,
  decodeLiteral,
} from '../../../../src/sandbox/salesforce/soql-literals';
import { SoqlSyntaxError, parseSoql } from '../../../../src/sandbox/salesforce/soql-parser';
import { findObject } from '../../../../src/sandbox/salesforce/schema';
import { SfStore } from '../../../../src/sandbox/salesforce/store';

/**
 * SOQL "Quoted String Escape Sequences": `\n \r \t \b \f` (either case), `\" \' \\`, `\uXXXX`, and
 * `\% \_` in LIKE only; any other backslash is an error. Bodies below are the text between the quotes,
 * as it stands in the query (`String.raw`, so a `\` here is one backslash in the SOQL).
 */

describe('SOQL string literal escapes', () => {
  it.each([
    [String.raw`a\nb`, 'a\nb'],
    [String.raw`a\Nb`, 'a\nb'],
    [String.raw`a\rb`, 'a\rb'],
    [String.raw`a\Rb`, 'a\rb'],
    [String.raw`a\tb`, 'a\tb'],
    [String.raw`a\Tb`, 'a\tb'],
    [String.raw`a\bb`, 'a\bb'],
    [String.raw`a\Bb`, 'a\bb'],
    [String.raw`a\fb`, 'a\fb'],
    [String.raw`a\Fb`, 'a\fb'],
    [String.raw`a\"b`, 'a"b'],
    [String.raw`a\'b`, "a'b"],
    [String.raw`a\\b`, 'a\\b'],
    [String.raw`\u00e9t\u00C9`, 'étÉ'],
    [String.raw`a\\\\`, 'a\\\\'],
    // % and _ are plain characters outside LIKE.
    ['50%_off', '50%_off'],
  ])('reads %s in a value literal as %j', (body, value) => {
    expect(decodeLiteral(body)).toBe(value);
  });

  it.each([
    // The normalised pattern: `\%`, `\_`, `\\` are text; bare % and _ are wildcards.
    [String.raw`Ter%`, 'Ter%'],
    [String.raw`Ter\%`, String.raw`Ter\%`],
    [String.raw`Ter\%%`, String.raw`Ter\%%`],
    [String.raw`a\_b`, String.raw`a\_b`],
    // An escaped backslash, then a wildcard — not a literal "%".
    [String.raw`a\\%`, String.raw`a\\%`],
    [String.raw`a\\\%`, String.raw`a\\\%`],
    [String.raw`O\'B%`, "O'B%"],
    [String.raw`a\nb\Tc`, 'a\nb\tc'],
    [String.raw`\"q\"`, '"q"'],
    // A character written by its code is text, even a wildcard or a backslash [UNVERIFIED].
    [String.raw`\u0025\u005f\u005C`, String.raw`\%\_\\`],
  ])('reads %s in a LIKE pattern as %s', (body, pattern) => {
    expect(decodeLikePattern(body)).toBe(pattern);
  });

  it.each([
    [String.raw`50\%`, 2],
    [String.raw`a\_`, 1],
    [String.raw`\q`, 0],
    [String.raw`x\u12`, 1],
    [String.raw`x\uZZZZ`, 1],
    [String.raw`x\U0041`, 1],
    ['x\\', 1],
  ])('refuses %s in a value literal at its backslash (offset %i)', (body, offset) => {
    expect(() => decodeLiteral(body)).toThrow(SoqlLiteralError);
    try {
      decodeLiteral(body);
    } catch (err) {
      expect((err as SoqlLiteralError).offset).toBe(offset);
      expect((err as Error).message).toMatch(/Invalid string literal escape sequence/);
    }
  });

  it.each([String.raw`a\q%`, String.raw`a\u00`, 'a\\'])('refuses %s in a LIKE pattern too', (body) => {
    expect(() => decodeLikePattern(body)).toThrow(SoqlLiteralError);
  });

  it('refuses \\% outside LIKE with MALFORMED_QUERY pointing at the backslash, and accepts it in LIKE', () => {
    const soql = String.raw`SELECT Id FROM Contact WHERE LastName = '50\%'`;
    let error: unknown;
    try {
      parseSoql(soql);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SoqlSyntaxError);
    expect((error as Error).message).toMatch(/Invalid string literal escape sequence \\%/);
    expect((error as SoqlSyntaxError).position).toBe(soql.indexOf('\\'));
    expect(parseSoql(String.raw`SELECT Id FROM Contact WHERE LastName LIKE '50\%'`).where).toEqual({
      type: 'like',
      field: 'LastName',
      negated: false,
      pattern: String.raw`50\%`,
    });
    // An escaped quote does not end the literal.
    expect(parseSoql(String.raw`SELECT Id FROM Contact WHERE LastName = 'it\'s'`).where).toMatchObject({
      value: { kind: 'string', value: "it's" },
    });
  });
});

describe('SOQL LIKE matching with escapes', () => {
  const names = ['a%', 'a\\', 'a\\x', 'a\\%', 'a_', 'aX', 'ab', "O'Brien", 'Ter%ry'];
  const store = new SfStore('NA1');
  const contact = findObject('Contact')!;
  for (const LastName of names) {
    const r = store.create(contact, { LastName }, { userId: '005000000000001AAA', now: 0, mode: 'json' });
    if (!r.success) throw new Error(JSON.stringify(r.errors));
  }
  const like = (body: string): string[] =>
    executeSoql(store, parseSoql(`SELECT LastName FROM Contact WHERE LastName LIKE '${body}'`), {
      includeDeleted: false,
      now: 0,
    })
      .rows.map((r) => String(r.LastName))
      .sort();

  it.each([
    // `\\%`: a backslash then anything — "a\", "a\x", "a\%"; never the text "a%" alone.
    [String.raw`a\\%`, ['a\\', 'a\\%', 'a\\x']],
    // `\%`: exactly "a%".
    [String.raw`a\%`, ['a%']],
    // `\\\%`: a backslash and a percent sign, exactly.
    [String.raw`a\\\%`, ['a\\%']],
    // `\_`: exactly "a_"; a bare `_` is any one character.
    [String.raw`a\_`, ['a_']],
    ['a_', ['a%', 'a\\', 'a_', 'aX', 'ab']],
    [String.raw`Ter\%%`, ['Ter%ry']],
    [String.raw`o\'b%`, ["O'Brien"]],
  ])('LIKE %s matches %j', (body, expected) => {
    expect(like(body)).toEqual([...expected].sort());
  });
});
