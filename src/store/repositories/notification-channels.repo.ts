import { type SyncStateModel } from '../models/sync-state.model';

/**
 * Where a connection's vendor notification channel stands (src/sync/notifications/): kept as one more
 * sync state document, `<connectionId>:*:notifications`, so a connection's purge removes it with the
 * others and its one writer (the channel job) never rewrites the connection document — FerretDB 1.x
 * rewrites a whole document per update, and a token refresh writing the connection at the same moment
 * would lose one of the two.
 */
export interface NotificationChannelState {
  connectionId: string;
  tenantId: string;
  /** The vendor channel, once one was subscribed. */
  channelId: string | null;
  /** Until when the vendor delivers; null before the first subscription succeeded. */
  expiresAt: Date | null;
  /** When the channel job renews it next (a failure brings it forward to a retry). */
  renewAt: Date | null;
  /** When it was last subscribed or renewed. */
  renewedAt: Date | null;
  /** Why the last attempt failed; null after a success. */
  lastError: string | null;
}

const idOf = (connectionId: string): string => `${connectionId}:*:notifications`;

type Doc = { connectionId: string; tenantId: string } & Partial<Record<string, unknown>>;

const dateOrNull = (v: unknown): Date | null => (v instanceof Date ? v : null);
const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toState(d: Doc): NotificationChannelState {
  return {
    connectionId: d.connectionId,
    tenantId: d.tenantId,
    channelId: stringOrNull(d.channelId),
    expiresAt: dateOrNull(d.channelExpiresAt),
    renewAt: dateOrNull(d.channelRenewAt),
    renewedAt: dateOrNull(d.channelRenewedAt),
    lastError: stringOrNull(d.lastError),
  };
}

export class NotificationChannelsRepository {
  constructor(private readonly states: SyncStateModel) {}

  async get(connectionId: string): Promise<NotificationChannelState | null> {
    const doc = await this.states.findById(idOf(connectionId)).lean<Doc | null>();
    return doc ? toState(doc) : null;
  }

  /** Every connection's channel (the renewal schedule's due check): one query. */
  async all(): Promise<Map<string, NotificationChannelState>> {
    const docs = await this.states.find({ kind: 'notifications' }).lean<Doc[]>();
    return new Map(docs.map((d) => [d.connectionId, toState(d)]));
  }

  async put(state: NotificationChannelState): Promise<void> {
    await this.states.updateOne(
      { _id: idOf(state.connectionId) },
      {
        $set: {
          tenantId: state.tenantId,
          connectionId: state.connectionId,
          object: '*',
          kind: 'notifications',
          channelId: state.channelId,
          channelExpiresAt: state.expiresAt,
          channelRenewAt: state.renewAt,
          channelRenewedAt: state.renewedAt,
          lastError: state.lastError,
        },
      },
      { upsert: true },
    );
  }
}
