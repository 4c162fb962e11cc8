import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../../..');
/** Each generated file and the operations it is made from. */
const GENERATED: Record<string, string> = {
  'test/e2e/generated/operations.ts': 'test/e2e/operations',
  'console/generated/operations.ts': 'console/operations',
};

/**
 * Runs the real `graphql-codegen` CLI on a copy of its inputs (codegen.ts, the committed schema, the
 * e2e tests' and the console's operations) and compares its outputs with the committed files.
 */
describe('the generated operations', () => {
  it('are what `npm run codegen` makes from the committed schema and operations', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-codegen-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'codegen.ts'), path.join(dir, 'codegen.ts'));
      fs.cpSync(path.join(ROOT, 'schema'), path.join(dir, 'schema'), { recursive: true });
      for (const operations of Object.values(GENERATED)) {
        fs.cpSync(path.join(ROOT, operations), path.join(dir, operations), { recursive: true });
      }
      fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
      await promisify(execFile)(
        process.execPath,
        [
          path.join(ROOT, 'node_modules/@graphql-codegen/cli/cjs/bin.js'),
          '--config',
          'codegen.ts',
          '--silent',
        ],
        { cwd: dir },
      );
      for (const generated of Object.keys(GENERATED)) {
        const fresh = fs.readFileSync(path.join(dir, generated), 'utf8');
        const committed = fs.readFileSync(path.join(ROOT, generated), 'utf8');
        if (fresh !== committed) {
          throw new Error(
            `${generated} is stale: run \`npm run codegen\` (after \`npm run schema:emit\`) and commit it`,
          );
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
