import { type Job, type Queue } from 'bull';
import { type CrmConnector } from '../../connectors/types';
import { NotFoundError } from '../../errors';
import { type Logger } from '../../logger';
import {
  type NotificationsEnsureJobData,
  requestNotificationChannel,
} from '../../queue/notifications.producer';
import { type ConnectionsRepository, type ConnectionView } from '../../store/repositories/connections.repo';
import { type NotificationChannelsRepository } from '../../store/repositories/notification-channels.repo';
import {
  channelDue,
  type ChannelOutcome,
  type ChannelRenewalDeps,
  ensureChannel,
} from '../../sync/notifications/channel-renewal';

export interface NotificationsScheduleDeps {
  connections: Pick<ConnectionsRepository, 'listAll'>;
  channels: Pick<NotificationChannelsRepository, 'all'>;
  connectorFor(connection: ConnectionView): Pick<CrmConnector, 'ensureNotifications'>;
  queue: Queue;
  logger: Pick<Logger, 'debug' | 'warn'>;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * Processes the repeatable `notifications-schedule` job: enqueues a subscribe-or-renew job for each
 * ACTIVE connection whose connector keeps channels and whose channel is due (never subscribed, or past
 * its renewal time). Paused connections are skipped: their channel lapses and is subscribed anew when
 * they are active again.
 */
export function processNotificationsSchedule(deps: NotificationsScheduleDeps) {
  return async (): Promise<{ due: number }> => {
    const [connections, channels] = await Promise.all([deps.connections.listAll(), deps.channels.all()]);
    const now = new Date((deps.now ?? Date.now)());
    // Whether a CRM's connector keeps channels is a property of its kind: asked once per kind and run.
    const keeps = new Map<string, boolean>();
    let due = 0;
    for (const c of connections) {
      if (c.status !== 'ACTIVE' || keeps.get(c.crm) === false || !channelDue(channels.get(c.id), now))
        continue;
      if (!keeps.has(c.crm)) {
        try {
          keeps.set(c.crm, Boolean(deps.connectorFor(c).ensureNotifications));
        } catch (err) {
          // A connection whose settings no longer build a connector: its polls report that; skip it here.
          deps.logger.warn({ connectionId: c.id, err }, 'no connector for the notification schedule');
          continue;
        }
      }
      if (!keeps.get(c.crm)) continue;
      due += 1;
      await requestNotificationChannel(deps.queue, c.id);
    }
    if (due > 0) deps.logger.debug({ due }, 'notification channels due');
    return { due };
  };
}

/** Processes one `notifications-ensure` job (src/sync/notifications/channel-renewal.ts). */
export function processNotificationsEnsure(deps: ChannelRenewalDeps) {
  return async (job: Job<NotificationsEnsureJobData>): Promise<{ outcome: ChannelOutcome | 'gone' }> => {
    const { connectionId } = job.data;
    if (typeof connectionId !== 'string' || connectionId === '') return { outcome: 'gone' };
    try {
      return { outcome: await ensureChannel(deps, connectionId) };
    } catch (err) {
      // Deleted since the job was queued: nothing to keep alive.
      if (err instanceof NotFoundError) return { outcome: 'gone' };
      throw err;
    }
  };
}
