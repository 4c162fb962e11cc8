import { CrmUpstreamError } from '../errors';
import { type CrmKind } from './registry';

/** vendorCode of the error asking for a full reconcile; `details.fullResyncRequired` is true. */
export const CHANGES_WINDOW_EXCEEDED = 'CHANGES_WINDOW_EXCEEDED';

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Refuses a change feed read that cannot be complete: deletions older than the vendor keeps them
 * (`windowMs` before `now`) may already be purged, so changes since `since` would silently miss them.
 * The sync layer answers the error by reconciling in full (list everything, diff against snapshots);
 * no vendor call is made first.
 */
export function assertWithinChangesWindow(
  crm: CrmKind,
  object: string,
  since: Date,
  now: number,
  window: { ms: number; why: string },
): void {
  const earliest = now - window.ms;
  if (since.getTime() >= earliest) return;
  throw new CrmUpstreamError(
    `${window.why}; ${object} changes since ${since.toISOString()} cannot be complete, reconcile in full`,
    {
      crm,
      vendorCode: CHANGES_WINDOW_EXCEEDED,
      details: {
        fullResyncRequired: true,
        since: since.toISOString(),
        earliestAvailable: new Date(earliest).toISOString(),
      },
    },
  );
}
