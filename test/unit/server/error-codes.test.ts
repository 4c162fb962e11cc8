import fs from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../../../src/errors';

/**
 * The README's table of error codes is the client-facing contract; ERROR_CODES is what the server can
 * emit. The table sits between `<!-- error-codes:start -->` and `<!-- error-codes:end -->`; its first
 * column holds each code in backticks.
 */
const README = path.resolve(__dirname, '../../../README.md');

function tableRows(readme: string): [string, string][] {
  const match = /<!-- error-codes:start -->([\s\S]*?)<!-- error-codes:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no <!-- error-codes:start --> … <!-- error-codes:end --> block');
  return match[1]!
    .split('\n')
    .map((line) => /^\|\s*`([A-Z_]+)`\s*\|(.*)\|$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!.trim()]);
}

describe("README's error-code table", () => {
  it('lists exactly the codes of src/errors.ts, each once, with its description', () => {
    // A missing README or missing markers fail here: the contract check must never be skipped.
    const rows = tableRows(fs.readFileSync(README, 'utf8'));
    expect(rows.length).toBeGreaterThan(0);
    const codes = rows.map(([code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, meaning] of rows) expect(meaning).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES]);
  });
});

describe('ERROR_CODES', () => {
  it('describes every code', () => {
    for (const [code, description] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z_]+$/);
      expect(description.length).toBeGreaterThan(10);
    }
  });
});
