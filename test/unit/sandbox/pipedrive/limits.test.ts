import { CompanyLimits, type Caller } from '../../../../src/sandbox/pipedrive/limits';
import { pipedriveSettingsSchema } from '../../../../src/sandbox/pipedrive/settings';

const API: Caller = { token: 'api', kind: 'api_token' };
const DAY = 24 * 3600_000;
const MIDNIGHT = Date.UTC(2026, 5, 1);

function limits(settings: Record<string, unknown> = {}): CompanyLimits {
  return new CompanyLimits(pipedriveSettingsSchema.parse(settings));
}

describe('CompanyLimits', () => {
  it('computes the budget as 30,000 × multiplier × seats for every plan', () => {
    const expected = { lite: 1, growth: 2, professional: 4, premium: 5, ultimate: 7 };
    for (const [plan, multiplier] of Object.entries(expected))
      expect(limits({ plan, seats: 3 }).budget()).toBe(30_000 * multiplier * 3);
    expect(limits({ dailyTokenBudget: 12 }).budget()).toBe(12);
  });

  it('uses the plan burst of the token kind, and the override for both', () => {
    expect(limits({ plan: 'lite' }).burstLimit('api_token')).toBe(20);
    expect(limits({ plan: 'lite' }).burstLimit('oauth')).toBe(80);
    expect(limits({ plan: 'ultimate' }).burstLimit('oauth')).toBe(480);
    expect(limits({ burstLimit: 3 }).burstLimit('oauth')).toBe(3);
  });

  it('slides the burst window: calls older than 2 s stop counting', () => {
    const l = limits({ burstLimit: 2 });
    expect(l.charge(API, 'v2', 'get', MIDNIGHT).ok).toBe(true);
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 1500).ok).toBe(true);
    const refused = l.charge(API, 'v2', 'get', MIDNIGHT + 1999);
    expect(refused).toMatchObject({ ok: false, reason: 'burst' });
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 2001).ok).toBe(true);
    // Another token has its own window.
    expect(l.charge({ token: 'other', kind: 'api_token' }, 'v2', 'get', MIDNIGHT + 2001).ok).toBe(true);
    expect(l.spent(MIDNIGHT + 2001)).toBe(4);
  });

  it('charges v1 and v2 costs, refuses without charging, and resets at the UTC day boundary', () => {
    const l = limits({ dailyTokenBudget: 30 });
    expect(l.charge(API, 'v1', 'list', MIDNIGHT + 10).ok).toBe(true);
    expect(l.charge(API, 'v2', 'list', MIDNIGHT + 20).ok).toBe(true);
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 30)).toMatchObject({ ok: false, reason: 'daily' });
    expect(l.spent(MIDNIGHT + 40)).toBe(30);
    expect(l.spent(MIDNIGHT + DAY - 1)).toBe(30);
    expect(l.spent(MIDNIGHT + DAY)).toBe(0);
    expect(
      l.charge(API, 'v2', 'delete', MIDNIGHT + DAY + 1).headers['x-daily-ratelimit-token-remaining'],
    ).toBe('27');
  });

  it('resets a scaled daily budget at each multiple of its window (a benchmark setting)', () => {
    const l = limits({ dailyTokenBudget: 10, dailyWindowMs: 60_000 });
    expect(l.charge(API, 'v2', 'create', MIDNIGHT + 1).ok).toBe(true);
    expect(l.charge(API, 'v2', 'create', MIDNIGHT + 2001).ok).toBe(true);
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 4002)).toMatchObject({ ok: false, reason: 'daily' });
    expect(l.spent(MIDNIGHT + 59_999)).toBe(10);
    expect(l.spent(MIDNIGHT + 60_000)).toBe(0);
    expect(l.charge(API, 'v2', 'create', MIDNIGHT + 60_001).ok).toBe(true);
  });

  it('turns the answer into the HTML block after the set number of 429s in a row, and a success clears the count', () => {
    const l = limits({ burstLimit: 1, forbiddenHtmlAfter429s: 1 });
    expect(l.charge(API, 'v2', 'get', MIDNIGHT).ok).toBe(true);
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 1)).toMatchObject({ reason: 'burst' });
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 2)).toMatchObject({ reason: 'blocked' });
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 5000).ok).toBe(true);
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 5001)).toMatchObject({ reason: 'burst' });
  });

  it('keeps search to its own window on top of the burst', () => {
    const l = limits({ searchBurst: 2 });
    expect(l.charge(API, 'v2', 'search', MIDNIGHT).ok).toBe(true);
    expect(l.charge(API, 'v2', 'search', MIDNIGHT + 1).ok).toBe(true);
    expect(l.charge(API, 'v2', 'search', MIDNIGHT + 2)).toMatchObject({ ok: false, reason: 'search' });
    expect(l.charge(API, 'v2', 'get', MIDNIGHT + 3).ok).toBe(true);
  });
});
