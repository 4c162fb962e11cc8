import fs from 'node:fs';
import path from 'node:path';

/**
 * The vendor's stated allocation is the truth: `lua/budget-correct-1.lua` stores the limit a vendor's
 * headers state (`vlimit`) and every take uses it, up or down from the configured default. The README
 * once said headers could only lower the budget, which left a new user reading `/metrics` (149,873 left
 * of a "15,000" budget) sure that something was broken. Hold the README and the comments to the code.
 */
const ROOT = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const correctScript = fs.readFileSync(path.join(ROOT, 'src/ratelimit/lua/budget-correct-1.lua'), 'utf8');
const crms = [
  'src/config/crms.ts',
  'src/connectors/salesforce/declaration.ts',
  'src/connectors/hubspot/declaration.ts',
]
  .map((file) => fs.readFileSync(path.join(ROOT, file), 'utf8'))
  .join('\n');

function paragraph(title: string, after = ''): string {
  const from = after ? readme.indexOf(after) : 0;
  const start = readme.indexOf(`**${title}.**`, from);
  if (from < 0 || start < 0) throw new Error(`README.md has no **${title}.** paragraph ${after}`);
  const end = readme.indexOf('\n\n', start);
  return readme.slice(start, end < 0 ? undefined : end).replace(/\s+/g, ' ');
}

describe('README on vendor-stated budget allocations', () => {
  it('the correction script adopts the vendor limit (the premise of what follows)', () => {
    expect(correctScript).toMatch(/HSET', key, 'vlimit', ARGV\[5\]/);
  });

  it('says a stated allocation becomes the limit, up or down', () => {
    const budgets = paragraph('Budgets');
    expect(budgets).toMatch(/Sforce-Limit-Info: api-usage=N\/M/);
    expect(budgets).toMatch(/becomes the budget's limit, up or down/);
    expect(budgets).not.toMatch(/can only lower what we believe/);
  });

  it('says the Salesforce default of 15,000 gives way to the org allocation', () => {
    const limits = paragraph('Limits', '### Salesforce');
    expect(limits).toMatch(/15,000/);
    expect(limits).toMatch(/replaces the default of 15,000 \(up or down\)/);
  });

  it('no comment in the CRM declarations says the headers only lower the limit', () => {
    expect(crms).not.toMatch(/raises nothing|only lowers/);
  });
});
