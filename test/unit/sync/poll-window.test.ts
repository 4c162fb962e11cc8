import { CrmUpstreamError } from '../../../src/errors';
import {
  maxOccurredAt,
  nextHighWater,
  POLL_OVERLAP_MS,
  pollSince,
  requiresFullResync,
} from '../../../src/sync/poll/poll-window';

const at = (iso: string): Date => new Date(iso);
const change = (occurredAt: string) => ({
  object: 'contact' as const,
  remoteId: occurredAt,
  kind: 'UPSERTED' as const,
  occurredAt,
});

describe('poll window', () => {
  it('reads from the mark minus the overlap', () => {
    expect(pollSince(at('2026-01-01T10:00:00Z'))).toEqual(at('2026-01-01T09:58:00Z'));
    expect(POLL_OVERLAP_MS).toBe(120_000);
  });

  it('takes the latest change time of a page, keeping what earlier pages saw', () => {
    const seen = at('2026-01-01T10:00:00Z');
    expect(maxOccurredAt(null, [])).toBeNull();
    expect(maxOccurredAt(seen, [change('2026-01-01T09:00:00Z')])).toEqual(seen);
    expect(maxOccurredAt(seen, [change('2026-01-01T11:00:00Z'), change('not a time')])).toEqual(
      at('2026-01-01T11:00:00Z'),
    );
  });

  it('moves the mark to the latest change seen, or to the poll start minus the overlap when quiet, never back', () => {
    const start = at('2026-01-02T00:00:00Z');
    expect(nextHighWater(at('2026-01-01T00:00:00Z'), null, start)).toEqual(at('2026-01-01T23:58:00Z'));
    expect(nextHighWater(null, at('2026-01-01T23:59:30Z'), start)).toEqual(at('2026-01-01T23:59:30Z'));
    expect(nextHighWater(at('2026-01-03T00:00:00Z'), null, start)).toEqual(at('2026-01-03T00:00:00Z'));
  });

  it('recognises a change feed that cannot reach back by its details, not by vendor', () => {
    const refused = new CrmUpstreamError('too old', {
      crm: 'any',
      vendorCode: 'WHATEVER',
      details: { fullResyncRequired: true },
    });
    expect(requiresFullResync(refused)).toBe(true);
    expect(requiresFullResync(new CrmUpstreamError('boom', { crm: 'any' }))).toBe(false);
    expect(requiresFullResync(new Error('x'))).toBe(false);
    expect(requiresFullResync(null)).toBe(false);
  });
});
