import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { openAdminStore } from '../../support/admin-store';
import { testStoreUrls, uniqueName } from '../../support/stores';

const run = promisify(execFile);
const ADMIN = path.resolve(__dirname, '../../../dist/bin/admin.js');
const CREDENTIALS_KEYS = `t:${Buffer.alloc(32, 3).toString('base64')}`;

/** `npm run admin` as an operator uses it: a separate process against the same stores. */
describe('admin command', () => {
  const dbName = uniqueName('admin');

  async function admin(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    const { mongodbUri, redisUrl } = testStoreUrls();
    const uri = new URL(mongodbUri);
    uri.pathname = `/${dbName}`;
    try {
      const out = await run(process.execPath, [ADMIN, ...args], {
        env: { ...process.env, MONGODB_URI: uri.toString(), REDIS_URL: redisUrl, CREDENTIALS_KEYS },
      });
      return { ...out, code: 0 };
    } catch (err) {
      const e = err as { stdout: string; stderr: string; code: number };
      return { stdout: e.stdout, stderr: e.stderr, code: e.code };
    }
  }

  it('creates a tenant and a key that authenticates; a revoked key does not', async () => {
    expect((await admin('tenants:create', 'cli-tenant')).stdout).toMatch(
      /created tenant [0-9a-f]{24} \(cli-tenant\)/,
    );
    expect((await admin('tenants:list')).stdout).toContain('cli-tenant');

    const created = await admin('keys:create', '--tenant', 'cli-tenant', '--scope', 'read', '--name', 'ci');
    const key = created.stdout.trim().split('\n').pop()!;
    expect(key).toMatch(/^cgw_[a-z0-9]{8}_/);

    const { store } = await openAdminStore(dbName, CREDENTIALS_KEYS);
    try {
      const auth = await store.apiKeys.authenticate(key);
      expect(auth?.scope).toBe('read');
      const listed = await admin('keys:list', '--tenant', 'cli-tenant');
      expect(listed.stdout).toContain('active');
      expect(listed.stdout).not.toContain(key);

      expect((await admin('keys:revoke', auth!.keyId)).code).toBe(0);
      expect(await store.apiKeys.authenticate(key)).toBeNull();
      expect((await admin('keys:list', '--tenant', 'cli-tenant')).stdout).toContain('revoked');
    } finally {
      await store.close();
    }
  });

  it('explains bad input with a code and exits non-zero', async () => {
    const dup = await admin('tenants:create', 'cli-tenant');
    const again = dup.code === 0 ? await admin('tenants:create', 'cli-tenant') : dup;
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('error (CONFLICT)');
    const scope = await admin('keys:create', '--tenant', 'cli-tenant', '--scope', 'admin');
    expect(scope.stderr).toContain('--scope must be one of read, read_write, got "admin"');
    const unknown = await admin('nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('usage: npm run admin');
  });

  it('re-encrypts credentials', async () => {
    const out = await admin('credentials:reencrypt');
    expect(out.stdout).toMatch(/scanned \d+ connections, re-encrypted \d+ under key t/);
  });
});
