import { type CrmConnector, type NotificationChannel } from '../../connectors/types';
import { isAppError } from '../../errors';
import { type Logger } from '../../logger';
import { type ConnectionsRepository, type ConnectionView } from '../../store/repositories/connections.repo';
import {
  type NotificationChannelState,
  type NotificationChannelsRepository,
} from '../../store/repositories/notification-channels.repo';
import { notificationMetrics } from './notification-metrics';

/**
 * Keeping a connection's vendor notification channel alive (docs/sync.md "Notification channels"), for
 * connectors with `ensureNotifications`: subscribed when the connection is made, renewed before it lapses.
 *
 * Renewal is due at two thirds of the channel's lifetime (16 h into a one-day channel). Why not later:
 * the last third (8 h) is the margin for a vendor outage, a worker down for a deploy or a failing token,
 * each retried on the way; why not sooner: each renewal costs a call of the vendor's budget, and at two
 * thirds it is one and a half calls per lifetime. A failure is retried after {@link RETRY_AFTER_FAILURE_MS}
 * while time remains, and shows in the connection's sync status until a renewal succeeds.
 */
export const RENEW_AT_FRACTION = 2 / 3;

/** How long after a failed attempt the schedule tries again (Bull's own attempts come first). */
export const RETRY_AFTER_FAILURE_MS = 5 * 60_000;

/** When a channel renewed at `renewedAt` and delivering until `expiresAt` is renewed next. */
export function renewAtOf(renewedAt: Date, expiresAt: Date): Date {
  const lifetime = Math.max(0, expiresAt.getTime() - renewedAt.getTime());
  return new Date(renewedAt.getTime() + Math.floor(lifetime * RENEW_AT_FRACTION));
}

/** Whether a connection's channel must be subscribed or renewed now: never done, or its renewal is due. */
export function channelDue(state: NotificationChannelState | undefined, now: Date): boolean {
  return !state?.renewAt || state.renewAt.getTime() <= now.getTime();
}

export interface ChannelRenewalDeps {
  connections: Pick<ConnectionsRepository, 'getById' | 'mergeSettings'>;
  channels: Pick<NotificationChannelsRepository, 'get' | 'put'>;
  /** The connection's connector (background priority). */
  connectorFor(connection: ConnectionView): Pick<CrmConnector, 'ensureNotifications'>;
  /** Where the CRM delivers: PUBLIC_URL and its webhook route. */
  callbackUrl(crm: string): string;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** @defaultValue Date.now */
  now?: () => number;
}

export type ChannelOutcome = 'subscribed' | 'renewed' | 'unsupported' | 'paused';

/**
 * Subscribes or renews one connection's channel and stores where it stands. A connector without the
 * capability, or a paused connection, is left alone. A failure is stored (the sync status shows it),
 * counted, logged, and thrown so the job retries it.
 */
export async function ensureChannel(deps: ChannelRenewalDeps, connectionId: string): Promise<ChannelOutcome> {
  const connection = await deps.connections.getById(connectionId);
  if (connection.status !== 'ACTIVE') return 'paused';
  const connector = deps.connectorFor(connection);
  if (!connector.ensureNotifications) return 'unsupported';
  const now = new Date((deps.now ?? Date.now)());
  const stored = await deps.channels.get(connectionId);
  const current: NotificationChannel | null =
    stored?.channelId && stored.expiresAt
      ? { channelId: stored.channelId, expiresAt: stored.expiresAt }
      : null;
  const base: NotificationChannelState = stored ?? {
    connectionId,
    tenantId: connection.tenantId,
    channelId: null,
    expiresAt: null,
    renewAt: null,
    renewedAt: null,
    lastError: null,
  };
  let channel: NotificationChannel;
  try {
    channel = await connector.ensureNotifications({
      callbackUrl: deps.callbackUrl(connection.crm),
      current,
      now,
    });
    // Kept before the channel is recorded: a callback may arrive at once and is verified with it.
    if (channel.settings) await deps.connections.mergeSettings(connectionId, channel.settings);
  } catch (err) {
    const reason = isAppError(err) || err instanceof Error ? err.message : String(err);
    await deps.channels.put({
      ...base,
      renewAt: new Date(now.getTime() + RETRY_AFTER_FAILURE_MS),
      lastError: `notification channel not renewed: ${reason}`,
    });
    notificationMetrics.channel(connection.crm, 'failed');
    deps.logger.warn(
      { connectionId, crm: connection.crm, expiresAt: stored?.expiresAt ?? null, reason },
      'could not subscribe or renew the notification channel; retrying',
    );
    throw err;
  }
  const outcome: ChannelOutcome = current ? 'renewed' : 'subscribed';
  await deps.channels.put({
    ...base,
    channelId: channel.channelId,
    expiresAt: channel.expiresAt,
    renewAt: renewAtOf(now, channel.expiresAt),
    renewedAt: now,
    lastError: null,
  });
  notificationMetrics.channel(connection.crm, outcome);
  deps.logger.info(
    { connectionId, crm: connection.crm, channelId: channel.channelId, expiresAt: channel.expiresAt },
    `notification channel ${outcome}`,
  );
  return outcome;
}
