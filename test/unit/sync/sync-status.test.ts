import { type BackfillState, type PollState } from '../../../src/store/repositories/sync-states.repo';
import { statusOf } from '../../../src/sync/sync-control';

const now = new Date('2026-01-01T12:00:00Z');
const active = { status: 'ACTIVE' as const, statusReason: null };

function poll(object: 'contact' | 'deal', over: Partial<PollState> = {}): PollState {
  return {
    tenantId: 't',
    connectionId: 'c',
    object,
    highWater: new Date('2026-01-01T11:59:00Z'),
    pollSince: null,
    pollCursor: null,
    pollMax: null,
    pollStartedAt: null,
    lastPollAt: new Date('2026-01-01T11:59:30Z'),
    lastError: null,
    restartedAt: null,
    feedPosition: null,
    ...over,
  };
}

function backfill(object: 'contact' | 'deal', over: Partial<BackfillState> = {}): BackfillState {
  return {
    tenantId: 't',
    connectionId: 'c',
    object,
    state: 'DONE',
    mode: 'INITIAL',
    done: 10,
    total: 10,
    cursor: null,
    startedAt: new Date('2026-01-01T10:00:00Z'),
    finishedAt: new Date('2026-01-01T10:05:00Z'),
    lastError: null,
    ...over,
  };
}

describe('statusOf', () => {
  it('is PENDING before anything ran', () => {
    expect(statusOf(active, [], [], [], now)).toEqual({
      state: 'PENDING',
      lastPollAt: null,
      lagMs: null,
      backfill: { state: 'NOT_STARTED', done: 0, total: null },
      lastError: null,
    });
  });

  it('sums backfill progress over objects, with no total when one object cannot count', () => {
    const s = statusOf(
      active,
      [poll('contact'), poll('deal')],
      [backfill('contact', { state: 'RUNNING', done: 5, total: null }), backfill('deal')],
      [],
      now,
    );
    expect(s).toMatchObject({ state: 'BACKFILLING', backfill: { state: 'RUNNING', done: 15, total: null } });
  });

  it('reports the lag of the object furthest behind and the latest poll', () => {
    const s = statusOf(
      active,
      [poll('contact'), poll('deal', { highWater: new Date('2026-01-01T11:50:00Z') })],
      [backfill('contact'), backfill('deal')],
      [],
      now,
    );
    expect(s).toMatchObject({ state: 'POLLING', lagMs: 600_000, backfill: { state: 'DONE', total: 20 } });
    expect(s.lastPollAt).toEqual(new Date('2026-01-01T11:59:30Z'));
  });

  it('is ERROR with the error while an object fails, PAUSED with the reason for a paused connection', () => {
    const failing = [poll('contact', { lastError: 'UnavailableError: down' })];
    expect(statusOf(active, failing, [], [], now)).toMatchObject({
      state: 'ERROR',
      lastError: 'UnavailableError: down',
    });
    expect(statusOf(active, [], [backfill('deal', { state: 'FAILED' })], [], now).state).toBe('ERROR');
    expect(statusOf({ status: 'DISABLED', statusReason: null }, failing, [], [], now)).toMatchObject({
      state: 'PAUSED',
      lastError: 'connection is DISABLED',
    });
  });

  it('counts a reconcile requested but not started as a backfill running from zero', () => {
    const requested = [{ object: 'deal' as const, at: new Date('2026-01-01T11:00:00Z') }];
    expect(statusOf(active, [poll('deal')], [backfill('deal')], requested, now)).toMatchObject({
      state: 'BACKFILLING',
      backfill: { state: 'RUNNING' },
    });
  });
});
