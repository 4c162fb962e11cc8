import {
  allOperations,
  FINAL,
  type GraphqlExec,
  type OperationUpdate,
  UPSERT_CONTACTS,
} from '../../support/write-contract';
import { rel } from './rel';

/**
 * What the write scenarios share (issue 17's crash tests, issue 23's fleet): creates with one unique
 * email each, so the sandbox can count copies; accepting them; waiting until none is open; and the
 * invariants — every accepted operation final, none lost, none applied twice.
 */

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates (no id, no external id) with one unique email each: `crash-<tag>-<n>@example.org`. */
export function contactItems(tag: string, from: number, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    input: { firstName: 'Crash', lastName: `R${from + i}`, email: `crash-${tag}-${from + i}@example.org` },
  }));
}

/** upsertContacts of `list`: the accepted operations' ids (throws on any GraphQL error). */
export async function accept(exec: GraphqlExec, connectionId: string, list: unknown[]): Promise<string[]> {
  const body = await exec(UPSERT_CONTACTS, { c: connectionId, items: list });
  if (body.errors) throw new Error(`upsertContacts: ${JSON.stringify(body.errors).slice(0, 400)}`);
  return (body.data as { upsertContacts: { id: string }[] }).upsertContacts.map((o) => o.id);
}

/** Whether any operation of the connection is still QUEUED or RUNNING: one page of one each. */
async function anyOpen(exec: GraphqlExec, connectionId: string): Promise<boolean> {
  for (const status of ['QUEUED', 'RUNNING']) {
    const body = await exec(
      `query Open($c: ID!, $s: WriteStatus) { writeOperations(filter: { connectionId: $c, status: $s }, first: 1) { nodes { id } } }`,
      { c: connectionId, s: status },
    );
    if (body.errors) throw new Error(`writeOperations: ${JSON.stringify(body.errors).slice(0, 400)}`);
    if ((body.data as { writeOperations: { nodes: unknown[] } }).writeOperations.nodes.length > 0)
      return true;
  }
  return false;
}

/**
 * Polls until no operation of the connection is open (bounded), then returns them all. The poll asks
 * for one open operation of each status rather than paging through thousands every time: on the
 * embedded store every page is a scan, and the test's reading must not be the load it measures.
 */
export async function settled(
  exec: GraphqlExec,
  connectionId: string,
  timeoutMs: number,
): Promise<OperationUpdate[]> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    if (!(await anyOpen(exec, connectionId)) || Date.now() > deadline)
      return allOperations(exec, connectionId);
    await sleep(2000);
  }
}

/** The statuses of operations, counted: what a failure prints to say where they stuck. */
function countStatuses(ops: readonly OperationUpdate[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of ops) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

/** Keys counted more than once (of `ReadStack.recordsBy`): records the vendor holds twice. */
export function duplicates(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([k]) => k);
}

export interface WriteRun {
  /** The REL figures' name, e.g. `writes.worker_kill9`. */
  name: string;
  /** The tag of the run's emails ({@link contactItems}). */
  tag: string;
  accepted: readonly string[];
  ops: readonly OperationUpdate[];
  settleMs: number;
  /** The sandbox's live Salesforce contacts counted by Email (`ReadStack.recordsBy`). */
  recordsByEmail: () => Map<string, number>;
  /** The processes' output, printed when operations stuck open. */
  output: () => string;
}

/**
 * The figures of a run (`REL <name>.accepted|lost|open|succeeded|failed|duplicated|settle_s`), then
 * the invariants: every accepted operation known and final, none CANCELLED, each intended record at
 * most once in the sandbox and every SUCCEEDED one there.
 */
export function expectNoneLostNoneDuplicated(run: WriteRun): void {
  const byId = new Map(run.ops.map((o) => [o.id, o]));
  const ours = () =>
    new Map([...run.recordsByEmail()].filter(([email]) => email.startsWith(`crash-${run.tag}-`)));
  const counts = countStatuses(run.accepted.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])));
  const lost = run.accepted.filter((id) => !byId.has(id));
  const copies = duplicates(ours());
  rel(`${run.name}.accepted`, run.accepted.length, 'ops');
  rel(`${run.name}.lost`, lost.length, 'ops');
  rel(`${run.name}.open`, (counts.QUEUED ?? 0) + (counts.RUNNING ?? 0), 'ops');
  rel(`${run.name}.succeeded`, counts.SUCCEEDED ?? 0, 'ops');
  rel(`${run.name}.failed`, (counts.FAILED ?? 0) + (counts.DEAD ?? 0), 'ops');
  rel(`${run.name}.duplicates`, copies.length, 'records');
  rel(`${run.name}.settle_s`, Number((run.settleMs / 1000).toFixed(1)), 's');
  expect(lost).toEqual([]);
  const open = run.accepted.filter((id) => !FINAL.has(byId.get(id)!.status));
  if (open.length > 0) {
    console.warn(`not final: ${open.length}`, countStatuses(open.map((id) => byId.get(id)!)));
    console.warn(`process output (tail):\n${run.output().slice(-6000)}`);
  }
  expect(open).toEqual([]);
  expect(run.accepted.filter((id) => byId.get(id)!.status === 'CANCELLED')).toEqual([]);
  expect(copies).toEqual([]);
  const succeeded = run.accepted.filter((id) => byId.get(id)!.status === 'SUCCEEDED').length;
  expect(ours().size).toBeGreaterThanOrEqual(succeeded);
}
