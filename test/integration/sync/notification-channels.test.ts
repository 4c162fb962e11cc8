import express from 'express';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Job } from 'bull';
import { CrmRateLimitedError } from '../../../src/errors';
import { metricsRegistry } from '../../../src/metrics';
import {
  NOTIFICATIONS_ENSURE_JOB,
  type NotificationsEnsureJobData,
} from '../../../src/queue/notifications.producer';
import { QUEUES } from '../../../src/queue/queues';
import { type AppContext } from '../../../src/runtime/context';
import { type ZohoOrg } from '../../../src/sandbox/zoho';
import { updateAt } from '../../../src/sandbox/zoho/admin';
import { webhookRouter } from '../../../src/server/webhooks';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { CHANNEL_LIFETIME_MS } from '../../../src/connectors/zoho/notifications';
import { WebhookActivity } from '../../../src/sync/webhooks/webhook-activity';
import { webhookUrl } from '../../../src/sync/webhooks/webhook-url';
import {
  processNotificationsEnsure,
  processNotificationsSchedule,
} from '../../../src/worker/notifications/notifications.processor';
import {
  startZohoChannelStack,
  zohoChannelConnection,
  type ZohoChannelStack,
} from '../../support/zoho-channels';

/**
 * Notification channels kept alive by the worker (src/sync/notifications/), end to end against the Zoho
 * sandbox over real sockets, with FerretDB, Redis and the gateway's real webhook route: a connection
 * gets a channel, the sandbox clock moves on, the schedule finds it due at two thirds of its life and the
 * renewal (PATCH) keeps deliveries coming — verified by the route with the token the channel was made
 * with; a channel left to expire delivers nothing, and a failed renewal shows and is retried.
 */

const HOUR = 3600_000;

describe('notification channels (Zoho sandbox)', () => {
  let ctx: AppContext;
  let org: ZohoOrg;
  let gateway: Server;
  let callbackUrl: string;
  let connection: ConnectionView;
  let contactId: string;

  let stack: ZohoChannelStack;
  beforeAll(async () => {
    stack = await startZohoChannelStack();
    ({ ctx, org } = stack);
    contactId = org.state.store.all('Contacts')[0]!.id;
    const app = express();
    app.use(webhookRouter(ctx));
    gateway = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    callbackUrl = webhookUrl(`http://127.0.0.1:${(gateway.address() as AddressInfo).port}`, 'zoho');
    connection = await zohoChannelConnection(stack, 'notifications');
    // A CRM whose webhooks are configured on its app: the schedule never queues it.
    await ctx.store.connections.create({
      tenantId: connection.tenantId,
      crm: 'hubspot',
      displayName: 'HubSpot beside it',
      credentials: { authKind: 'static_token', accessToken: 'pat-eu1-unused' },
      externalAccountId: '123',
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => gateway.close(resolve));
    await stack.close();
  });

  const deps = () => ({
    connections: ctx.store.connections,
    channels: ctx.store.notificationChannels,
    connectorFor: (c: ConnectionView) => ctx.crm.connectorFor(c, 'background'),
    callbackUrl: () => callbackUrl,
    logger: ctx.logger,
    // The worker's clock is the sandbox org's, so both move on together.
    now: () => org.now(),
  });
  const ensure = (id = connection.id) =>
    processNotificationsEnsure(deps())({ data: { connectionId: id } } as Job<NotificationsEnsureJobData>);
  const schedule = () => processNotificationsSchedule({ ...deps(), queue: ctx.queues.get(QUEUES.sync) })();
  const watchCalls = (method: string) =>
    org.log.count((key) => key === `${method} /dc/:dc/api/crm/v8/actions/watch`);
  const receipts = () =>
    ctx.store.conn.collection('webhook_receipts').countDocuments({ connectionId: connection.id });
  /** Changes a contact on the org and waits until the sandbox's callbacks are settled. */
  const change = async (title: string) => {
    updateAt(org, 'Contacts', contactId, { Title: title });
    await org.state.watch.idle();
  };
  const channel = () => ctx.store.notificationChannels.get(connection.id);
  const failures = async () =>
    (await metricsRegistry.getSingleMetric('cgw_notification_channels_total')?.get())?.values.find(
      (v) => v.labels.crm === 'zoho' && v.labels.result === 'failed',
    )?.value ?? 0;

  it('subscribes a channel to the webhook route with a token of its own, kept in the settings', async () => {
    // Only the Zoho connection is due: the HubSpot one keeps no channel.
    expect(await schedule()).toEqual({ due: 1 });
    await (
      await ctx.queues.get(QUEUES.sync).getJob(`${NOTIFICATIONS_ENSURE_JOB}:${connection.id}`)
    )?.remove();
    expect(await ensure()).toEqual({ outcome: 'subscribed' });
    const [subscribed] = [...org.state.watch.channels.values()];
    expect(subscribed).toMatchObject({ notifyUrl: callbackUrl, events: ['Contacts.all', 'Deals.all'] });
    const stored = await ctx.store.connections.getById(connection.id);
    expect(stored.settings.notificationToken).toBe(subscribed!.token);
    expect(String(stored.settings.notificationToken)).toMatch(new RegExp(`^${org.state.orgId}\\.`));
    const state = await channel();
    expect(state!.expiresAt!.getTime()).toBe(subscribed!.expiresAt);
    expect(state!.expiresAt!.getTime() - org.now()).toBeGreaterThan(CHANNEL_LIFETIME_MS - 2000);
    expect(state!.renewAt!.getTime() - state!.renewedAt!.getTime()).toBe(
      Math.floor(((state!.expiresAt!.getTime() - state!.renewedAt!.getTime()) * 2) / 3),
    );
    expect(state!.lastError).toBeNull();

    await change('Subscribed');
    expect(await receipts()).toBe(1);
    expect(
      (await new WebhookActivity(ctx.redis, ctx.redisPrefix, ctx.logger).of(connection.id)).rejected,
    ).toBe(0);
  });

  it('is not due before two thirds of its life; then the schedule queues it and the renewal PATCHes it', async () => {
    expect(await schedule()).toEqual({ due: 0 });
    const before = (await channel())!;
    org.clock.advance(17 * HOUR);
    expect(await schedule()).toEqual({ due: 1 });
    const queued = await ctx.queues.get(QUEUES.sync).getJob(`${NOTIFICATIONS_ENSURE_JOB}:${connection.id}`);
    expect(queued?.data).toEqual({ connectionId: connection.id });
    await queued!.remove();

    const patches = watchCalls('PATCH');
    expect(await ensure()).toEqual({ outcome: 'renewed' });
    expect(watchCalls('PATCH')).toBe(patches + 1);
    const after = (await channel())!;
    expect(after.channelId).toBe(before.channelId);
    expect(after.expiresAt!.getTime()).toBeGreaterThan(before.expiresAt!.getTime() + 16 * HOUR);
    expect(await schedule()).toEqual({ due: 0 });

    // Past the first expiry: the renewed channel still delivers, and the route verifies it.
    org.clock.advance(10 * HOUR);
    expect(org.now()).toBeGreaterThan(before.expiresAt!.getTime());
    const seen = await receipts();
    await change('After renewal');
    expect(await receipts()).toBe(seen + 1);
  });

  it('a channel left to expire delivers nothing; the next renewal brings deliveries back', async () => {
    const state = (await channel())!;
    org.clock.setOffset(state.expiresAt!.getTime() - Date.now() + HOUR);
    const seen = await receipts();
    await change('Nobody listens');
    expect(await receipts()).toBe(seen);

    const posts = watchCalls('POST');
    expect(await ensure()).toEqual({ outcome: 'renewed' });
    // The sandbox keeps a lapsed channel, so its PATCH renews it; either way it delivers again.
    expect(watchCalls('POST') + watchCalls('PATCH')).toBeGreaterThan(posts);
    await change('Listening again');
    expect(await receipts()).toBe(seen + 1);
  });

  it('a refused renewal is stored on the connection, counted and thrown for the job to retry', async () => {
    const failedBefore = await failures();
    org.state.watch.channels.clear();
    const before = (await channel())!;
    // The org's credits are used up: every call answers 429 TOO_MANY_REQUESTS.
    org.state.settings.creditLimit = 1;
    org.state.limits.settings = org.state.settings;
    org.clock.advance(CHANNEL_LIFETIME_MS);
    try {
      await expect(ensure()).rejects.toThrow();
      const failed = (await channel())!;
      expect(failed.lastError).toMatch(/^notification channel not renewed: /);
      expect(failed.expiresAt).toEqual(before.expiresAt);
      expect(failed.renewAt!.getTime()).toBeGreaterThan(org.now());
      expect(await failures()).toBe(failedBefore + 1);
      expect(await schedule()).toEqual({ due: 0 });
    } finally {
      org.state.settings.creditLimit = null;
      org.state.limits.settings = org.state.settings;
    }
    org.clock.advance(10 * 60_000);
    expect(await schedule()).toEqual({ due: 1 });
    await (
      await ctx.queues.get(QUEUES.sync).getJob(`${NOTIFICATIONS_ENSURE_JOB}:${connection.id}`)
    )?.remove();
    // The refusals taught the credit budget that the org was out (src/ratelimit/budget-gate.ts): until
    // the pause it learned has passed (real time, tens of ms), a call is refused before it is sent, as
    // RATE_LIMITED — which the job's own retries wait out, and so does this.
    let renewed: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        renewed = await ensure();
        break;
      } catch (err) {
        if (!(err instanceof CrmRateLimitedError) || attempt === 5) throw err;
        await new Promise((r) => setTimeout(r, err.retryAfterMs ?? 100));
      }
    }
    expect(renewed).toEqual({ outcome: 'renewed' });
    expect((await channel())!.lastError).toBeNull();
  });

  it('leaves paused and deleted connections alone', async () => {
    await ctx.store.connections.setStatus(connection.id, 'DISABLED', 'test');
    expect(await ensure()).toEqual({ outcome: 'paused' });
    await ctx.store.connections.setStatus(connection.id, 'ACTIVE', null);
    expect(await ensure('65f0a1b2c3d4e5f601234567')).toEqual({ outcome: 'gone' });
  });

  it('keeps only plain settings names from a connector: no path or operator reaches the document', async () => {
    for (const key of ['a.b', '$where', '', 'x y', '__proto__.z']) {
      await expect(ctx.store.connections.mergeSettings(connection.id, { [key]: 'x' })).rejects.toThrow(
        /is not a plain name/,
      );
    }
    await ctx.store.connections.mergeSettings(connection.id, { extra: 'kept' });
    const stored = await ctx.store.connections.getById(connection.id);
    expect(stored.settings).toMatchObject({ extra: 'kept', notificationToken: expect.any(String) });
    expect(stored.status).toBe('ACTIVE');
  });
});
