import { type AnyBulkWriteOperation } from 'mongoose';
import {
  type WriteFailure,
  type WriteGroup,
  type WriteOperation,
  type WriteStatus,
} from '../../writes/write-operation.types';
import { type WriteOperationDoc, type WriteOperationModel } from '../models/write-operation.model';
import { bulkWriteChunked } from '../bulk-write';
import { archiveIds, findAcross, findByIdsIn } from './write-operation-archive';
import { failure, updatesById } from './write-outcome.updates';
import { type LeanWriteOperation, toWriteOperation } from './write-operation.view';

/**
 * Claiming a write group's next batch (docs/writes.md "Claim and order"); the engine reaches it through
 * `WriteBatchesRepository.claim` (write-batches.repo.ts, which says what the flush lock guarantees).
 */

export interface ClaimOptions {
  /**
   * The connection's gateway key field for this object (docs/writes.md "Exactly once"): a claimed
   * CREATE without an upsert key gets `{field, value: <operation id>}` as its `externalId`, stored with
   * the claim, so a resend after a crash is an upsert, never a second record.
   */
  gatewayKeyField?: string | null;
  /**
   * The connection's open operations as the open-operations index holds them (src/writes/open-index.ts),
   * read instead of the store. They may lag the store: a candidate whose document is no longer QUEUED
   * and due is left, and an entry that holds a candidate back is checked by `_id` before it is believed.
   */
  open?: readonly OpenOperation[];
  /**
   * Narrows the claim to some of the group's due candidates, with a limit of its own (a vendor bulk
   * job's shape and size: src/worker/writes/bulk-jobs.ts); null keeps the claim as it is.
   */
  select?: (
    candidates: readonly OpenOperation[],
  ) => { only: (o: OpenOperation) => boolean; limit: number; selection: string } | null;
}

export interface ClaimResult {
  /** Now RUNNING under the claim token, in acceptance order; at most one per record. */
  claimed: WriteOperation[];
  /**
   * The claimed operations' documents as stored now, by id: what their final copies are made from
   * (`RecordOutcomesOptions.current`), so recording the outcomes reads none of them again.
   */
  stored: ReadonlyMap<string, LeanWriteOperation>;
  /** Ended FAILED DEPENDENCY_FAILED: the create they waited for ended without a record. */
  dependencyFailed: WriteOperation[];
  /** More QUEUED operations of the group may be claimable now (ask for a continuation). */
  more: boolean;
  /**
   * Some due operation of the group waits for a RUNNING one — the earlier write of its record, or the
   * create it depends on — in a flush that may have read the open operations before this one was
   * accepted, and so would not know to wake this group when it ends: ask again a little later.
   */
  blocked: boolean;
  /**
   * Every open operation of the connection as the claim read it (projected; before its own updates):
   * what a flush finds the writes its batch unblocks in (src/worker/writes/waiting-groups.ts) without
   * reading the collection again.
   */
  open: readonly OpenOperation[];
  /** Store round trips the claim took (reported by the bench and docs). */
  roundTrips: number;
  /** What `options.select` chose (its `selection`), or null. */
  selection: string | null;
  /**
   * Where the claim read the open operations from the store (no `options.open`): when that read started
   * (epoch ms), what the index is seeded from with `open`.
   */
  storeReadAt: number | null;
  /**
   * Index entries the claim found stale (`options.open`): documents read by `_id` that differ from their
   * entries, and ids the store no longer holds open. The claim's own changes are not in it.
   */
  stale: { put: LeanWriteOperation[]; removed: string[] };
}

const UNFINISHED: WriteStatus[] = ['QUEUED', 'RUNNING'];
const ENDED_WITHOUT_RECORD = new Set<WriteStatus>(['FAILED', 'DEAD', 'CANCELLED']);

/**
 * What the claim reads of every open operation of the connection: enough to order and choose, not the
 * payload (fetched by `_id` for the chosen ones only).
 */
const OPEN_PROJECTION = {
  object: 1,
  batchKind: 1,
  status: 1,
  seq: 1,
  recordKey: 1,
  notBefore: 1,
  kind: 1,
  dependsOn: 1,
  target: 1,
  updatedAt: 1,
} as const;

export type OpenOperation = Pick<
  LeanWriteOperation,
  | '_id'
  | 'object'
  | 'batchKind'
  | 'status'
  | 'seq'
  | 'recordKey'
  | 'notBefore'
  | 'kind'
  | 'dependsOn'
  | 'target'
> & { updatedAt?: Date };

/**
 * The index entries that hold a candidate back (an earlier unfinished operation of its record), but for
 * candidates themselves: a candidate's own document is read before it is taken.
 */
function holdersOf(
  candidates: readonly OpenOperation[],
  firstOf: (c: OpenOperation) => OpenOperation,
): OpenOperation[] {
  const candidateIds = new Set(candidates.map((c) => c._id));
  const holders = new Map<string, OpenOperation>();
  for (const c of candidates) {
    const h = firstOf(c);
    if (h.seq < c.seq && !candidateIds.has(h._id)) holders.set(h._id, h);
  }
  return [...holders.values()];
}

/**
 * Index entries that hold candidates back, checked against the store by `_id` (both collections): the
 * ids it no longer holds open, and the documents that differ from their entries.
 */
async function checkHolders(
  ops: WriteOperationModel,
  holders: readonly OpenOperation[],
): Promise<{ gone: Set<string>; changed: LeanWriteOperation[] }> {
  const found = new Map(
    (
      await findAcross(
        ops,
        holders.map((h) => h._id),
      )
    ).map((d) => [d._id, d] as const),
  );
  const isOpen = (id: string): boolean => UNFINISHED.includes(found.get(id)?.status as WriteStatus);
  const gone = new Set(holders.filter((h) => !isOpen(h._id)).map((h) => h._id));
  const changed = holders.flatMap((h) => {
    const doc = found.get(h._id);
    return doc && !gone.has(h._id) && (doc.status !== h.status || doc.recordKey !== h.recordKey) ? [doc] : [];
  });
  return { gone, changed };
}

/**
 * Claims up to `limit` QUEUED operations of `group` due at `now`, in acceptance order, and marks them
 * RUNNING under `claimToken`. The caller holds the group's flush lock.
 *
 * An operation is taken only when it is the earliest unfinished (QUEUED or RUNNING) operation on its
 * record in ANY group — so a delete waits for the record's pending update in the upsert group, and a
 * claim never carries one record twice. A `dependsOn` create that SUCCEEDED gives its remote id (the
 * record key `op:<id>` becomes `rid:<remoteId>`, and so does a link's `target`); one that ended without a record fails the operation
 * DEPENDENCY_FAILED; one still pending leaves it QUEUED.
 *
 * Round trips: ONE query for every open operation of the connection (projected: the group's
 * candidates and every record's earliest unfinished write come from the same answer), the dependencies
 * when any (both collections, by `_id`: one that ended is among the finished operations), the chosen
 * operations' documents by `_id`, and the updates — one updateMany for the operations that share a
 * `$set` (write-outcome.updates.ts `updatesById`): 3 for a batch without dependencies. On FerretDB every
 * query but an `_id` lookup decodes the whole collection whatever its filter (src/store/bulk-write.ts),
 * so the one query is what a claim costs; two — candidates, then their records' other writes — cost
 * twice that.
 */
export async function claimBatch(
  ops: WriteOperationModel,
  group: WriteGroup,
  claimToken: string,
  limit: number,
  now: Date,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const fromIndex = options.open !== undefined;
  const storeReadAt = fromIndex ? null : Date.now();
  let open = fromIndex
    ? [...options.open!]
    : ((await ops
        .find({ connectionId: group.connectionId, status: { $in: UNFINISHED } }, OPEN_PROJECTION)
        .lean()) as OpenOperation[]);
  let roundTrips = fromIndex ? 0 : 1;
  const stale = { put: [] as LeanWriteOperation[], removed: [] as string[] };
  let candidates = open
    .filter(
      (o) =>
        o.object === group.object &&
        o.batchKind === group.batchKind &&
        o.status === 'QUEUED' &&
        o.notBefore.getTime() <= now.getTime(),
    )
    .sort((a, b) => a.seq - b.seq);
  const selected = candidates.length > 0 ? (options.select?.(candidates) ?? null) : null;
  // Candidates the selection left out are still claimable: a continuation takes them.
  const leftOut = selected ? candidates.filter((c) => !selected.only(c)).length : 0;
  if (selected) {
    candidates = candidates.filter(selected.only);
    limit = selected.limit;
  }
  if (candidates.length === 0) {
    return {
      claimed: [],
      stored: new Map(),
      dependencyFailed: [],
      more: false,
      blocked: false,
      open,
      roundTrips,
      storeReadAt,
      stale,
      selection: null,
    };
  }

  // The dependencies first: a create that SUCCEEDED makes `op:<its id>` and `rid:<its remote id>` one
  // record. Its waiting writes are re-keyed one statement at a time (write-batch-outcomes.ts, and the
  // accept side), so for a moment an update may be keyed `rid:` while the delete after it still says
  // `op:` — ordering by either key alone would let the delete run first.
  // Also the create of every other open write still keyed by it (`op:<create id>`): a write accepted
  // as its create succeeded may miss the re-keying (it reached the index after the flush looked), and
  // a write keyed `rid:` must still wait behind it.
  const pendingKeys = open.flatMap((o) =>
    o.recordKey.startsWith('op:') && o.recordKey !== `op:${o._id}` ? [o.recordKey.slice(3)] : [],
  );
  const depIds = [...new Set([...candidates.flatMap((c) => c.dependsOn ?? []), ...pendingKeys])];
  const deps = new Map<string, { status: WriteStatus; remoteId: string | null }>();
  if (depIds.length > 0) {
    // A dependency that ended is in the finished collection by now (write-operation-archive.ts).
    const found = await findAcross(ops, depIds, { status: 1, remoteId: 1 });
    roundTrips += 2;
    for (const d of found) deps.set(d._id, { status: d.status as WriteStatus, remoteId: d.remoteId ?? null });
  }
  const alias = new Map<string, string>();
  for (const [id, d] of deps)
    if (d.status === 'SUCCEEDED' && d.remoteId) alias.set(`op:${id}`, `rid:${d.remoteId}`);
  const recordOf = (key: string): string => alias.get(key) ?? key;

  const firstOfRecord = (list: readonly OpenOperation[]): Map<string, OpenOperation> => {
    const out = new Map<string, OpenOperation>();
    for (const u of list) {
      const record = recordOf(u.recordKey);
      const seen = out.get(record);
      if (seen === undefined || u.seq < seen.seq) out.set(record, u);
    }
    return out;
  };
  let first = firstOfRecord(open);
  if (fromIndex) {
    const holders = holdersOf(candidates, (c) => first.get(recordOf(c.recordKey))!);
    if (holders.length > 0) {
      const checked = await checkHolders(ops, holders);
      roundTrips += 2;
      stale.put.push(...checked.changed);
      if (checked.gone.size > 0) {
        stale.removed.push(...checked.gone);
        open = open.filter((o) => !checked.gone.has(o._id));
        first = firstOfRecord(open);
      }
    }
  }
  // The earliest unfinished operation of its record, itself included: later ones wait their turn.
  const firstOf = (c: OpenOperation): OpenOperation => first.get(recordOf(c.recordKey)) ?? c;
  const eligible = candidates.filter((c) => firstOf(c).seq >= c.seq);
  let blocked = candidates.some((c) => firstOf(c).seq < c.seq && firstOf(c).status === 'RUNNING');

  const picked: { op: OpenOperation; set: Record<string, unknown> }[] = [];
  const brokenDeps: { op: OpenOperation; failure: WriteFailure }[] = [];
  let overflow = false;
  for (const op of eligible) {
    const set: Record<string, unknown> = {};
    let pending = false;
    let broken: string | null = null;
    for (const depId of op.dependsOn ?? []) {
      const dep = deps.get(depId);
      if (!dep || ENDED_WITHOUT_RECORD.has(dep.status)) {
        broken = `the create ${depId} it waits for ${dep ? `ended ${dep.status}` : 'does not exist'}`;
        break;
      }
      if (dep.status !== 'SUCCEEDED' || !dep.remoteId) {
        pending = true;
        blocked ||= dep.status === 'RUNNING';
        continue;
      }
      if (op.recordKey === `op:${depId}`) {
        set.recordKey = `rid:${dep.remoteId}`;
        set.remoteId = dep.remoteId;
      }
      // A link's other record, made by a create it waits for (`target.recordKey` `op:<create id>`).
      const target = (set.target ?? op.target) as WriteOperation['target'];
      if (target && target.recordKey === `op:${depId}`) {
        set.target = { ...target, recordKey: `rid:${dep.remoteId}`, remoteId: dep.remoteId };
      }
    }
    if (broken) {
      brokenDeps.push({ op, failure: failure('DEPENDENCY_FAILED', `not written: ${broken}`, false) });
      continue;
    }
    if (pending) continue;
    if (picked.length >= limit) {
      overflow = true;
      continue;
    }
    picked.push({ op, set });
  }

  // Their documents, by `_id` (an index search): nothing else changes a QUEUED operation of the group
  // while its lock is held, but one gone meanwhile is left out rather than claimed from a stale read.
  const pickedIds = [...picked, ...brokenDeps].map((p) => p.op._id);
  const read = await findByIdsIn(ops, pickedIds);
  // An index entry may be behind its document: only one still QUEUED and due is taken.
  const docs = new Map(
    read
      .filter((d) => d.status === 'QUEUED' && (!fromIndex || d.notBefore.getTime() <= now.getTime()))
      .map((d) => [d._id, d]),
  );
  if (fromIndex) {
    const readIds = new Set(read.map((d) => d._id));
    stale.removed.push(...pickedIds.filter((id) => !readIds.has(id)));
    stale.put.push(...read.filter((d) => !docs.has(d._id) && UNFINISHED.includes(d.status as WriteStatus)));
    stale.removed.push(
      ...read.filter((d) => !UNFINISHED.includes(d.status as WriteStatus)).map((d) => d._id),
    );
  }
  if (pickedIds.length > 0) roundTrips += 1;
  const withDoc = <T extends { op: OpenOperation }>(list: T[]) =>
    list.flatMap((p) => {
      const doc = docs.get(p.op._id);
      return doc ? [{ ...p, op: doc }] : [];
    });
  const chosen = withDoc(picked);
  const failedDeps = withDoc(brokenDeps);

  // A claim starts outside any bulk job (one is recorded after its submission).
  const running = { status: 'RUNNING' as const, claimToken, runningSince: now, bulkJob: null };
  const keyed = { ...running, gatewayKeyField: options.gatewayKeyField ?? null };
  const takesKey = (op: LeanWriteOperation): boolean =>
    op.kind === 'CREATE' && !op.externalId && !!options.gatewayKeyField;
  // A create keyed for the first time was never sent (the key is stored before any send), so no record
  // can hold its key yet: the connector may skip looking it up (RecordWrite.firstAttempt).
  const setOf = (op: LeanWriteOperation, own: Record<string, unknown>) => ({
    ...(takesKey(op) ? { ...keyed, firstKeyedSend: !op.gatewayKeyField } : running),
    ...own,
  });
  // By `_id` alone (src/store/bulk-write.ts, updateById): the caller holds the group's lock, so no other
  // writer changes these QUEUED operations meanwhile, and a status in the filter would only make
  // FerretDB read the whole collection once per statement.
  // The claimed ones share one `$set` (but those a dependency re-keys): few statements (updatesById).
  const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = updatesById(
    new Map<string, Record<string, unknown>>([
      ...chosen.map((c) => [c.op._id, setOf(c.op, c.set)] as const),
      ...failedDeps.map(
        (f) => [f.op._id, { status: 'FAILED', failure: f.failure, finishedAt: now }] as const,
      ),
    ]),
  );
  if (writes.length > 0) {
    roundTrips += await bulkWriteChunked((c) => ops.bulkWrite(c, { ordered: false }), writes);
  }
  // Failed in place first (so a crash before the move leaves them final, never claimable), then moved.
  await archiveIds(
    ops,
    failedDeps.map((f) => f.op._id),
  );
  const stored = (op: LeanWriteOperation, set: Record<string, unknown>): LeanWriteOperation =>
    ({ ...op, ...set, updatedAt: now }) as LeanWriteOperation;
  const view = (op: LeanWriteOperation, set: Record<string, unknown>): WriteOperation =>
    toWriteOperation(stored(op, set));
  return {
    claimed: chosen.map((c) => view(c.op, setOf(c.op, c.set))),
    stored: new Map(chosen.map((c) => [c.op._id, stored(c.op, setOf(c.op, c.set))])),
    dependencyFailed: failedDeps.map((f) =>
      view(f.op, { status: 'FAILED', failure: f.failure, finishedAt: now }),
    ),
    more: overflow || leftOut > 0 || (fromIndex && docs.size < pickedIds.length),
    blocked,
    open,
    roundTrips,
    storeReadAt,
    stale,
    selection: selected?.selection ?? null,
  };
}
