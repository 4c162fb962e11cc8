import { Types } from 'mongoose';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { openStore, type Store } from '../../../src/store';
import { apiKeyModel } from '../../../src/store/models/api-key.model';
import { ApiKeysRepository, LAST_USED_RESOLUTION_MS } from '../../../src/store/repositories/api-keys.repo';
import { testStoreUrls, uniqueName } from '../../support/stores';

/** `lastUsedAt` on the embedded store: written on authentication, at most once per interval. */
describe('API key lastUsedAt', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({
      uri: testStoreUrls().mongodbUri,
      dbName: uniqueName('lastused'),
      keyRing: new KeyRing([{ kid: 't', key: Buffer.alloc(32, 5) }]),
    });
  });
  afterAll(async () => {
    await store.conn.dropDatabase();
    await store.close();
  });

  async function lastUsed(keyId: string): Promise<Date | null> {
    const doc = await apiKeyModel(store.conn).findById(new Types.ObjectId(keyId)).lean();
    return doc?.lastUsedAt ?? null;
  }

  it('is written by a successful authentication, then at most once per interval', async () => {
    let now = new Date('2026-01-01T10:00:00.000Z');
    const repo = new ApiKeysRepository(apiKeyModel(store.conn), () => now);
    const tenant = await store.tenants.create(uniqueName('t'));
    const { key, info } = await repo.create(tenant.id, 'k', 'read');
    expect(info.lastUsedAt).toBeNull();
    expect(await lastUsed(info.id)).toBeNull();

    expect(await repo.authenticate(key)).not.toBeNull();
    const first = new Date(now);
    expect(await lastUsed(info.id)).toEqual(first);

    // Within the interval: authenticating writes nothing, the recorded use stays the first one.
    now = new Date(first.getTime() + LAST_USED_RESOLUTION_MS - 1000);
    expect(await repo.authenticate(key)).not.toBeNull();
    expect(await lastUsed(info.id)).toEqual(first);

    // Past it: the next authentication records the new time.
    now = new Date(first.getTime() + LAST_USED_RESOLUTION_MS + 1000);
    expect(await repo.authenticate(key)).not.toBeNull();
    expect(await lastUsed(info.id)).toEqual(now);
    expect((await repo.listForTenant(tenant.id))[0]?.lastUsedAt).toEqual(now);

    // A failed authentication records nothing.
    const before = await lastUsed(info.id);
    now = new Date(now.getTime() + 10 * LAST_USED_RESOLUTION_MS);
    expect(await repo.authenticate(`${key}x`)).toBeNull();
    await repo.revoke(info.id);
    expect(await repo.authenticate(key)).toBeNull();
    expect(await lastUsed(info.id)).toEqual(before);
  });

  it('is written by the store the gateway uses (system clock)', async () => {
    const tenant = await store.tenants.create(uniqueName('t'));
    const { key, info } = await store.apiKeys.create(tenant.id, 'k', 'read_write');
    const before = Date.now();
    expect(await store.apiKeys.authenticate(key)).not.toBeNull();
    const written = await lastUsed(info.id);
    expect(written).not.toBeNull();
    expect(written!.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});
