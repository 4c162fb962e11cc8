import fs from 'node:fs';
import path from 'node:path';
import { CRMS, CRM_KINDS, crmDeclaration, isCrmKind } from '../../../src/config/crms';
import { hasConnector } from '../../../src/connectors/registry';
import { DEFAULT_MAPPINGS } from '../../../src/mapping/defaults';
import { sandboxRegistry } from '../../../src/sandbox/registry';

const ROOT = path.resolve(__dirname, '../../..');

type Requirement = 'connector' | 'sandbox' | 'default mapping' | 'README section';

/**
 * What a declared CRM still lacks, on purpose, while its connector issue is open. Each listed gap must
 * still BE a gap (the test fails once it is filled, so the entry gets removed), and every requirement
 * not listed is checked. When the list is empty, every declared CRM is complete.
 */
const KNOWN_GAPS: Partial<Record<string, Requirement[]>> = {};

/** The README's "## Connectors" section: one `### <displayName>` per CRM. */
function readmeConnectorHeadings(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Connectors\s*$([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/^### (.+)$/gm)].map((m) => m[1].trim());
}

function present(kind: string, requirement: Requirement): boolean {
  switch (requirement) {
    case 'connector':
      return hasConnector(kind);
    case 'sandbox':
      return Object.prototype.hasOwnProperty.call(sandboxRegistry, kind);
    case 'default mapping':
      return isCrmKind(kind) && DEFAULT_MAPPINGS[kind] !== undefined;
    case 'README section':
      return readmeConnectorHeadings().includes(crmDeclaration(kind).displayName);
  }
}

const REQUIREMENTS: Requirement[] = ['connector', 'sandbox', 'default mapping', 'README section'];

describe.each(CRM_KINDS)('declared CRM %s', (kind) => {
  it.each(REQUIREMENTS)('has a %s (or lists it as a known gap that is still open)', (requirement) => {
    const isGap = KNOWN_GAPS[kind]?.includes(requirement) ?? false;
    if (isGap) {
      if (present(kind, requirement)) {
        throw new Error(
          `${kind} now has a ${requirement}: remove it from KNOWN_GAPS in test/unit/config/crms.test.ts`,
        );
      }
    } else if (!present(kind, requirement)) {
      throw new Error(
        `${kind} is declared in src/config/crms.ts but has no ${requirement} (see CONTRIBUTING.md "Adding a CRM")`,
      );
    }
  });

  it('is well-formed data', () => {
    const d = CRMS[kind];
    expect(d.kind).toBe(kind);
    expect(new URL(d.hosts.auth).protocol).toBe('https:');
    if (d.hosts.api) expect(new URL(d.hosts.api).protocol).toBe('https:');
    else expect(d.tokenApiHost).toBeDefined();
    expect(Object.keys(d.apiVersion).length).toBeGreaterThan(0);
    expect(d.batch.read).toBeGreaterThan(0);
    expect(d.batch.write).toBeGreaterThan(0);
    expect(d.budgets.length).toBeGreaterThan(0);
    for (const b of d.budgets) {
      expect(b.limit).toBeGreaterThan(0);
      expect(b.windowMs).toBeGreaterThan(0);
      expect(b.interactiveReserve ?? 0.2).toBeGreaterThanOrEqual(0);
      expect(b.interactiveReserve ?? 0.2).toBeLessThan(1);
    }
    expect(new Set(d.budgets.map((b) => b.name)).size).toBe(d.budgets.length);
    if (d.authKinds.includes('oauth2_code')) expect(d.oauth).toBeDefined();
    if (d.tokenApiHost) {
      for (const host of ['evil.example', '127.0.0.1', 'localhost', `${d.kind}.com.evil.example`]) {
        expect(d.tokenApiHost.hostPattern.test(host)).toBe(false);
      }
    }
  });
});

describe('declared CRMs', () => {
  it('has no known gap for an undeclared CRM', () => {
    expect(Object.keys(KNOWN_GAPS).filter((k) => !isCrmKind(k))).toEqual([]);
  });

  it('refuses unknown kinds by name', () => {
    expect(() => crmDeclaration('salesfarce')).toThrow(
      /unknown CRM kind "salesfarce": expected one of salesforce, hubspot/,
    );
  });
});

describe('API versions', () => {
  // Pinned once per vendor in src/config/crms.ts; sandboxes simulate several versions on purpose.
  // A `v<digits>[.<digits>]` path segment or string, wherever it ends: before `/`, a quote, `?`, `#`
  // or the end of the line (`/services/data/v62.0`, `\`/crm/v3\``, `"/crm/v3?x"`, `'v62.0'`).
  const VERSION_IN_CODE = [/(^|[/'"`])v\d{1,3}(\.\d+)?(?=$|[/'"`?#])/, /['"`]\d{2}\.0['"`]/];
  const flagged = (line: string): boolean => VERSION_IN_CODE.some((re) => re.test(line));

  it.each([
    ["const base = '/services/data/v62.0';"],
    ['/services/data/v62.0'],
    ['const p = `/crm/v3`;'],
    ['const p = "/crm/v3?x";'],
    ['const p = `/crm/v4/objects`;'],
    ["const v = 'v62.0';"],
    ['url: "/crm/v3#frag"'],
    ["version: '62.0'"],
  ])('the detector flags %s', (line) => expect(flagged(line)).toBe(true));

  it.each([
    ['const v2 = 1;'],
    ['const dev1 = "dev1/x";'],
    ['`/crm/${HUBSPOT_API_VERSION.crm}/objects`'],
    ['const env3 = process.env.V3;'],
  ])('the detector leaves %s alone', (line) => expect(flagged(line)).toBe(false));

  function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return p.endsWith(path.join('src', 'sandbox')) ? [] : sourceFiles(p);
      return e.name.endsWith('.ts') ? [p] : [];
    });
  }

  it('appear nowhere in src/ but config/crms.ts (and the sandboxes)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      if (file.endsWith(path.join('config', 'crms.ts'))) continue;
      const code = fs
        .readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|\s)\/\/.*$/gm, '$1');
      code.split('\n').forEach((line, i) => {
        if (flagged(line)) offenders.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });
});
