import { type AnyBulkWriteOperation } from 'mongoose';
import {
  type WriteFailure,
  type WriteGroup,
  type WriteOperation,
  type WriteStatus,
} from '../../writes/write-operation.types';
import { type WriteOperationDoc, type WriteOperationModel } from '../models/write-operation.model';
import { bulkWriteChunked } from '../bulk-write';
import { archiveIds, findAcross } from './write-operation-archive';
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
}

export interface ClaimResult {
  /** Now RUNNING under the claim token, in acceptance order; at most one per record. */
  claimed: WriteOperation[];
  /** Ended FAILED DEPENDENCY_FAILED: the create they waited for ended without a record. */
  dependencyFailed: WriteOperation[];
  /** More QUEUED operations of the group may be claimable now (ask for a continuation). */
  more: boolean;
  /** Store round trips the claim took (reported by the bench and docs). */
  roundTrips: number;
}

const UNFINISHED: WriteStatus[] = ['QUEUED', 'RUNNING'];
const ENDED_WITHOUT_RECORD = new Set<WriteStatus>(['FAILED', 'DEAD', 'CANCELLED']);

/**
 * Claims up to `limit` QUEUED operations of `group` due at `now`, in acceptance order, and marks them
 * RUNNING under `claimToken`. The caller holds the group's flush lock.
 *
 * An operation is taken only when it is the earliest unfinished (QUEUED or RUNNING) operation on its
 * record in ANY group — so a delete waits for the record's pending update in the upsert group, and a
 * batch never carries one record twice. A `dependsOn` create that SUCCEEDED gives its remote id (the
 * record key `op:<id>` becomes `rid:<remoteId>`, and so does a link's `target`); one that ended without a record fails the operation
 * DEPENDENCY_FAILED; one still pending leaves it QUEUED.
 *
 * Round trips: the candidates, their records' unfinished operations (one query on
 * (connectionId, recordKey, seq)), the dependencies when any (both collections: one that ended is among
 * the finished operations), and the updates — one updateMany for the operations that share a `$set`
 * (write-outcome.updates.ts `updatesById`): 3 for a batch of 100 updates, 2 for a batch of creates.
 */
export async function claimBatch(
  ops: WriteOperationModel,
  group: WriteGroup,
  claimToken: string,
  limit: number,
  now: Date,
  options: ClaimOptions = {},
): Promise<ClaimResult> {
  const fetchLimit = Math.min(1000, Math.max(1, limit) * 2);
  const candidates = (await ops
    .find({
      connectionId: group.connectionId,
      object: group.object,
      batchKind: group.batchKind,
      status: 'QUEUED',
      notBefore: { $lte: now },
    })
    .sort({ seq: 1 })
    .limit(fetchLimit)
    .lean()) as LeanWriteOperation[];
  let roundTrips = 1;
  if (candidates.length === 0) return { claimed: [], dependencyFailed: [], more: false, roundTrips };

  // The dependencies first: a create that SUCCEEDED makes `op:<its id>` and `rid:<its remote id>` one
  // record. Its waiting writes are re-keyed one statement at a time (write-batch-outcomes.ts, and the
  // accept side), so for a moment an update may be keyed `rid:` while the delete after it still says
  // `op:` — ordering by either key alone would let the delete run first.
  const depIds = [...new Set(candidates.flatMap((c) => c.dependsOn ?? []))];
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

  const keys = new Set(candidates.map((c) => c.recordKey));
  for (const [opKey, ridKey] of alias) {
    if (keys.has(opKey) || keys.has(ridKey)) keys.add(opKey).add(ridKey);
  }
  // A create keyed by itself (`op:<its id>`) is the first write of its record: every other write to the
  // record names the create and was accepted after it was stored. A batch of nothing else needs no look
  // at the records' other operations — one collection scan fewer per batch on FerretDB (a bench:writes
  // batch of 200 creates: ~2 s of ~10 at 3,000 operations).
  const firstOfRecord = candidates.every((c) => c.kind === 'CREATE' && c.recordKey === `op:${c._id}`);
  const unfinished = firstOfRecord
    ? []
    : ((await ops
        .find(
          { connectionId: group.connectionId, recordKey: { $in: [...keys] }, status: { $in: UNFINISHED } },
          { recordKey: 1, seq: 1 },
        )
        .lean()) as { recordKey: string; seq: number }[]);
  if (!firstOfRecord) roundTrips += 1;
  const firstSeq = new Map<string, number>();
  for (const u of unfinished) {
    const record = recordOf(u.recordKey);
    const seen = firstSeq.get(record);
    if (seen === undefined || u.seq < seen) firstSeq.set(record, u.seq);
  }
  // The earliest unfinished operation of its record, itself included: later ones wait their turn.
  const eligible = candidates.filter((c) => (firstSeq.get(recordOf(c.recordKey)) ?? c.seq) >= c.seq);

  const chosen: { op: LeanWriteOperation; set: Record<string, unknown> }[] = [];
  const failedDeps: { op: LeanWriteOperation; failure: WriteFailure }[] = [];
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
      failedDeps.push({ op, failure: failure('DEPENDENCY_FAILED', `not written: ${broken}`, false) });
      continue;
    }
    if (pending) continue;
    if (chosen.length >= limit) {
      overflow = true;
      continue;
    }
    chosen.push({ op, set });
  }

  const running = { status: 'RUNNING' as const, claimToken, runningSince: now };
  const keyed = { ...running, gatewayKeyField: options.gatewayKeyField ?? null };
  const takesKey = (op: LeanWriteOperation): boolean =>
    op.kind === 'CREATE' && !op.externalId && !!options.gatewayKeyField;
  const setOf = (op: LeanWriteOperation, own: Record<string, unknown>) => ({
    ...(takesKey(op) ? keyed : running),
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
  const view = (op: LeanWriteOperation, set: Record<string, unknown>): WriteOperation =>
    toWriteOperation({ ...op, ...set, updatedAt: now } as LeanWriteOperation);
  return {
    claimed: chosen.map((c) => view(c.op, setOf(c.op, c.set))),
    dependencyFailed: failedDeps.map((f) =>
      view(f.op, { status: 'FAILED', failure: f.failure, finishedAt: now }),
    ),
    more: overflow || candidates.length === fetchLimit,
    roundTrips,
  };
}
