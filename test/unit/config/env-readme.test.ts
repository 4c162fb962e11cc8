import fs from 'node:fs';
import path from 'node:path';
import { envSchema } from '../../../src/config/env';

/**
 * The README's variable tables are what operators read; `envSchema` is what the processes accept. The
 * main table sits between `<!-- env:start -->` and `<!-- env:end -->`, the test-tooling table between
 * `<!-- env-tooling:start -->` and `<!-- env-tooling:end -->`; each row's first column is the variable in
 * backticks.
 */
const ROOT = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function tableVariables(marker: string): string[] {
  const match = new RegExp(`<!-- ${marker}:start -->([\\s\\S]*?)<!-- ${marker}:end -->`).exec(readme);
  if (!match) throw new Error(`README.md has no <!-- ${marker}:start --> … <!-- ${marker}:end --> block`);
  const rows = match[1]!
    .split('\n')
    .map((line) => /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|.*\|$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[1]!);
  expect(rows.length).toBeGreaterThan(0);
  expect(new Set(rows).size).toBe(rows.length); // each variable once
  return rows;
}

describe("README's environment-variable tables", () => {
  const schemaKeys = Object.keys(envSchema.shape).sort();

  it('list exactly the variables of src/config/env.ts: none missing, none the schema does not know', () => {
    const documented = tableVariables('env');
    expect(schemaKeys.filter((k) => !documented.includes(k))).toEqual([]); // undocumented variables
    expect(documented.filter((k) => !schemaKeys.includes(k))).toEqual([]); // documented but not read
    expect(schemaKeys.length).toBeGreaterThan(10); // the schema's keys were really read
  });

  it('keep test-tooling variables apart, each read by the tooling and unknown to the processes', () => {
    const tooling = tableVariables('env-tooling');
    const toolingSources = [
      'scripts/setup.js',
      '.ci/run',
      'test/support/browser.ts',
      'test/support/global-setup.js',
    ].map((f) => fs.readFileSync(path.join(ROOT, f), 'utf8'));
    for (const name of tooling) {
      expect(schemaKeys).not.toContain(name);
      expect(toolingSources.some((source) => source.includes(name))).toBe(true);
    }
  });
});
