import {
  type AttemptOutcome,
  type RetryInput,
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  clampDelay,
  decideRetry,
  parseResetHeader,
  parseRetryAfter,
} from '../../../../src/connectors/http/retry-policy';

const NOW = Date.parse('2026-11-27T04:00:00Z');
const response = (
  status: number,
  extra: Partial<Extract<AttemptOutcome, { kind: 'response' }>> = {},
): AttemptOutcome => ({
  kind: 'response',
  status,
  rateLimit: null,
  retryAfterMs: null,
  ...extra,
});
const input = (outcome: AttemptOutcome, over: Partial<RetryInput> = {}): RetryInput => ({
  outcome,
  attempt: 1,
  waitedMs: 0,
  priority: 'interactive',
  idempotent: true,
  random: () => 0.5,
  ...over,
});

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    ['1.5', 1500],
    [' 7 ', 7000],
    ['-5', 0],
  ])('reads delay-seconds %j as %d ms', (value, ms) => {
    expect(parseRetryAfter(value, NOW)).toBe(ms);
  });

  it('reads an HTTP date relative to now', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 04:00:30 GMT', NOW)).toBe(30_000);
  });

  it('gives 0 for an HTTP date in the past', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 03:00:00 GMT', NOW)).toBe(0);
  });

  it.each([undefined, '', 'soon', '12abc', '--1'])('returns null for %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });
});

describe('parseResetHeader', () => {
  it('reads seconds', () => expect(parseResetHeader('2', 's', NOW)).toBe(2000));
  it('reads milliseconds', () => expect(parseResetHeader('10000', 'ms', NOW)).toBe(10_000));
  it('reads an epoch in seconds sent under a delay name', () => {
    expect(parseResetHeader(String(NOW / 1000 + 60), 's', NOW)).toBe(60_000);
  });
  it('reads an epoch in milliseconds sent under a delay name', () => {
    expect(parseResetHeader(String(NOW + 5000), 'ms', NOW)).toBe(5000);
  });
  it('gives 0 for negatives and past epochs', () => {
    expect(parseResetHeader('-3', 's', NOW)).toBe(0);
    expect(parseResetHeader(String(NOW / 1000 - 60), 's', NOW)).toBe(0);
  });
  it('returns null for garbage', () => {
    expect(parseResetHeader('soon', 's', NOW)).toBeNull();
    expect(parseResetHeader(undefined, 's', NOW)).toBeNull();
  });
});

describe('clampDelay', () => {
  it('keeps unknown unknown', () => {
    expect(clampDelay(null, DEFAULT_RETRY_POLICY)).toBeNull();
    expect(clampDelay(undefined, DEFAULT_RETRY_POLICY)).toBeNull();
    expect(clampDelay(Number.NaN, DEFAULT_RETRY_POLICY)).toBeNull();
  });
  it('turns negatives into 0', () => expect(clampDelay(-100, DEFAULT_RETRY_POLICY)).toBe(0));
  it('caps absurd values', () => {
    expect(clampDelay(365 * 24 * 3600 * 1000, DEFAULT_RETRY_POLICY)).toBe(
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    );
    expect(clampDelay(Number.POSITIVE_INFINITY, DEFAULT_RETRY_POLICY)).toBe(
      DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    );
  });
});

describe('backoffDelay (full jitter)', () => {
  const opts = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  it('draws in [0, base·2^(n−1)) and reaches neither bound outside it', () => {
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      const ceiling = Math.min(1000, 100 * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, () => 0, opts)).toBe(0);
      expect(backoffDelay(attempt, () => 0.999999, opts)).toBe(Math.floor(0.999999 * ceiling));
      expect(backoffDelay(attempt, () => 0.5, opts)).toBe(Math.floor(ceiling / 2));
    }
  });
  it('never exceeds the cap however many attempts', () => {
    expect(backoffDelay(1000, () => 0.999, opts)).toBeLessThan(1000);
  });
  it('tolerates a random source outside [0,1)', () => {
    expect(backoffDelay(1, () => 5, opts)).toBe(100);
    expect(backoffDelay(1, () => -1, opts)).toBe(0);
  });
  it('spreads draws over the whole interval', () => {
    const draws = Array.from({ length: 2000 }, () => backoffDelay(3, Math.random, opts));
    expect(Math.min(...draws)).toBeLessThan(40);
    expect(Math.max(...draws)).toBeGreaterThan(360);
    expect(Math.max(...draws)).toBeLessThan(400);
  });
});

describe('decideRetry', () => {
  it('does not retry final client errors, nor a status only some vendor calls transient', () => {
    for (const status of [400, 403, 404, 409, 410, 422, 423, 477]) {
      expect(decideRetry(input(response(status)))).toEqual({
        action: 'fail',
        reason: 'not_retryable',
        retryAfterMs: null,
      });
    }
  });

  it('retries transient statuses with jittered backoff for interactive reads', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 524]) {
      expect(decideRetry(input(response(status)))).toEqual({ action: 'retry', delayMs: 125 });
    }
  });

  it("retries what the vendor's hooks call not applied (a locked record), as any transient status", () => {
    for (const status of [423, 477]) {
      expect(decideRetry(input(response(status, { vendorNotApplied: true })))).toEqual({
        action: 'retry',
        delayMs: 125,
      });
    }
  });

  it('prefers the vendor Retry-After over its own backoff', () => {
    expect(decideRetry(input(response(503, { retryAfterMs: 2000 })))).toEqual({
      action: 'retry',
      delayMs: 2000,
    });
    expect(
      decideRetry(
        input(response(429, { rateLimit: { kind: 'throttled', retryAfterMs: 3000 }, retryAfterMs: 1 })),
      ),
    ).toEqual({ action: 'retry', delayMs: 3000 });
  });

  it('never sleeps in background work: fails with retryAfterMs for the queue', () => {
    const d = decideRetry(
      input(response(429, { rateLimit: { kind: 'throttled', retryAfterMs: 4000 } }), {
        priority: 'background',
      }),
    );
    expect(d).toEqual({ action: 'fail', reason: 'background', retryAfterMs: 4000 });
  });

  it('stops an interactive read at 10 s of sleep in all', () => {
    expect(decideRetry(input(response(503, { retryAfterMs: 6000 }), { waitedMs: 4000 }))).toEqual({
      action: 'retry',
      delayMs: 6000,
    });
    expect(decideRetry(input(response(503, { retryAfterMs: 6001 }), { waitedMs: 4000 }))).toEqual({
      action: 'fail',
      reason: 'wait_exceeded',
      retryAfterMs: 6001,
    });
    expect(decideRetry(input(response(429, { retryAfterMs: 30_000 })))).toMatchObject({
      reason: 'wait_exceeded',
    });
  });

  it('gives up after maxAttempts', () => {
    expect(decideRetry(input(response(500), { attempt: 3 }))).toMatchObject({ action: 'retry' });
    expect(decideRetry(input(response(500), { attempt: 4 }))).toMatchObject({
      action: 'fail',
      reason: 'attempts_exhausted',
    });
  });

  it('treats a 403 the hooks read as a spent allocation as RATE_LIMITED, never slept on', () => {
    const outcome = response(403, { rateLimit: { kind: 'budget_exhausted', retryAfterMs: null } });
    expect(decideRetry(input(outcome))).toEqual({
      action: 'fail',
      reason: 'budget_exhausted',
      retryAfterMs: DEFAULT_RETRY_POLICY.budgetExhaustedWaitMs,
    });
    const told = response(429, { rateLimit: { kind: 'budget_exhausted', retryAfterMs: 7_200_000 } });
    expect(decideRetry(input(told))).toMatchObject({ retryAfterMs: DEFAULT_RETRY_POLICY.maxRetryAfterMs });
  });

  describe('a create (not idempotent)', () => {
    const create = { idempotent: false };
    it('is never resent when its outcome is unknown', () => {
      for (const status of [500, 502, 504, 408]) {
        expect(decideRetry(input(response(status), create))).toMatchObject({
          action: 'fail',
          reason: 'outcome_unknown',
        });
      }
      expect(decideRetry(input({ kind: 'network', mayHaveReachedServer: true }, create))).toMatchObject({
        action: 'fail',
        reason: 'outcome_unknown',
      });
    });
    it('is resent when the vendor surely did not apply it', () => {
      for (const status of [429, 503]) {
        expect(decideRetry(input(response(status), create))).toMatchObject({ action: 'retry' });
      }
      expect(decideRetry(input(response(423, { vendorNotApplied: true }), create))).toMatchObject({
        action: 'retry',
      });
      expect(decideRetry(input({ kind: 'network', mayHaveReachedServer: false }, create))).toMatchObject({
        action: 'retry',
      });
    });
  });

  it('retries network failures of idempotent requests', () => {
    expect(decideRetry(input({ kind: 'network', mayHaveReachedServer: true }))).toEqual({
      action: 'retry',
      delayMs: 125,
    });
  });

  it('clamps a negative Retry-After to an immediate retry', () => {
    expect(decideRetry(input(response(429, { retryAfterMs: -50 })))).toEqual({ action: 'retry', delayMs: 0 });
  });
});
