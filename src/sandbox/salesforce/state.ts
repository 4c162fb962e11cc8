import { type SalesforceSettings } from './settings';
import { type SfStore } from './store';
import { type SfRecord } from './values';

/** A query cursor behind a `nextRecordsUrl` locator. Rows are projected when the query runs. */
export interface QueryCursor {
  rows: SfRecord[];
  totalSize: number;
  /** The user who ran the query: open cursors are counted per user (before v56.0). */
  userId: string;
  createdAt: number;
  lastUsed: number;
  /** Positions whose locators were read (single-use locators refuse them again). */
  read: Set<number>;
}

export interface BulkJob {
  id: string;
  kind: 'ingest' | 'query';
  info: Record<string, unknown>;
  version: string;
  /** Ingest: uploaded CSV text; query: the SOQL. */
  data: string;
  /** When a closed job finishes processing (sandbox clock). */
  completeAt: number | null;
  /** When the job reached JobComplete, Failed or Aborted (sandbox clock); it is deleted seven days later. */
  endedAt?: number;
  results?: { successful: string; failed: string; unprocessed: string };
  /** Query results: header + rows as CSV lines. */
  csvRows?: { header: string; lines: string[] };
}

/**
 * Salesforce counts API calls per rolling 24 h; we keep 24 buckets of a 24th of the window (hours by
 * default; `apiWindowMs` scales the window): bucket index → count, and the bucket size they were
 * counted in, so a changed window starts a fresh count instead of misreading old buckets.
 */
export interface ApiUsage {
  buckets: Map<number, number>;
  bucketMs?: number;
}

export interface SfOrgState {
  settings: SalesforceSettings;
  /** The 18-character Organization id (00D…). */
  orgId: string;
  /** The connected app of this org. */
  clientId: string;
  clientSecret: string;
  /** Run-as user of API calls made with client credentials; owner of demo tokens. */
  integrationUserId: string;
  /** The user admin ("as a CRM user") changes are attributed to. */
  crmUserId: string;
  username: string;
  store: SfStore;
  cursors: Map<string, QueryCursor>;
  jobs: Map<string, BulkJob>;
  usage: ApiUsage;
  /** Start times of requests in flight (for the long-request concurrency limit). */
  inFlight: Set<{ startedAt: number }>;
  demoAccessToken: string;
  demoRefreshToken: string;
  counter: number;
}

/** The usage buckets for the org's current window (reset when the window's size changed). */
function usageBuckets(state: SfOrgState): { buckets: Map<number, number>; bucketMs: number } {
  const bucketMs = state.settings.apiWindowMs / 24;
  if (state.usage.bucketMs !== bucketMs) {
    if (state.usage.bucketMs !== undefined) state.usage.buckets.clear();
    state.usage.bucketMs = bucketMs;
  }
  return { buckets: state.usage.buckets, bucketMs };
}

export function apiUsed(state: SfOrgState, now: number): number {
  const { buckets, bucketMs } = usageBuckets(state);
  const current = Math.floor(now / bucketMs);
  let total = 0;
  for (const [b, n] of buckets) {
    if (b > current - 24) total += n;
    else buckets.delete(b);
  }
  return total;
}

export function countApiCall(state: SfOrgState, now: number): void {
  const { buckets, bucketMs } = usageBuckets(state);
  const current = Math.floor(now / bucketMs);
  buckets.set(current, (buckets.get(current) ?? 0) + 1);
}
