import { DEFAULT_INTERACTIVE_RESERVE } from '../../../src/config/crms';
import { DEFAULT_LIMITS } from '../../../src/sandbox/hubspot/limits';
import { type RequestLogEntry } from '../../../src/sandbox/core';
import { UPSERT_CONTACTS } from '../../support/write-contract';
import { judge, postGraphql, sleep } from '../support/answers';
import { type Fleet } from '../support/fleet';
import { rel } from '../support/rel';

/**
 * Issue 23, scenario 6: `connections` connections of ONE HubSpot portal (one tenant each, every one
 * through the same OAuth app, so HubSpot counts them in one ten-second window) under writes that
 * want more than the portal allows and a trickle of interactive reads, through both gateways and the
 * three workers. At the sandbox, the portal's ten-second limit is never exceeded (counted over every
 * rolling ten seconds of its request log) and it answers no 429; every read is served (the reads draw
 * on the interactive reserve the writes may not take: DEFAULT_INTERACTIVE_RESERVE), and their
 * latency while the writes saturate the budget is printed.
 */
export interface BudgetFairnessSize {
  connections: number;
  /** How long the load runs (the sandbox's request log keeps 2,000 entries: keep it under that). */
  durationMs: number;
  /** Concurrent writers, each sending `list` creates to the next connection, then pausing `writePauseMs`. */
  writers: number;
  list: number;
  writePauseMs: number;
  /** Pause of each reader (one per gateway) between two reads: below the reserve's rate. */
  readPauseMs: number;
}

export const BUDGET_FAIRNESS_FULL: BudgetFairnessSize = {
  connections: 20,
  durationMs: 60_000,
  writers: 4,
  list: 10,
  writePauseMs: 100,
  readPauseMs: 1500,
};

const CONTACTS = `query Fair($c: ID!) { contacts(connectionId: $c, first: 5) { edges { node { remoteId email } } } }`;
const WINDOW_MS = 10_000;

/** Most entries in any rolling window of `spanMs` (the sandbox's own: (t - span, t]). */
export function maxPerWindow(entries: readonly RequestLogEntry[], spanMs: number): number {
  const at = entries.map((e) => e.at).sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; j < at.length; j++) {
    while (at[j]! - at[i]! >= spanMs) i++;
    max = Math.max(max, j - i + 1);
  }
  return max;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export async function budgetFairness(fleet: Fleet, size: BudgetFairnessSize): Promise<void> {
  // One connection per tenant (a tenant connects each CRM once), all to the sandbox's one portal.
  const tenants = [fleet.tenant];
  while (tenants.length < size.connections) tenants.push(await fleet.stack.tenant(`fair-${tenants.length}`));
  const targets = tenants.map((t) => ({ key: t.key, c: t.connections.hubspot }));
  const expected = await Promise.all(
    targets.map(async (t) => (await postGraphql(fleet.urls[0]!, t.key, CONTACTS, { c: t.c })).data),
  );
  expect(expected.every((d) => d !== undefined)).toBe(true);

  fleet.stack.clearLogs();
  const started = Date.now();
  const tag = `b${started.toString(36)}`;
  const until = started + size.durationMs;
  let written = 0;
  const writeRefusals: string[] = [];
  const writers = Array.from({ length: size.writers }, async (_, w) => {
    for (let n = w; Date.now() < until; n += size.writers) {
      const t = targets[n % targets.length]!;
      const items = Array.from({ length: size.list }, () => {
        written += 1;
        return {
          input: { firstName: 'Fair', lastName: `F${written}`, email: `fair-${tag}-${written}@example.org` },
        };
      });
      const answer = await postGraphql(fleet.urls[n % fleet.urls.length]!, t.key, UPSERT_CONTACTS, {
        c: t.c,
        items,
      });
      if (judge(answer) !== 'ok') writeRefusals.push(answer.text.slice(0, 200));
      await sleep(size.writePauseMs);
    }
  });
  const readMs: number[] = [];
  const readFailures: string[] = [];
  const readers = fleet.urls.map(async (url, r) => {
    await sleep(5000); // once the writes have the budget to themselves
    for (let n = r; Date.now() < until; n += fleet.urls.length) {
      const i = n % targets.length;
      const sent = Date.now();
      const answer = await postGraphql(url, targets[i]!.key, CONTACTS, { c: targets[i]!.c });
      readMs.push(Date.now() - sent);
      if (judge(answer, expected[i]) !== 'ok') readFailures.push(answer.text.slice(0, 300));
      await sleep(size.readPauseMs);
    }
  });
  await Promise.all([...writers, ...readers]);
  const elapsedS = (Date.now() - started) / 1000;

  const entries = fleet.stack.callEntries('hubspot');
  const total = fleet.stack.calls('hubspot');
  // Search has its own per-second limit (docs/vendors/hubspot.md "Search"): the ten-second window counts the rest.
  const counted = entries.filter((e) => !/search/.test(e.route));
  const accepted = counted.filter((e) => e.status !== 429);
  const refused = counted.filter((e) => e.status === 429);
  const searchRefused = entries.filter((e) => /search/.test(e.route) && e.status === 429);
  const recordsWritten = entries
    .filter((e) => e.items !== undefined && e.status >= 200 && e.status < 300)
    .reduce((n, e) => n + e.items!, 0);
  const limit = DEFAULT_LIMITS.oauthBurst;
  const maxIn10s = maxPerWindow(accepted, WINDOW_MS);
  const sorted = [...readMs].sort((a, b) => a - b);

  rel('fairness.connections', targets.length, 'connections');
  rel('fairness.max_per_10s', maxIn10s, 'requests');
  rel('fairness.limit_per_10s', limit, 'requests');
  rel('fairness.background_share_per_10s', Math.floor(limit * (1 - DEFAULT_INTERACTIVE_RESERVE)), 'requests');
  rel('fairness.vendor_429', refused.length, 'responses');
  rel('fairness.vendor_search_429', searchRefused.length, 'responses');
  rel('fairness.reads', readMs.length, 'reads');
  rel('fairness.reads_failed', readFailures.length, 'reads');
  rel('fairness.read_p50', percentile(sorted, 50), 'ms');
  rel('fairness.read_p95', percentile(sorted, 95), 'ms');
  rel('fairness.write_throughput', recordsWritten / elapsedS, 'records/s');
  rel('fairness.writes_refused', writeRefusals.length, 'requests');

  if (readFailures.length > 0) console.warn(`reads that failed:\n${readFailures.slice(0, 5).join('\n')}`);
  if (writeRefusals.length > 0) console.warn(`writes refused:\n${writeRefusals.slice(0, 5).join('\n')}`);
  // The log held every call of the run, else the window count would miss some.
  expect(entries.length).toBe(total);
  expect(maxIn10s).toBeLessThanOrEqual(limit);
  expect(refused).toEqual([]);
  expect(readMs.length).toBeGreaterThan(0);
  expect(readFailures).toEqual([]);
  expect(writeRefusals).toEqual([]);
  expect(recordsWritten).toBeGreaterThan(0);
}
