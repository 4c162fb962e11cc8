import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `scripts/build.js` skips tsc when its stamp matches a hash of the build's inputs. A stale dist/ would
 * run old code under `npm start` and `npm test`, so every input must move the hash.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const build = require('../../../scripts/build.js') as {
  buildInputs(root: string): string[];
  inputsHash(root: string): string;
};

let root: string;
const write = (rel: string, content: string) => {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), content);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'build-stamp-'));
  write('src/index.ts', 'export const a = 1;\n');
  write('src/ratelimit/lua/take.lua', 'return 1\n');
  for (const f of ['tsconfig.json', 'package.json', 'package-lock.json']) write(f, '{}\n');
  write('scripts/build.js', '// build\n');
  write('scripts/copy-assets.js', '// copy\n');
  write('scripts/build-console.js', '// bundle\n');
  write('console/main.tsx', 'export {};\n');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('the build stamp', () => {
  it('is the same for the same inputs', () => {
    expect(build.inputsHash(root)).toBe(build.inputsHash(root));
  });

  it.each([
    ['a source edited', () => write('src/index.ts', 'export const a = 2;\n')],
    ['a source added', () => write('src/new.ts', 'export {};\n')],
    ['a source removed', () => fs.rmSync(path.join(root, 'src/index.ts'))],
    [
      'a source renamed',
      () => fs.renameSync(path.join(root, 'src/index.ts'), path.join(root, 'src/main.ts')),
    ],
    ['an asset edited', () => write('src/ratelimit/lua/take.lua', 'return 2\n')],
    ['tsconfig.json edited', () => write('tsconfig.json', '{"compilerOptions":{}}\n')],
    ['package.json edited', () => write('package.json', '{"type":"module"}\n')],
    ['package-lock.json edited', () => write('package-lock.json', '{"v":2}\n')],
    ['copy-assets.js edited', () => write('scripts/copy-assets.js', '// copy more\n')],
    ['build.js edited', () => write('scripts/build.js', '// build more\n')],
    ['build-console.js edited', () => write('scripts/build-console.js', '// bundle more\n')],
    ['a console source edited', () => write('console/main.tsx', 'export const b = 1;\n')],
    ['a console source added', () => write('console/pages/new.tsx', 'export {};\n')],
  ])('changes when %s', (_what, change) => {
    const before = build.inputsHash(root);
    change();
    expect(build.inputsHash(root)).not.toBe(before);
  });

  it('counts every file under src/, whatever its extension', () => {
    write('src/data/table.json', '{}\n');
    expect(build.buildInputs(root)).toEqual(
      expect.arrayContaining(['src/index.ts', 'src/ratelimit/lua/take.lua', 'src/data/table.json']),
    );
  });
});
