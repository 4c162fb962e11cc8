import { Counter } from 'prom-client';
import { metricsRegistry } from '../../metrics';

/** Channel subscriptions and renewals (src/sync/notifications/), by CRM and outcome. Labels stay bounded. */
const channels = new Counter({
  name: 'cgw_notification_channels_total',
  help: 'Vendor notification channels subscribed, renewed or failed to be, by CRM and result',
  labelNames: ['crm', 'result'] as const,
  registers: [metricsRegistry],
});

export type ChannelResult = 'subscribed' | 'renewed' | 'failed';

export const notificationMetrics = {
  channel(crm: string, result: ChannelResult): void {
    channels.inc({ crm, result });
  },
};
