import { ServiceProtection } from '../../../../src/sandbox/dynamics/limits';
import { dynamicsSettingsSchema } from '../../../../src/sandbox/dynamics/settings';

const T0 = Date.parse('2026-11-27T10:00:00.000Z');

function limits(patch: Record<string, unknown>): ServiceProtection {
  const settings = dynamicsSettingsSchema.parse(patch);
  return new ServiceProtection(() => settings);
}

function call(l: ServiceProtection, at: number, durationMs = 10, user = 'u1') {
  const ticket = l.arrive(user, at);
  const decision = l.admit(user, ticket, at);
  l.finish(user, ticket, at + durationMs, durationMs, decision.ok);
  return decision;
}

describe('ServiceProtection', () => {
  it('slides the request-count window: one slot frees when the oldest request leaves it', () => {
    const l = limits({ requestsPerWindow: 2, limitWindowMs: 300_000 });
    expect(call(l, T0).ok).toBe(true);
    expect(call(l, T0 + 100_000).ok).toBe(true);
    const refused = call(l, T0 + 299_000);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.headers['retry-after']).toBe('1');
    expect(call(l, T0 + 300_000).ok).toBe(true);
    expect(call(l, T0 + 300_001).ok).toBe(false);
  });

  it('grows Retry-After with every refused request and resets it once one is accepted', () => {
    const l = limits({ requestsPerWindow: 1, retryAfterGrowthSeconds: 2 });
    call(l, T0);
    const waits = [1, 2, 3].map((i) => {
      const d = call(l, T0 + i);
      return d.ok ? 0 : Number(d.error.headers['retry-after']);
    });
    expect(waits).toEqual([300, 302, 304]);
    expect(call(l, T0 + 300_000).ok).toBe(true);
    const after = call(l, T0 + 300_001);
    expect(after.ok ? 0 : Number(after.error.headers['retry-after'])).toBe(300);
  });

  it('sums execution time over the window and refuses once it is spent', () => {
    const l = limits({ executionTimeMsPerWindow: 1000 });
    expect(call(l, T0, 600).ok).toBe(true);
    expect(call(l, T0 + 1000, 500).ok).toBe(true);
    const refused = call(l, T0 + 2000);
    expect(refused.ok ? '' : refused.error.code).toBe('0x80072321');
  });

  it('judges concurrency on arrival, per user', () => {
    const l = limits({ concurrentRequests: 1 });
    const a = l.arrive('u1', T0);
    const b = l.arrive('u1', T0);
    const other = l.arrive('u2', T0);
    expect(l.admit('u1', a, T0).ok).toBe(true);
    const refused = l.admit('u1', b, T0);
    expect(refused.ok ? '' : refused.error.code).toBe('0x80072326');
    expect(l.admit('u2', other, T0).ok).toBe(true);
    l.finish('u1', a, T0 + 5, 5, true);
    l.finish('u1', b, T0 + 5, 5, false);
    expect(call(l, T0 + 10).ok).toBe(true);
  });
});
