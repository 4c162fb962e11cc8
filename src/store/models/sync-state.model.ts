import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * Where sync stands for one object of one connection (docs/sync.md "Polling and backfill"). Two
 * documents per (connection, object), `_id` `<connectionId>:<object>:poll` and `…:backfill`: the poller
 * writes only the first and the backfill only the second, each under its own Redis lock, because
 * FerretDB 1.x rewrites a whole document per update and loses one of two concurrent updates to it —
 * even to different fields. One writer per document is what keeps both.
 *
 * `fence` is the fencing number of the lock holder that last wrote (src/sync/poll/sync-lock.ts): a
 * holder whose lock expired while it was stalled can no longer overwrite what a newer holder stored.
 */
const syncStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    connectionId: { type: String, required: true },
    object: { type: String, required: true },
    kind: { type: String, required: true, enum: ['poll', 'backfill', 'notifications'] },
    fence: { type: Number, required: true, default: 0 },
    /** Poll: every change up to this vendor time has been ingested (the next poll reads from it minus the overlap). */
    highWater: { type: Date, default: null },
    /** Poll in progress: its `since`, the connector cursor after its last ingested page, its max change time so far. */
    pollSince: { type: Date, default: null },
    pollCursor: { type: String, default: null },
    pollMax: { type: Date, default: null },
    pollStartedAt: { type: Date, default: null },
    lastPollAt: { type: Date, default: null },
    /** Poll: the reconcile request it restarted its mark at (src/sync/reconcile-requests.ts). */
    restartedAt: { type: Date, default: null },
    /** Poll: where a change feed kept by vendor position continues (a delta token); null for feeds read by time. */
    feedPosition: { type: String, default: null },
    /** Backfill: RUNNING | DONE | FAILED, INITIAL | RECONCILE. */
    state: { type: String, default: null },
    mode: { type: String, default: null },
    done: { type: Number, default: 0 },
    total: { type: Number, default: null },
    /** Backfill: where the listing resumes (null before the first page and after the last). */
    cursor: { type: String, default: null },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    /**
     * Notifications (`<connectionId>:*:notifications`, written by the channel job alone): the vendor
     * channel, until when it delivers, when to renew it and when it last was (src/sync/notifications/).
     */
    channelId: { type: String, default: null },
    channelExpiresAt: { type: Date, default: null },
    channelRenewAt: { type: Date, default: null },
    channelRenewedAt: { type: Date, default: null },
  },
  { timestamps: true, minimize: false, versionKey: false },
);
// Deleting a connection purges its states; status reads a connection's four documents.
syncStateSchema.index({ connectionId: 1 });

export type SyncStateDoc = InferSchemaType<typeof syncStateSchema>;
export type SyncStateModel = Model<SyncStateDoc>;

export function syncStateModel(conn: Connection): SyncStateModel {
  return (
    (conn.models.SyncState as SyncStateModel | undefined) ??
    conn.model('SyncState', syncStateSchema, 'sync_states')
  );
}
