import crypto from 'node:crypto';
import { openStore, type Store } from '../../../src/store';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * Which indexes `openStore` keeps (src/store/indexes.ts): unique ones always (they are what makes an
 * insert a claim), secondary ones only where the store can use them — not on FerretDB over SQLite,
 * which hands no filter but `_id` to SQLite and would only pay to maintain them.
 */

const keyRing = new KeyRing([{ kid: 'k1', key: crypto.randomBytes(32) }]);
let store: Store;
let dbName: string;

beforeAll(async () => {
  dbName = uniqueName('indexes');
  store = await openStore({ uri: testStoreUrls().mongodbUri, dbName, keyRing });
});
afterAll(async () => {
  await store.conn.dropDatabase();
  await store.close();
});

async function pushesFiltersDown(): Promise<boolean> {
  const plan = await store.conn.db!.command({
    explain: { find: 'tenants', filter: { name: 'x' } },
    verbosity: 'queryPlanner',
  });
  return plan.filterPushdown !== false;
}

async function indexNames(collection: string): Promise<string[]> {
  const list = (await store.conn.db!.collection(collection).indexes()) as { name?: string }[];
  return list.map((i) => i.name ?? '').sort();
}

it('keeps the unique indexes: a second tenant of the same name is refused', async () => {
  await store.tenants.create('acme');
  await expect(store.tenants.create('acme')).rejects.toThrow();
  expect(await indexNames('tenants')).toContain('name_1');
});

it('keeps secondary indexes only where the store can use them, and drops ones made before', async () => {
  // A secondary index as an earlier version made it, on a collection openStore manages.
  await store.conn.db!.collection('write_operations').createIndex({ status: 1, acceptedAt: 1 });
  const again = await openStore({ uri: testStoreUrls().mongodbUri, dbName, keyRing });
  try {
    const names = await indexNames('write_operations');
    if (await pushesFiltersDown()) {
      expect(names).toContain('status_1_acceptedAt_1');
      expect(names).toContain('connectionId_1_recordKey_1_seq_1');
    } else {
      expect(names).toEqual(['_id_']);
      // Unique indexes stay, with their uniqueness, on every collection that has one.
      expect(await indexNames('idempotency_keys')).toEqual(['_id_', 'tenantId_1_key_1']);
    }
  } finally {
    await again.close();
  }
});
