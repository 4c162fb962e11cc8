import { PortalLimits } from '../../../../src/sandbox/hubspot/limits';

const PAT = { kind: 'private_app' as const, token: 'pat-na1-x' };
const T0 = Date.parse('2026-11-27T10:00:00.000Z');

describe('PortalLimits', () => {
  it('rolls the ten-second window continuously, not in fixed buckets', () => {
    const l = new PortalLimits(1, 2, { burst: 3 });
    expect(l.takeApi(PAT, T0).ok).toBe(true);
    expect(l.takeApi(PAT, T0 + 4000).ok).toBe(true);
    expect(l.takeApi(PAT, T0 + 8000).ok).toBe(true);
    expect(l.takeApi(PAT, T0 + 9999).ok).toBe(false);
    // The first call leaves the window at T0 + 10 s: one slot frees, not three.
    expect(l.takeApi(PAT, T0 + 10_000).ok).toBe(true);
    expect(l.takeApi(PAT, T0 + 10_001).ok).toBe(false);
  });

  it('counts each private app separately and OAuth per app, without daily headers', () => {
    const l = new PortalLimits(1, 2, { burst: 1 });
    expect(l.takeApi(PAT, T0).ok).toBe(true);
    expect(l.takeApi({ kind: 'private_app', token: 'other' }, T0).ok).toBe(true);
    const oauth = l.takeApi({ kind: 'oauth', appId: 2 }, T0);
    expect(oauth.headers['x-hubspot-ratelimit-max']).toBe('110');
    expect(oauth.headers).not.toHaveProperty('x-hubspot-ratelimit-daily');
  });

  it('resets the daily count at midnight in the portal time zone', () => {
    const l = new PortalLimits(1, 2, { daily: 1, timeZoneOffsetMinutes: -300 });
    const beforeMidnightNy = Date.parse('2026-11-28T04:59:00.000Z');
    expect(l.takeApi(PAT, beforeMidnightNy).ok).toBe(true);
    const refused = l.takeApi(PAT, beforeMidnightNy + 1000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.body.policyName).toBe('DAILY');
    expect(l.dailyUsage(beforeMidnightNy).resetsAt).toBe(Date.parse('2026-11-28T05:00:00.000Z'));
    expect(l.takeApi(PAT, Date.parse('2026-11-28T05:00:00.000Z')).ok).toBe(true);
  });

  it('limits search per second with the secondly body and no headers', () => {
    const l = new PortalLimits(1, 2, { searchPerSecond: 2 });
    expect(l.takeSearch(T0).ok).toBe(true);
    expect(l.takeSearch(T0 + 10).ok).toBe(true);
    const refused = l.takeSearch(T0 + 20);
    expect(refused).toMatchObject({
      ok: false,
      headers: {},
      body: { message: 'You have reached your secondly limit.' },
    });
    expect(l.takeSearch(T0 + 1001).ok).toBe(true);
  });
});
