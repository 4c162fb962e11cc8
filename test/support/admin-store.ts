import { KeyRing } from '../../src/security/credentials-cipher';
import { openStore, type Store } from '../../src/store';
import { testStoreUrls } from './stores';

/** Opens the database an admin-command test pointed the CLI at. */
export async function openAdminStore(dbName: string, keys: string): Promise<{ store: Store }> {
  return {
    store: await openStore({ uri: testStoreUrls().mongodbUri, dbName, keyRing: KeyRing.parse(keys) }),
  };
}
