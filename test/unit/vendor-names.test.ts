import fs from 'node:fs';
import path from 'node:path';

/**
 * Vendor knowledge lives in its vendor's folders: no vendor name in src/ outside
 * `src/connectors/<crm>/`, `src/sandbox/<crm>/` and the two registries that list them. Shared code,
 * GraphQL descriptions and errors say what a CRM does, not which one does it; vendor facts are in
 * docs/vendors/<crm>.md. The names are those of the CRMs we have and the ones planned.
 */
const ROOT = path.resolve(__dirname, '../..');
const VENDOR_NAMES = /salesforce|hubspot|sforce|hub_id|zoho|dynamics|pipedrive/i;
const VENDORS = ['salesforce', 'hubspot', 'zoho', 'dynamics', 'pipedrive'];
/** A vendor's own folder is named after it; any other folder under src/ is shared. */
const VENDOR_FOLDER = new RegExp(`^src/(connectors|sandbox)/(${VENDORS.join('|')})/`);
const REGISTRIES = ['src/connectors/registry.ts', 'src/sandbox/registry.ts'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : [path.relative(ROOT, p).split(path.sep).join('/')];
  });
}

function inVendorFolder(file: string): boolean {
  return VENDOR_FOLDER.test(file);
}

const FILES = sourceFiles(path.join(ROOT, 'src'));
const naming = (file: string): boolean => VENDOR_NAMES.test(fs.readFileSync(path.join(ROOT, file), 'utf8'));

describe('vendor names', () => {
  it('appear in src/ only in vendor folders and the registries', () => {
    const offenders = FILES.filter((f) => !inVendorFolder(f) && !REGISTRIES.includes(f) && naming(f));
    expect(offenders).toEqual([]);
  });

  it('each vendor with a connector folder has its facts file, docs/vendors/<crm>.md', () => {
    const vendors = VENDORS.filter((v) => fs.existsSync(path.join(ROOT, 'src/connectors', v)));
    expect(vendors.length).toBeGreaterThan(0);
    const missing = vendors.filter((v) => !fs.existsSync(path.join(ROOT, 'docs/vendors', `${v}.md`)));
    expect(missing).toEqual([]);
  });

  it('code cites vendor facts by their section of docs/vendors/<crm>.md, and every cited section exists', () => {
    const cited = new Set<string>();
    const outside: string[] = [];
    for (const file of FILES) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(/docs\/vendors\/(\w+)\.md "([^"]+)"/g)) cited.add(`${m[1]}\t${m[2]}`);
      // Tags of a vendor document the repository does not hold ("B6", "Part A10") or a path outside it.
      if (/\bPart [A-C]\d*\b|\b[AB]\d{1,2}(\.\d+)*\)|\.\.\/shared\//.test(text)) outside.push(file);
    }
    expect(outside).toEqual([]);
    expect(cited.size).toBeGreaterThan(0);
    const missing = [...cited].filter((c) => {
      const [crm, section] = c.split('\t') as [string, string];
      const doc = path.join(ROOT, 'docs/vendors', `${crm}.md`);
      return !fs.existsSync(doc) || !fs.readFileSync(doc, 'utf8').includes(`## ${section}\n`);
    });
    expect(missing).toEqual([]);
  });

  it.each([
    ['src/connectors/hubspot/records.ts', true],
    ['src/sandbox/salesforce/query.ts', true],
    ['src/connectors/http/hooks.ts', false],
    ['src/sandbox/core/server.ts', false],
    ['src/reads/list.ts', false],
  ])('treats %s as a vendor folder: %s', (file, expected) => expect(inVendorFolder(file)).toBe(expected));
});
