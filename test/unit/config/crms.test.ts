import fs from 'node:fs';
import path from 'node:path';
import { CRMS, CRM_KINDS, crmDeclaration } from '../../../src/connectors/registry';
import { sandboxRegistry } from '../../../src/sandbox/registry';

const ROOT = path.resolve(__dirname, '../../..');

/** The README's "## Connectors" section: one `### <displayName>` per CRM. */
function readmeConnectorHeadings(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Connectors\s*$([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/^### (.+)$/gm)].map((m) => m[1].trim());
}

const exists = (relative: string): boolean => fs.existsSync(path.join(ROOT, relative));

/**
 * The parts of a CRM besides its registry line (CONTRIBUTING.md "Adding a CRM"): each says where it
 * belongs, so a failure names the file to write.
 */
const PARTS: { part: string; where: (kind: string) => string; present: (kind: string) => boolean }[] = [
  {
    part: 'connector folder with its definition',
    where: (kind) => `src/connectors/${kind}/index.ts`,
    present: (kind) => exists(`src/connectors/${kind}/index.ts`),
  },
  {
    part: 'sandbox registry entry',
    where: (kind) => `src/sandbox/registry.ts (and its folder src/sandbox/${kind}/)`,
    present: (kind) => Object.prototype.hasOwnProperty.call(sandboxRegistry, kind),
  },
  {
    part: 'conformance target',
    where: (kind) => `test/integration/conformance/${kind}.target.ts`,
    present: (kind) => exists(`test/integration/conformance/${kind}.target.ts`),
  },
  {
    part: 'vendor facts file',
    where: (kind) => `docs/vendors/${kind}.md`,
    present: (kind) => exists(`docs/vendors/${kind}.md`),
  },
  {
    part: 'README section',
    where: (kind) => `README.md: "### ${crmDeclaration(kind).displayName}" under "## Connectors"`,
    present: (kind) => readmeConnectorHeadings().includes(crmDeclaration(kind).displayName),
  },
];

describe.each(CRM_KINDS)('registered CRM %s', (kind) => {
  it.each(PARTS.map((p) => [p.part, p] as const))('has its %s', (_part, { part, where, present }) => {
    if (!present(kind)) {
      throw new Error(
        `${kind} is registered in src/connectors/registry.ts but has no ${part}: add ${where(kind)} ` +
          '(see CONTRIBUTING.md "Adding a CRM")',
      );
    }
  });

  it('is well-formed data', () => {
    const d = CRMS[kind];
    expect(d.kind).toBe(kind);
    expect(new URL(d.hosts.auth).protocol).toBe('https:');
    if (d.hosts.api) expect(new URL(d.hosts.api).protocol).toBe('https:');
    // No default API host: the token response names it, or the connection does (a vendor host pattern).
    else expect(d.tokenApiHost ?? d.vendorHostPatterns?.api).toBeDefined();
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

describe('registered CRMs', () => {
  it('refuses unknown kinds by name', () => {
    expect(() => crmDeclaration('salesfarce')).toThrow(
      /unknown CRM kind "salesfarce": expected one of salesforce, hubspot/,
    );
  });
});

describe('API versions', () => {
  // Pinned once per vendor in src/connectors/<crm>/declaration.ts; sandboxes simulate several versions
  // on purpose.
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

  it("appear nowhere in src/ but each CRM's declaration.ts (and the sandboxes)", () => {
    const offenders: string[] = [];
    // Every connector folder's declaration, registered or still being built (a folder is a CRM).
    const connectors = path.join(ROOT, 'src', 'connectors');
    const declarations = fs
      .readdirSync(connectors, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(connectors, e.name, 'declaration.ts'))
      .filter((file) => fs.existsSync(file));
    expect(declarations).toEqual(
      expect.arrayContaining(CRM_KINDS.map((kind) => path.join(connectors, kind, 'declaration.ts'))),
    );
    for (const file of sourceFiles(path.join(ROOT, 'src'))) {
      if (declarations.includes(file)) continue;
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
