import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../../..');
const GENERATED = 'test/e2e/generated/operations.ts';

/**
 * Runs the real `graphql-codegen` CLI on a copy of its inputs (codegen.ts, the committed schema, the
 * e2e operations) and compares its output with the committed file.
 */
describe(GENERATED, () => {
  it('is what `npm run codegen` makes from the committed schema and operations', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-codegen-'));
    try {
      fs.copyFileSync(path.join(ROOT, 'codegen.ts'), path.join(dir, 'codegen.ts'));
      fs.cpSync(path.join(ROOT, 'schema'), path.join(dir, 'schema'), { recursive: true });
      fs.cpSync(path.join(ROOT, 'test/e2e/operations'), path.join(dir, 'test/e2e/operations'), {
        recursive: true,
      });
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
      const fresh = fs.readFileSync(path.join(dir, GENERATED), 'utf8');
      const committed = fs.readFileSync(path.join(ROOT, GENERATED), 'utf8');
      if (fresh !== committed) {
        throw new Error(
          `${GENERATED} is stale: run \`npm run codegen\` (after \`npm run schema:emit\`) and commit it`,
        );
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
});
