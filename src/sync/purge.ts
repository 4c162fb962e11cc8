import { type Connection as MongoConnection } from 'mongoose';
import { type CrmObject } from '../connectors/types';
import { type RedisClient } from '../redis/client';
import { FINISHED_WRITE_OPERATIONS } from '../store/models/write-operation.model';
import { snapshotId } from '../store/repositories/record-snapshots.repo';
import { SyncLock } from './poll/sync-lock';
import { ReconcileRequests } from './reconcile-requests';
import { SYNC_OBJECTS } from './sync-control';

/**
 * What the gateway keeps about a connection's records, and how it is removed (docs/sync.md
 * "Lifecycle and privacy"): when a connection is deleted, everything below; on a privacy request, one
 * record's snapshot and history; past the retention setting, old change events.
 *
 * Collections are named here, in one list, so a new per-connection collection is purged by adding it.
 * Every document of each carries `connectionId`. The filters are not `_id` lookups (FerretDB reads the
 * whole collection for them), which is why purging runs in a worker job, never in a request.
 */
export const CONNECTION_DATA_COLLECTIONS = [
  'record_snapshots',
  'change_events',
  'write_operations',
  FINISHED_WRITE_OPERATIONS,
  'sync_cursors',
  'sync_states',
  'webhook_receipts',
] as const;

/** Deletes every document of `connectionId` from each collection; returns the counts. Idempotent. */
export async function purgeConnectionData(
  conn: MongoConnection,
  connectionId: string,
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  for (const name of CONNECTION_DATA_COLLECTIONS) {
    const result = await conn.db!.collection(name).deleteMany({ connectionId });
    deleted[name] = result.deletedCount;
  }
  return deleted;
}

/**
 * Deletes what sync keeps in Redis for `connectionId`: the poll and backfill fence counters and the
 * reconcile requests of each synced object. (Locks and reconcile listings expire by themselves.)
 */
export async function forgetConnectionSyncKeys(
  redis: RedisClient,
  redisPrefix: string,
  connectionId: string,
): Promise<void> {
  const requests = new ReconcileRequests(redis, redisPrefix);
  const locks = [new SyncLock(redis, redisPrefix, 'poll'), new SyncLock(redis, redisPrefix, 'backfill')];
  for (const object of SYNC_OBJECTS) {
    for (const lock of locks) await lock.forget(connectionId, object);
    await requests.forget(connectionId, object);
  }
}

/**
 * Erases one record's snapshot and change history (a privacy request). Later changes of the record, if
 * the CRM still has it, are recorded anew (as a CREATED: nothing is known of it any more).
 */
export async function eraseRecordData(
  conn: MongoConnection,
  ref: { connectionId: string; object: CrmObject; remoteId: string },
): Promise<{ snapshots: number; events: number }> {
  const snapshots = await conn
    .db!.collection<{ _id: string }>('record_snapshots')
    .deleteMany({ _id: snapshotId(ref.connectionId, ref.object, ref.remoteId) });
  const events = await conn
    .db!.collection('change_events')
    .deleteMany({ connectionId: ref.connectionId, object: ref.object, remoteId: ref.remoteId });
  return { snapshots: snapshots.deletedCount, events: events.deletedCount };
}

/** Deletes change events that occurred before `cutoff` (CHANGE_HISTORY_RETENTION_DAYS); gap markers too. */
export async function pruneChangeHistory(conn: MongoConnection, cutoff: Date): Promise<number> {
  const events = conn.db!.collection('change_events');
  // Gap markers carry no time and are kept: a few bytes each, and they tell readers a number is settled.
  const old = await events.deleteMany({ occurredAt: { $lt: cutoff } });
  return old.deletedCount;
}
