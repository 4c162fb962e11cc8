import fs from 'node:fs';
import path from 'node:path';

/**
 * "One way to get stores": `npm start`, the test setup and the benchmarks all go through the service
 * manager (src/runtime/services: startStores / startThrowawayStores), which also refuses an external
 * Redis that could evict jobs. Starting an embedded store directly skips that check, so outside the
 * service manager itself only the tests of those starters may call them.
 */
const ROOT = path.resolve(__dirname, '../../..');
const DIRECT_STARTERS = /\b(startEmbeddedRedis|startEmbeddedFerretDb)\b/;

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .flatMap((e) =>
      e.isFile() && /\.(ts|js)$/.test(e.name) ? [path.relative(ROOT, path.join(e.parentPath, e.name))] : [],
    );
}

describe('the one service manager', () => {
  it('is the only caller of the embedded store starters (benches, entry points, test support)', () => {
    const callers = ['src', 'bench', 'scripts', 'test/support']
      .flatMap(sources)
      .filter((f) => !f.startsWith(path.join('src', 'runtime', 'services') + path.sep))
      .filter((f) => DIRECT_STARTERS.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(callers).toEqual([]);
  });

  it('is what every benchmark that needs stores uses', () => {
    for (const bench of sources('bench').filter((f) => f.endsWith('.bench.ts'))) {
      const text = fs.readFileSync(path.join(ROOT, bench), 'utf8');
      if (!/\bnew Redis\(|mongoose|createAppContext/.test(text)) continue; // needs no store
      expect({ bench, usesServiceManager: /\bstartThrowawayStores\(/.test(text) }).toEqual({
        bench,
        usesServiceManager: true,
      });
    }
  });
});
