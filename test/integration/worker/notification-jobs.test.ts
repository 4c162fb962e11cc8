import {
  NOTIFICATIONS_SCHEDULE_JOB,
  requestNotificationChannel,
} from '../../../src/queue/notifications.producer';
import { QUEUES } from '../../../src/queue/queues';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';
import { within } from '../../support/within';
import {
  startZohoChannelStack,
  zohoChannelConnection,
  type ZohoChannelStack,
} from '../../support/zoho-channels';

/**
 * The worker runs the notification channel jobs through real Bull queues: it registers the repeatable
 * schedule, and a channel requested the way createConnection and the OAuth callback request it is
 * subscribed at the vendor (the Zoho sandbox) and recorded, delivering to PUBLIC_URL's webhook route.
 */
describe('worker: notification channel jobs', () => {
  let stack: ZohoChannelStack;
  let worker: RunningWorker;
  beforeAll(async () => {
    stack = await startZohoChannelStack({ publicUrl: 'https://gateway.example', contacts: 1 });
    worker = await startWorker(stack.ctx);
  });
  afterAll(async () => {
    await worker.close();
    await stack.close();
  });

  it('registers the schedule and subscribes a requested channel', async () => {
    const { ctx, org } = stack;
    const sync = ctx.queues.get(QUEUES.sync);
    expect((await sync.getRepeatableJobs()).map((j) => j.name)).toContain(NOTIFICATIONS_SCHEDULE_JOB);

    const connection = await zohoChannelConnection(stack, 'worker-channels');
    await requestNotificationChannel(sync, connection.id);
    await within(20_000, async () => {
      expect((await ctx.store.notificationChannels.get(connection.id))?.expiresAt).toBeInstanceOf(Date);
    });
    expect([...org.state.watch.channels.values()].map((c) => c.notifyUrl)).toEqual([
      'https://gateway.example/webhooks/zoho',
    ]);
  });
});
