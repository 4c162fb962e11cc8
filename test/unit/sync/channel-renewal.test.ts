import { channelDue, renewAtOf, RENEW_AT_FRACTION } from '../../../src/sync/notifications/channel-renewal';
import { type NotificationChannelState } from '../../../src/store/repositories/notification-channels.repo';

/** When a notification channel is renewed (src/sync/notifications/channel-renewal.ts): pure. */

const at = (iso: string) => new Date(iso);

const state = (renewAt: Date | null): NotificationChannelState => ({
  connectionId: 'c',
  tenantId: 't',
  channelId: '1',
  expiresAt: at('2026-03-11T12:00:00Z'),
  renewAt,
  renewedAt: at('2026-03-10T12:00:00Z'),
  lastError: null,
});

describe('channel renewal timing', () => {
  it('renews at two thirds of the lifetime: 16 h into a one-day channel', () => {
    expect(RENEW_AT_FRACTION).toBeCloseTo(2 / 3);
    expect(renewAtOf(at('2026-03-10T12:00:00Z'), at('2026-03-11T12:00:00Z'))).toEqual(
      at('2026-03-11T04:00:00Z'),
    );
  });

  it('renews at once a channel that expired or whose expiry lies before its renewal', () => {
    expect(renewAtOf(at('2026-03-10T12:00:00Z'), at('2026-03-10T11:00:00Z'))).toEqual(
      at('2026-03-10T12:00:00Z'),
    );
  });

  it('is due when never subscribed, without a renewal time, or at and after it — not before', () => {
    const now = at('2026-03-11T04:00:00Z');
    expect(channelDue(undefined, now)).toBe(true);
    expect(channelDue(state(null), now)).toBe(true);
    expect(channelDue(state(now), now)).toBe(true);
    expect(channelDue(state(at('2026-03-11T03:59:59Z')), now)).toBe(true);
    expect(channelDue(state(at('2026-03-11T04:00:01Z')), now)).toBe(false);
  });
});
