/**
 * The store smoke test: every mongoose call pattern the repositories use, run against the embedded
 * MongoDB-wire server (FerretDB/SQLite in CI), so a pattern that only real MongoDB supports fails here.
 */
import crypto from 'node:crypto';
import { Types } from 'mongoose';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../src/errors';
import { KeyRing, DecryptionError } from '../../../src/security/credentials-cipher';
import { hashApiKey } from '../../../src/security/api-keys';
import { openStore, type Store } from '../../../src/store';
import { connectionModel } from '../../../src/store/models/connection.model';
import { testStoreUrls, uniqueName } from '../../support/stores';

const keyA = { kid: 'a', key: crypto.randomBytes(32) };
const keyB = { kid: 'b', key: crypto.randomBytes(32) };
let store: Store;
let dbName: string;

beforeAll(async () => {
  dbName = uniqueName('store');
  store = await openStore({ uri: testStoreUrls().mongodbUri, dbName, keyRing: new KeyRing([keyA]) });
});
afterAll(async () => {
  await store.conn.dropDatabase();
  await store.close();
});

describe('tenants', () => {
  it('round-trips and maps a unique-index violation to a typed ConflictError', async () => {
    const t = await store.tenants.create('acme');
    expect(await store.tenants.findById(t.id)).toEqual(t);
    expect(await store.tenants.findByName('acme')).toEqual(t);
    expect(await store.tenants.resolve('acme')).toEqual(t);
    expect(await store.tenants.resolve(t.id)).toEqual(t);
    const err = await store.tenants.create('acme').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).code).toBe('CONFLICT');
    expect((err as Error).message).toBe('a tenant named "acme" already exists');
    expect((await store.tenants.list()).map((x) => x.name)).toContain('acme');
    await expect(store.tenants.resolve('nobody')).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.tenants.findById('not-an-object-id')).toBeNull();
  });
});

describe('api keys', () => {
  it('stores only a hash, authenticates, and stops authenticating once revoked', async () => {
    const t = await store.tenants.create('keys-tenant');
    const { key, info } = await store.apiKeys.create(t.id, 'ci', 'read');
    const raw = await store.conn.db!.collection('apikeys').findOne({ prefix: info.prefix });
    expect(raw?.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(raw)).not.toContain(key.slice(-20));

    expect(await store.apiKeys.authenticate(key)).toEqual({ keyId: info.id, tenantId: t.id, scope: 'read' });
    expect(await store.apiKeys.authenticate(key + 'x')).toBeNull();
    expect(await store.apiKeys.authenticate('garbage')).toBeNull();

    const revoked = await store.apiKeys.revoke(info.prefix);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await store.apiKeys.authenticate(key)).toBeNull();
    // Revoking again keeps the first date.
    expect((await store.apiKeys.revoke(info.id)).revokedAt).toEqual(revoked.revokedAt);
    expect((await store.apiKeys.listForTenant(t.id)).map((k) => k.id)).toEqual([info.id]);
  });

  it('revokes by prefix only when the prefix names one key, and reports the key it revoked', async () => {
    const t = await store.tenants.create('prefix-tenant');
    const a = await store.apiKeys.create(t.id, 'a', 'read');
    const b = await store.apiKeys.create(t.id, 'b', 'read');
    const c = await store.apiKeys.create(t.id, 'c', 'read');
    // Prefixes are 8 random characters, not unique: give b the prefix of a, as a collision would.
    await store.conn
      .db!.collection('apikeys')
      .updateOne({ _id: new Types.ObjectId(b.info.id) }, { $set: { prefix: a.info.prefix } });

    const err = await store.apiKeys.revoke(a.info.prefix).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadUserInputError);
    expect((err as BadUserInputError).code).toBe('BAD_USER_INPUT');
    expect((err as Error).message).toContain(a.info.id);
    expect((err as Error).message).toContain(b.info.id);
    expect((err as BadUserInputError).details).toEqual({ candidateIds: [a.info.id, b.info.id] });
    // Refused means refused: neither key was revoked.
    expect(await store.apiKeys.authenticate(a.key)).not.toBeNull();
    expect(await store.apiKeys.authenticate(b.key)).not.toBeNull();

    // A unique prefix revokes that key, and the report names that same key.
    const revoked = await store.apiKeys.revoke(c.info.prefix);
    expect(revoked.id).toBe(c.info.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await store.apiKeys.authenticate(c.key)).toBeNull();

    // By id, one of the two sharing a prefix: exactly that one.
    expect((await store.apiKeys.revoke(b.info.id)).id).toBe(b.info.id);
    expect(await store.apiKeys.authenticate(b.key)).toBeNull();
    expect(await store.apiKeys.authenticate(a.key)).not.toBeNull();
    await expect(store.apiKeys.revoke('zzzzzzzz')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('connections', () => {
  it('encrypts credentials at rest with the connection id as AAD and never returns them in views', async () => {
    const t = await store.tenants.create('conn-tenant');
    const secret = `refresh-${crypto.randomBytes(8).toString('hex')}`;
    const view = await store.connections.create({
      tenantId: t.id,
      crm: 'salesforce',
      displayName: 'Prod org',
      credentials: { refreshToken: secret },
      vendorUrls: { instanceUrl: 'https://example.my.salesforce.com' },
    });
    expect(JSON.stringify(view)).not.toContain(secret);
    expect(view.vendorUrls).toEqual({ instanceUrl: 'https://example.my.salesforce.com' });
    const raw = await store.conn.db!.collection('connections').findOne({});
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(await store.connections.getCredentials(view.id)).toEqual({ refreshToken: secret });

    // Ciphertext copied onto another connection fails to decrypt.
    const other = await store.connections.create({
      tenantId: t.id,
      crm: 'hubspot',
      displayName: 'x',
      credentials: {},
    });
    const model = connectionModel(store.conn);
    const source = await model.findById(view.id).lean();
    await model.updateOne({ _id: other.id }, { $set: { credentials: source!.credentials } });
    await expect(store.connections.getCredentials(other.id)).rejects.toBeInstanceOf(DecryptionError);

    await store.connections.setCredentials(view.id, { refreshToken: 'rotated' });
    expect(await store.connections.getCredentials(view.id)).toEqual({ refreshToken: 'rotated' });
    await store.connections.setStatus(view.id, 'NEEDS_REAUTH', 'invalid_grant');
    await store.connections.update(view.id, {
      displayName: 'Renamed',
      settings: { externalIdField: 'Ext__c' },
    });
    const updated = await store.connections.getForTenant(t.id, view.id);
    expect(updated).toMatchObject({
      status: 'NEEDS_REAUTH',
      statusReason: 'invalid_grant',
      displayName: 'Renamed',
    });
    expect(updated.settings).toEqual({ externalIdField: 'Ext__c' });
    expect((await store.connections.listForTenant(t.id)).map((c) => c.id)).toEqual([view.id, other.id]);
  });

  it('hides other tenants’ connections behind NOT_FOUND', async () => {
    const a = await store.tenants.create('iso-a');
    const b = await store.tenants.create('iso-b');
    const conn = await store.connections.create({
      tenantId: a.id,
      crm: 'hubspot',
      displayName: 'a',
      credentials: {},
    });
    await expect(store.connections.getForTenant(b.id, conn.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.connections.deleteForTenant(b.id, conn.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.connections.getForTenant(a.id, 'bogus')).rejects.toBeInstanceOf(NotFoundError);
    expect(await store.connections.listForTenant(b.id)).toEqual([]);
    // A loader's batch by id ($in on _id): only this tenant's, malformed ids ignored.
    const other = await store.connections.create({
      tenantId: a.id,
      crm: 'salesforce',
      displayName: 'a2',
      credentials: {},
    });
    const batch = [conn.id, 'bogus', other.id];
    expect((await store.connections.findManyForTenant(a.id, batch)).map((c) => c.id).sort()).toEqual(
      [conn.id, other.id].sort(),
    );
    expect(await store.connections.findManyForTenant(b.id, batch)).toEqual([]);
    // An id in upper-case hex is the same ObjectId: found, under the id as the API writes it.
    expect(
      (await store.connections.findManyForTenant(a.id, [conn.id.toUpperCase()])).map((c) => c.id),
    ).toEqual([conn.id]);
    await store.connections.deleteForTenant(a.id, other.id);
    await store.connections.deleteForTenant(a.id, conn.id);
    await expect(store.connections.getById(conn.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('re-encrypts every connection under the new key after a rotation', async () => {
    const t = await store.tenants.create('rotation');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (
          await store.connections.create({
            tenantId: t.id,
            crm: 'hubspot',
            displayName: `c${i}`,
            credentials: { n: i },
          })
        ).id,
      );
    }
    // Same database, a ring with the new key first and the old one kept for decryption.
    const rotated = await openStore({
      uri: testStoreUrls().mongodbUri,
      dbName,
      keyRing: new KeyRing([keyB, keyA]),
    });
    try {
      expect(await rotated.connections.getCredentials(ids[1])).toEqual({ n: 1 }); // old key still decrypts
      const first = await rotated.connections.reencryptAll();
      // The connection planted with another connection's ciphertext (above) is reported, not fatal.
      expect(first.failedIds).toHaveLength(1);
      expect(first.reencrypted).toBe(first.scanned - 1);
      expect(first.scanned).toBeGreaterThanOrEqual(3);
      const again = await rotated.connections.reencryptAll();
      expect(again.reencrypted).toBe(0);
      const kids = await rotated.conn.db!.collection('connections').distinct('credentials.kid', {
        _id: { $nin: first.failedIds.map((id) => new Types.ObjectId(id)) },
      });
      expect(kids).toEqual(['b']);
      // Only the new key is needed from now on.
      const newOnly = await openStore({
        uri: testStoreUrls().mongodbUri,
        dbName,
        keyRing: new KeyRing([keyB]),
      });
      try {
        expect(await newOnly.connections.getCredentials(ids[2])).toEqual({ n: 2 });
      } finally {
        await newOnly.close();
      }
    } finally {
      await rotated.close();
    }
  });
});

it('answers ping (readiness)', async () => {
  await expect(store.ping()).resolves.toBeUndefined();
});
