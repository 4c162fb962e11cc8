import mongoose, { type Connection } from 'mongoose';
import { type KeyRing } from '../security/credentials-cipher';
import { apiKeyModel } from './models/api-key.model';
import { connectionModel } from './models/connection.model';
import { tenantModel } from './models/tenant.model';
import { ApiKeysRepository } from './repositories/api-keys.repo';
import { ConnectionsRepository } from './repositories/connections.repo';
import { TenantsRepository } from './repositories/tenants.repo';

export interface StoreOptions {
  uri: string;
  /** Database name; defaults to the one in the URI, else `crm_gateway`. */
  dbName?: string;
  keyRing: KeyRing;
}

export interface Store {
  conn: Connection;
  tenants: TenantsRepository;
  apiKeys: ApiKeysRepository;
  connections: ConnectionsRepository;
  /** Resolves when the store answers a real command (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the MongoDB store. Each call gets its own mongoose connection (not the global default), so
 * tests can hold several stores on separate databases side by side.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const conn = mongoose.createConnection(options.uri, {
    dbName: options.dbName ?? (new URL(options.uri).pathname.slice(1) || 'crm_gateway'),
    serverSelectionTimeoutMS: 5000,
    // Index creation is explicit below: we want a unique index to exist before the first write.
    autoIndex: false,
  });
  await conn.asPromise();
  const models = {
    tenants: tenantModel(conn),
    apiKeys: apiKeyModel(conn),
    connections: connectionModel(conn),
  };
  await Promise.all(Object.values(models).map((m) => m.createIndexes()));
  return {
    conn,
    tenants: new TenantsRepository(models.tenants),
    apiKeys: new ApiKeysRepository(models.apiKeys),
    connections: new ConnectionsRepository(models.connections, options.keyRing),
    async ping() {
      await conn.db!.admin().command({ ping: 1 });
      // FerretDB answers ping before its backend works; a read proves the backend is up.
      await models.tenants.findOne({}).lean();
    },
    close: () => conn.close(),
  };
}
