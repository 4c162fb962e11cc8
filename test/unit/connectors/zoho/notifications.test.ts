import nock from '../../../support/nock';
import { CHANNEL_LIFETIME_MS, channelIdOf } from '../../../../src/connectors/zoho/notifications';
import { orgOfToken } from '../../../../src/connectors/zoho/webhooks';
import { API, V8, orgOnce, zohoUnit } from './zoho-context';

/**
 * The watch channel a connection keeps (docs/vendors/zoho.md "Connector: notifications"): subscribed with
 * POST, renewed with PATCH and a new `channel_expiry`, subscribed anew when Zoho no longer has it.
 */

const NOW = new Date('2026-03-10T12:00:00Z');
const CALLBACK = 'https://gw.example/webhooks/zoho';
const TOKEN = '20099887766.s3cr3t-abcdefgh';

interface WatchBody {
  watch: {
    channel_id: string;
    events: string[];
    notify_url: string;
    token: string;
    channel_expiry: string;
  }[];
}

const success = (
  channelId: string,
  expiry: string,
  message = 'Successfully subscribed for actions-watch of the given module',
) => ({
  watch: [
    {
      code: 'SUCCESS',
      status: 'success',
      message,
      details: {
        events: [
          {
            channel_expiry: expiry,
            resource_name: 'Contacts',
            resource_id: '1',
            resource_uri: 'x',
            channel_id: channelId,
          },
          {
            channel_expiry: expiry,
            resource_name: 'Deals',
            resource_id: '2',
            resource_uri: 'y',
            channel_id: channelId,
          },
        ],
      },
    },
  ],
});

describe('ensureNotifications', () => {
  it('subscribes one channel of both modules with a new <org>.<secret> token, and hands the token back to keep', async () => {
    const { connector } = zohoUnit();
    orgOnce();
    let body: WatchBody | undefined;
    nock(API)
      .post(`${V8}/actions/watch`, (b: WatchBody) => {
        body = b;
        return true;
      })
      .reply(201, success('1', '2026-03-11T11:50:00+00:00'));
    const got = await connector.ensureNotifications({ callbackUrl: CALLBACK, current: null, now: NOW });
    const item = body!.watch[0]!;
    expect(item).toMatchObject({ events: ['Contacts.all', 'Deals.all'], notify_url: CALLBACK });
    expect(item.channel_expiry).toBe('2026-03-11T11:50:00+00:00');
    expect(Date.parse(item.channel_expiry) - NOW.getTime()).toBe(CHANNEL_LIFETIME_MS);
    expect(item.token.length).toBeLessThanOrEqual(50);
    expect(orgOfToken(item.token)).toBe('20099887766');
    expect(item.channel_id).toMatch(/^[0-9]{1,15}$/);
    expect(got).toEqual({
      channelId: item.channel_id,
      expiresAt: new Date('2026-03-11T11:50:00Z'),
      settings: { notificationToken: item.token },
    });
  });

  it('renews with PATCH, keeping the stored token, the channel id and taking the expiry Zoho answers', async () => {
    const { connector } = zohoUnit({ settings: { notificationToken: TOKEN } });
    let body: WatchBody | undefined;
    nock(API)
      .patch(`${V8}/actions/watch`, (b: WatchBody) => {
        body = b;
        return true;
      })
      .reply(200, success('777', '2026-03-11T11:00:00+00:00', 'Successfully updated the subscribe details'));
    const current = { channelId: '777', expiresAt: new Date('2026-03-10T20:00:00Z') };
    const got = await connector.ensureNotifications({ callbackUrl: CALLBACK, current, now: NOW });
    expect(body!.watch[0]).toMatchObject({ channel_id: '777', token: TOKEN, notify_url: CALLBACK });
    expect(got).toEqual({ channelId: '777', expiresAt: new Date('2026-03-11T11:00:00Z') });
    expect(nock.isDone()).toBe(true);
  });

  it('subscribes anew when Zoho refuses the renewal of a channel it no longer has', async () => {
    const { connector } = zohoUnit({ settings: { notificationToken: TOKEN } });
    nock(API)
      .patch(`${V8}/actions/watch`)
      .reply(400, {
        watch: [
          {
            code: 'INVALID_DATA',
            status: 'error',
            message: 'the channel is not subscribed',
            details: { api_name: 'channel_id' },
          },
        ],
      })
      .post(`${V8}/actions/watch`)
      .reply(201, success('777', '2026-03-11T11:50:00+00:00'));
    const current = { channelId: '777', expiresAt: new Date('2026-03-09T00:00:00Z') };
    const got = await connector.ensureNotifications({ callbackUrl: CALLBACK, current, now: NOW });
    expect(got.expiresAt).toEqual(new Date('2026-03-11T11:50:00Z'));
    expect(nock.isDone()).toBe(true);
  });

  it('fails with the refusal when the subscription itself is refused, naming the code and the field', async () => {
    const { connector } = zohoUnit({ settings: { notificationToken: TOKEN } });
    nock(API)
      .post(`${V8}/actions/watch`)
      .reply(400, {
        watch: [
          {
            code: 'INVALID_DATA',
            status: 'error',
            message: 'invalid data',
            details: { api_name: 'notify_url' },
          },
        ],
      });
    await expect(
      connector.ensureNotifications({ callbackUrl: 'not a url', current: null, now: NOW }),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      message: expect.stringContaining('INVALID_DATA on notify_url'),
    });
  });

  it('a channel id is a number, the same for a connection, different between connections', () => {
    expect(channelIdOf('65f0a1b2c3d4e5f601234567')).toBe(channelIdOf('65f0a1b2c3d4e5f601234567'));
    expect(channelIdOf('65f0a1b2c3d4e5f601234567')).not.toBe(channelIdOf('65f0a1b2c3d4e5f601234568'));
    expect(Number.isSafeInteger(Number(channelIdOf('x')))).toBe(true);
  });
});
