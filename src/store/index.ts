import mongoose, { type ConnectOptions, type Connection, type Model } from 'mongoose';
import { DEFAULT_STORE_TIMEOUT_MS } from '../config/env';
import { type KeyRing } from '../security/credentials-cipher';
import { StoreChangeFeed, type StoreChangeFeedOptions } from './changes';
import { monitorStoreCommands } from './command-count';
import { ensureIndexes } from './indexes';
import { apiKeyModel } from './models/api-key.model';
import { changeEventModel } from './models/change-event.model';
import { connectionModel } from './models/connection.model';
import { fieldMappingModel } from './models/field-mapping.model';
import { idempotencyKeyModel } from './models/idempotency-key.model';
import { identityProviderModel } from './models/identity-provider.model';
import { recordSnapshotModel } from './models/record-snapshot.model';
import { syncStateModel } from './models/sync-state.model';
import { tenantModel } from './models/tenant.model';
import { webhookReceiptModel } from './models/webhook-receipt.model';
import { finishedWriteOperationModel, writeOperationModel } from './models/write-operation.model';
import { ApiKeysRepository } from './repositories/api-keys.repo';
import { ChangeEventsRepository } from './repositories/change-events.repo';
import { ConnectionAccountsRepository } from './repositories/connection-accounts.repo';
import { ConnectionsRepository } from './repositories/connections.repo';
import { FieldMappingsRepository } from './repositories/field-mappings.repo';
import { IdempotencyKeysRepository } from './repositories/idempotency-keys.repo';
import { AuditEventsRepository } from './repositories/audit-events.repo';
import { auditEventModel } from './models/audit-event.model';
import { IdentityProvidersRepository } from './repositories/identity-providers.repo';
import { RecordSnapshotsRepository } from './repositories/record-snapshots.repo';
import { NotificationChannelsRepository } from './repositories/notification-channels.repo';
import { SyncStatesRepository } from './repositories/sync-states.repo';
import { TenantsRepository } from './repositories/tenants.repo';
import { WebhookReceiptsRepository } from './repositories/webhook-receipts.repo';
import { WriteBatchesRepository } from './repositories/write-batches.repo';
import { WriteOperationsRepository } from './repositories/write-operations.repo';

export interface StoreOptions {
  uri: string;
  /** Database name; defaults to the one in the URI, else `crm_gateway`. */
  dbName?: string;
  keyRing: KeyRing;
  /**
   * How long an operation waits for an unreachable server before it fails (STORE_TIMEOUT_MS; the
   * request then answers UNAVAILABLE). Default {@link DEFAULT_STORE_TIMEOUT_MS}.
   */
  timeoutMs?: number;
  /**
   * The change broadcast (Redis pub/sub). Given, the repositories announce every write on it and cache
   * what they read in this process (keys in the gateway's key cache; connections, credentials and
   * mappings here). Without it nothing is cached: every read goes to the store.
   */
  changes?: StoreChangeFeedOptions;
}

export interface Store {
  conn: Connection;
  tenants: TenantsRepository;
  apiKeys: ApiKeysRepository;
  connections: ConnectionsRepository;
  /** Per-connection overrides of the default field mappings. */
  fieldMappings: FieldMappingsRepository;
  /** The write engine's claims and outcomes on `write_operations` (src/worker/writes/). */
  writeBatches: WriteBatchesRepository;
  /** The accept side's storing, reading, cancelling and re-queueing of write operations (src/writes/). */
  writeOperations: WriteOperationsRepository;
  /** Claimed idempotency keys of writes (src/writes/idempotency.ts). */
  idempotencyKeys: IdempotencyKeysRepository;
  /** The audit log (src/audit/). */
  auditEvents: AuditEventsRepository;
  /** Last-known canonical records. */
  recordSnapshots: RecordSnapshotsRepository;
  /** The append-only change history of records. */
  changeEvents: ChangeEventsRepository;
  /** Tenants' external identity providers (issuer, JWKS, claim names). */
  identityProviders: IdentityProvidersRepository;
  /** Which connections reach a vendor account (webhook routing), cached per process. */
  connectionAccounts: ConnectionAccountsRepository;
  /** Webhook events as received, per connection: durable receipt and dedupe (src/sync/webhooks/). */
  webhookReceipts: WebhookReceiptsRepository;
  /** Per (connection, object) poll and backfill positions (src/sync/poll/, src/sync/backfill/). */
  syncStates: SyncStatesRepository;
  notificationChannels: NotificationChannelsRepository;
  /** The change broadcast the repositories announce on and cache by; absent when opened without one. */
  changes?: StoreChangeFeed;
  /** Resolves when the store answers a real command (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the MongoDB store. Each call gets its own mongoose connection (not the global default), so
 * tests can hold several stores on separate databases side by side.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  // bufferTimeoutMS is a mongoose connection option its type declarations leave out.
  const connectOptions: ConnectOptions & { bufferTimeoutMS: number } = {
    dbName: options.dbName ?? (new URL(options.uri).pathname.slice(1) || 'crm_gateway'),
    // With the server gone, the driver waits this long to select one, and mongoose (which queues
    // operations while it considers itself disconnected) as long again at most: both bound how long a
    // request hangs before it fails with UNAVAILABLE (src/store/errors.ts). The driver keeps
    // reconnecting in the background, so the store comes back without a restart.
    serverSelectionTimeoutMS: timeoutMs,
    bufferTimeoutMS: timeoutMs,
    // Index creation is explicit below: we want a unique index to exist before the first write.
    autoIndex: false,
    // Every command raises `commandStarted`: how store round trips are counted (src/store/command-count.ts).
    monitorCommands: true,
  };
  const conn = mongoose.createConnection(options.uri, connectOptions);
  monitorStoreCommands(conn);
  await conn.asPromise();
  const models = {
    tenants: tenantModel(conn),
    apiKeys: apiKeyModel(conn),
    connections: connectionModel(conn),
    fieldMappings: fieldMappingModel(conn),
    writeOperations: writeOperationModel(conn),
    finishedWriteOperations: finishedWriteOperationModel(conn),
    recordSnapshots: recordSnapshotModel(conn),
    changeEvents: changeEventModel(conn),
    idempotencyKeys: idempotencyKeyModel(conn),
    identityProviders: identityProviderModel(conn),
    webhookReceipts: webhookReceiptModel(conn),
    syncStates: syncStateModel(conn),
    auditEvents: auditEventModel(conn),
  };
  await ensureIndexes(conn, Object.values(models) as unknown as Model<never>[]);
  const changes = options.changes && new StoreChangeFeed(options.changes);
  return {
    conn,
    tenants: new TenantsRepository(models.tenants),
    apiKeys: new ApiKeysRepository(models.apiKeys, undefined, changes),
    connections: new ConnectionsRepository(models.connections, options.keyRing, changes),
    fieldMappings: new FieldMappingsRepository(models.fieldMappings, changes),
    writeBatches: new WriteBatchesRepository(models.writeOperations),
    writeOperations: new WriteOperationsRepository(models.writeOperations),
    idempotencyKeys: new IdempotencyKeysRepository(models.idempotencyKeys),
    recordSnapshots: new RecordSnapshotsRepository(models.recordSnapshots),
    changeEvents: new ChangeEventsRepository(models.changeEvents),
    identityProviders: new IdentityProvidersRepository(models.identityProviders, changes),
    connectionAccounts: new ConnectionAccountsRepository(models.connections, changes),
    webhookReceipts: new WebhookReceiptsRepository(models.webhookReceipts),
    syncStates: new SyncStatesRepository(models.syncStates),
    notificationChannels: new NotificationChannelsRepository(models.syncStates),
    auditEvents: new AuditEventsRepository(models.auditEvents),
    changes,
    async ping() {
      await conn.db!.admin().command({ ping: 1 });
      // FerretDB answers ping before its backend works; a read proves the backend is up.
      await models.tenants.findOne({}).lean();
    },
    async close() {
      await changes?.close();
      await conn.close();
    },
  };
}
