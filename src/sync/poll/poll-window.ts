import { type NativeChange } from '../../connectors/types';

/**
 * How far before the high-water mark each poll starts reading again. Why: a vendor stamps a record's
 * modification time when its transaction starts, but the record becomes visible only when it commits;
 * a change stamped 10:00:00 and committed 10:00:05 is invisible to a poll at 10:00:03 that then
 * advances past 10:00:00. Re-reading the last two minutes catches commits that late, and vendor clock
 * skew that small. Re-read changes compare equal to their snapshots and record nothing.
 */
export const POLL_OVERLAP_MS = 2 * 60_000;

/** Where a poll starts when there is no poll in progress to resume. */
export function pollSince(highWater: Date): Date {
  return new Date(highWater.getTime() - POLL_OVERLAP_MS);
}

/** The latest vendor time among `changes` and `seen` (null when neither has one). */
export function maxOccurredAt(seen: Date | null, changes: readonly NativeChange[]): Date | null {
  let max = seen?.getTime() ?? -Infinity;
  for (const c of changes) {
    const t = Date.parse(c.occurredAt);
    if (Number.isFinite(t) && t > max) max = t;
  }
  return Number.isFinite(max) ? new Date(max) : null;
}

/**
 * The high-water mark after a complete poll: the latest change time it saw — or, when the object was
 * quiet, the poll's start minus the overlap. The floor keeps a quiet object's mark moving: without it
 * the mark would stay at the last change for ever, the lag would grow without end, and a vendor whose
 * change feed only reaches back so far (deletions kept 15 days) would demand a full reconcile of an
 * object merely because nothing changed in it. Anything committed before the poll started, minus the
 * overlap, was visible to it.
 */
export function nextHighWater(previous: Date | null, seen: Date | null, pollStartedAt: Date): Date {
  const floor = pollStartedAt.getTime() - POLL_OVERLAP_MS;
  return new Date(Math.max(previous?.getTime() ?? 0, seen?.getTime() ?? 0, floor));
}

/**
 * True when a change feed refuses `since` because it cannot answer completely from there (a vendor
 * that keeps deletions only for a window): the caller must reconcile in full. Recognised by the
 * error's `details.fullResyncRequired`, which every connector sets for this case, never by vendor.
 */
export function requiresFullResync(err: unknown): boolean {
  const details = (err as { details?: unknown } | null)?.details;
  return (
    typeof details === 'object' &&
    details !== null &&
    (details as { fullResyncRequired?: unknown }).fullResyncRequired === true
  );
}
