import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Types } from 'mongoose';
import { PARTIAL_FAILURE_EXIT_CODE } from '../../../src/admin/commands';
import { type Store } from '../../../src/store';
import { openAdminStore } from '../../support/admin-store';
import { testStoreUrls, uniqueName } from '../../support/stores';

const run = promisify(execFile);
const ADMIN = path.resolve(__dirname, '../../../dist/bin/admin.js');
const CREDENTIALS_KEYS = `t:${Buffer.alloc(32, 3).toString('base64')}`;
const KEY_A = `a:${Buffer.alloc(32, 0xa).toString('base64')}`;
const KEY_B = `b:${Buffer.alloc(32, 0xb).toString('base64')}`;
const KEY_C = `c:${Buffer.alloc(32, 0xc).toString('base64')}`;

/** `npm run admin` as an operator uses it: a separate process against the same stores. */
describe('admin command', () => {
  const dbName = uniqueName('admin');

  async function admin(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    return adminOn({ db: dbName, keys: CREDENTIALS_KEYS }, ...args);
  }

  async function adminOn(
    target: { db: string; keys: string },
    ...args: string[]
  ): Promise<{ stdout: string; stderr: string; code: number }> {
    const { mongodbUri, redisUrl } = testStoreUrls();
    const uri = new URL(mongodbUri);
    uri.pathname = `/${target.db}`;
    try {
      const out = await run(process.execPath, [ADMIN, ...args], {
        env: {
          ...process.env,
          MONGODB_URI: uri.toString(),
          REDIS_URL: redisUrl,
          CREDENTIALS_KEYS: target.keys,
        },
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
      expect(listed.stdout).toMatch(/active {2}last used \d{4}-\d\d-\d\dT/); // the authentication above
      expect(listed.stdout).not.toContain(key);

      const widened = await admin('keys:set-scope', auth!.keyId, '--scope', 'read_write');
      expect(widened.stdout).toContain('now has scope read_write');
      expect((await store.apiKeys.authenticate(key))?.scope).toBe('read_write');

      expect((await admin('keys:revoke', auth!.keyId)).code).toBe(0);
      expect(await store.apiKeys.authenticate(key)).toBeNull();
      expect((await admin('keys:list', '--tenant', 'cli-tenant')).stdout).toContain('revoked');

      // Each key change is in the tenant's audit log, by the OS account the CLI ran as (docs/audit.md).
      const log = await store.auditEvents.list(auth!.tenantId, {}, 10, null);
      expect(log.nodes.map((e) => [e.action, e.targetIds])).toEqual([
        ['revokeApiKey', [auth!.keyId]],
        ['setApiKeyScope', [auth!.keyId]],
        ['createApiKey', [auth!.keyId]],
      ]);
      expect(log.nodes[0]!.actor).toEqual({
        kind: 'ADMIN_CLI',
        keyId: null,
        subject: expect.stringMatching(/^os:./),
      });
    } finally {
      await store.close();
    }
  }, 60_000); // eight CLI processes

  it('refuses to revoke by a prefix two keys share, naming both; a unique prefix revokes and reports its key', async () => {
    const tenant = uniqueName('prefix');
    await admin('tenants:create', tenant);
    type Created = { id: string; prefix: string; key: string };
    const created: Created[] = [];
    for (const name of ['a', 'b', 'c']) {
      const out = await admin('keys:create', '--tenant', tenant, '--name', name);
      const [, id, prefix] = /key ([0-9a-f]{24}) \(prefix ([a-z0-9]{8})\)/.exec(out.stdout)!;
      created.push({ id: id!, prefix: prefix!, key: out.stdout.trim().split('\n').pop()! });
    }
    const [a, b, c] = created as [Created, Created, Created];
    const { store } = await openAdminStore(dbName, CREDENTIALS_KEYS);
    try {
      // A prefix collision, as 8 random characters will eventually produce.
      await store.conn
        .db!.collection('apikeys')
        .updateOne({ _id: new Types.ObjectId(b.id) }, { $set: { prefix: a.prefix } });
      const ambiguous = await admin('keys:revoke', a.prefix);
      expect(ambiguous.code).toBe(1);
      expect(ambiguous.stderr).toContain('error (BAD_USER_INPUT)');
      expect(ambiguous.stderr).toContain(a.id);
      expect(ambiguous.stderr).toContain(b.id);
      expect(await store.apiKeys.authenticate(a.key)).not.toBeNull();
      expect(await store.apiKeys.authenticate(b.key)).not.toBeNull();

      const unique = await admin('keys:revoke', c.prefix);
      expect(unique.code).toBe(0);
      expect(unique.stdout).toContain(`revoked key ${c.id} (prefix ${c.prefix})`);
      expect(await store.apiKeys.authenticate(c.key)).toBeNull();
      expect(await store.apiKeys.authenticate(a.key)).not.toBeNull();
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

  /** Kid of every stored credentials blob, by connection id. */
  async function storedKids(store: Store): Promise<Record<string, string>> {
    const docs = await store.conn
      .collection<{ credentials: { kid: string } }>('connections')
      .find({}, { projection: { 'credentials.kid': 1 } })
      .toArray();
    return Object.fromEntries(docs.map((d) => [d._id.toString(), d.credentials.kid]));
  }

  async function createConnections(db: string, keys: string, count: number): Promise<string[]> {
    const { store } = await openAdminStore(db, keys);
    try {
      const tenant = await store.tenants.create(uniqueName('rotation'));
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const c = await store.connections.create({
          tenantId: tenant.id,
          crm: 'hubspot',
          displayName: `c${i}`,
          credentials: { accessToken: `token-${i}` },
        });
        ids.push(c.id);
      }
      return ids;
    } finally {
      await store.close();
    }
  }

  it('re-encrypts every connection written under key A when the ring becomes B,A', async () => {
    const db = uniqueName('rotate');
    const ids = await createConnections(db, KEY_A, 3);
    const rotated = `${KEY_B},${KEY_A}`;

    const out = await adminOn({ db, keys: rotated }, 'credentials:reencrypt');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('scanned 3 connections, re-encrypted 3 under key b');

    const { store } = await openAdminStore(db, rotated);
    try {
      expect(await storedKids(store)).toEqual(Object.fromEntries(ids.map((id) => [id, 'b'])));
      // Still the same credentials, now readable with key B alone.
      const { store: bOnly } = await openAdminStore(db, KEY_B);
      try {
        expect(await bOnly.connections.getCredentials(ids[1]!)).toEqual({ accessToken: 'token-1' });
      } finally {
        await bOnly.close();
      }
    } finally {
      await store.close();
    }

    // A second run finds nothing left to do.
    const again = await adminOn({ db, keys: rotated }, 'credentials:reencrypt');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('scanned 3 connections, re-encrypted 0 under key b');
  });

  it('exits non-zero and names the records it could not decrypt, re-encrypting the others', async () => {
    const db = uniqueName('rotatefail');
    const [lost] = await createConnections(db, KEY_C, 1); // its key is not in the ring below
    const ok = await createConnections(db, KEY_A, 2);
    const rotated = `${KEY_B},${KEY_A}`;

    const out = await adminOn({ db, keys: rotated }, 'credentials:reencrypt');
    expect(out.code).toBe(PARTIAL_FAILURE_EXIT_CODE);
    expect(out.stdout).toContain('scanned 3 connections, re-encrypted 2 under key b');
    expect(out.stdout).toContain(`1 could not be decrypted (tampered, or their key is gone): ${lost}`);

    const { store } = await openAdminStore(db, rotated);
    try {
      expect(await storedKids(store)).toEqual({ [lost!]: 'c', [ok[0]!]: 'b', [ok[1]!]: 'b' });
    } finally {
      await store.close();
    }
  });
});
