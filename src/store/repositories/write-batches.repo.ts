import { type AnyBulkWriteOperation } from 'mongoose';
import { type CrmObject } from '../../connectors/types';
import {
  type BatchKind,
  type WriteFailure,
  type WriteGroup,
  type WriteOperation,
  type WriteStatus,
} from '../../writes/write-operation.types';
import { type WriteOperationDoc, type WriteOperationModel } from '../models/write-operation.model';
import { bulkWriteChunked, stillMatching, updateById, retryBusy } from '../bulk-write';
import {
  failure,
  outcomeSet,
  uniqueGroups,
  type OutcomePolicy,
  type WriteOutcome,
} from './write-outcome.updates';
import { toWriteOperation } from './write-operation.view';

export type { OutcomePolicy, WriteOutcome } from './write-outcome.updates';

/**
 * The write engine's access to `write_operations` (docs/writes.md): claiming a group's batch, recording
 * its outcomes, recovering what a dead worker left RUNNING, and the reconciler's scans.
 *
 * FerretDB applies a conditional update as a read then a write by `_id`, not atomically: nothing here
 * relies on a filter to exclude a concurrent writer. A group's claims and outcomes are serialised by
 * its flush lock (src/writes/flush-lock.ts), which the caller holds; the `claimToken` in the filters
 * only keeps a stale flush (one whose lock expired and whose operations were recovered) from writing.
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

/** An operation whose status a call changed, as it is now. */
export type Transition = WriteOperation;

const UNFINISHED: WriteStatus[] = ['QUEUED', 'RUNNING'];
const ENDED_WITHOUT_RECORD = new Set<WriteStatus>(['FAILED', 'DEAD', 'CANCELLED']);

type LeanOp = WriteOperationDoc & { _id: string; updatedAt?: Date };

function groupFilter(group: WriteGroup): Record<string, unknown> {
  return { connectionId: group.connectionId, object: group.object, batchKind: group.batchKind };
}

export class WriteBatchesRepository {
  constructor(private readonly ops: WriteOperationModel) {}

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
   * (connectionId, recordKey, seq)), the dependencies when any, and one bulkWrite: 3–4.
   */
  async claim(
    group: WriteGroup,
    claimToken: string,
    limit: number,
    now: Date,
    options: ClaimOptions = {},
  ): Promise<ClaimResult> {
    const fetchLimit = Math.min(1000, Math.max(1, limit) * 2);
    const candidates = (await this.ops
      .find({ ...groupFilter(group), status: 'QUEUED', notBefore: { $lte: now } })
      .sort({ seq: 1 })
      .limit(fetchLimit)
      .lean()) as LeanOp[];
    let roundTrips = 1;
    if (candidates.length === 0) return { claimed: [], dependencyFailed: [], more: false, roundTrips };

    const keys = [...new Set(candidates.map((c) => c.recordKey))];
    const unfinished = (await this.ops
      .find(
        { connectionId: group.connectionId, recordKey: { $in: keys }, status: { $in: UNFINISHED } },
        { recordKey: 1, seq: 1 },
      )
      .lean()) as { recordKey: string; seq: number }[];
    roundTrips += 1;
    const firstSeq = new Map<string, number>();
    for (const u of unfinished) {
      const seen = firstSeq.get(u.recordKey);
      if (seen === undefined || u.seq < seen) firstSeq.set(u.recordKey, u.seq);
    }
    // The earliest unfinished operation of its record, itself included: later ones wait their turn.
    const eligible = candidates.filter((c) => (firstSeq.get(c.recordKey) ?? c.seq) >= c.seq);

    const depIds = [...new Set(eligible.flatMap((c) => c.dependsOn ?? []))];
    const deps = new Map<string, { status: WriteStatus; remoteId: string | null }>();
    if (depIds.length > 0) {
      const found = (await this.ops.find({ _id: { $in: depIds } }, { status: 1, remoteId: 1 }).lean()) as {
        _id: string;
        status: string;
        remoteId?: string | null;
      }[];
      roundTrips += 1;
      for (const d of found)
        deps.set(d._id, { status: d.status as WriteStatus, remoteId: d.remoteId ?? null });
    }

    const chosen: { op: LeanOp; set: Record<string, unknown> }[] = [];
    const failedDeps: { op: LeanOp; failure: WriteFailure }[] = [];
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

    const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = [];
    const running = { status: 'RUNNING' as const, claimToken, runningSince: now };
    const keyed = { ...running, gatewayKeyField: options.gatewayKeyField ?? null };
    // Statements, not documents, are what FerretDB is slow at: what the batch shares goes in one
    // updateMany (plain, or a create taking the gateway key); only a dependency's remote id is per record.
    const takesKey = (op: LeanOp): boolean =>
      op.kind === 'CREATE' && !op.externalId && !!options.gatewayKeyField;
    const setOf = (op: LeanOp, own: Record<string, unknown>) => ({
      ...(takesKey(op) ? keyed : running),
      ...own,
    });
    for (const shared of [running, keyed]) {
      const ids = chosen
        .filter((c) => Object.keys(c.set).length === 0 && (shared === keyed) === takesKey(c.op))
        .map((c) => c.op._id);
      if (ids.length > 0) {
        writes.push({
          updateMany: { filter: { _id: { $in: ids }, status: 'QUEUED' }, update: { $set: shared } },
        });
      }
    }
    // Per record, by key alone (src/store/bulk-write.ts): read QUEUED just now, under the group's lock.
    for (const c of chosen) {
      if (Object.keys(c.set).length === 0) continue;
      writes.push(updateById(c.op._id, setOf(c.op, c.set)));
    }
    for (const f of failedDeps) {
      writes.push(updateById(f.op._id, { status: 'FAILED', failure: f.failure, finishedAt: now }));
    }
    if (writes.length > 0) {
      roundTrips += await bulkWriteChunked((c) => this.ops.bulkWrite(c, { ordered: false }), writes);
    }
    const view = (op: LeanOp, set: Record<string, unknown>): WriteOperation =>
      toWriteOperation({ ...op, ...set, updatedAt: now } as LeanOp);
    return {
      claimed: chosen.map((c) => view(c.op, setOf(c.op, c.set))),
      dependencyFailed: failedDeps.map((f) =>
        view(f.op, { status: 'FAILED', failure: f.failure, finishedAt: now }),
      ),
      more: overflow || candidates.length === fetchLimit,
      roundTrips,
    };
  }

  /**
   * Records a flush's outcomes in one bulkWrite (chunked), each only while the operation is still RUNNING under
   * `claimToken` (a stale flush's outcome is ignored). A create that succeeded gives its remote id to
   * every operation keyed `op:<its id>` (they become `rid:<remoteId>`), so the writes that waited for
   * it can run. Returns the operations as they are now.
   */
  async recordOutcomes(
    claimed: readonly WriteOperation[],
    claimToken: string,
    outcomes: readonly WriteOutcome[],
    now: Date,
    policy: OutcomePolicy,
    /** The canonical records read back for SUCCEEDED operations, by operation id (`result.record`). */
    records: ReadonlyMap<string, Record<string, unknown>> = new Map(),
  ): Promise<Transition[]> {
    const byId = new Map(claimed.map((op) => [op.id, op]));
    const transitions: Transition[] = [];
    const random = policy.random ?? Math.random;
    const created = new Map<string, string>();
    const sets = new Map<string, Record<string, unknown>>();
    for (const outcome of outcomes) {
      const op = byId.get(outcome.id);
      if (!op) continue;
      const set = outcomeSet(op, outcome, now, policy.maxAttempts, random, records.get(op.id) ?? null);
      if (outcome.kind === 'succeeded' && op.batchKind === 'UPSERT') {
        created.set(`op:${op.id}`, outcome.remoteId);
        if (op.recordKey === `op:${op.id}`) set.recordKey = `rid:${outcome.remoteId}`;
      }
      sets.set(op.id, set);
      transitions.push({ ...op, ...(set as Partial<WriteOperation>), updatedAt: now });
    }
    const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = [];
    // Outcomes that set the same values (a rescheduled batch, a batch refused as a whole) share one
    // updateMany; a success carries its own remote id, so it is one statement per record.
    const shared = new Map<string, string[]>();
    for (const [id, set] of sets) {
      const key = JSON.stringify(set);
      shared.set(key, [...(shared.get(key) ?? []), id]);
    }
    // A stale flush (its lock expired and its writes were recovered) must not record: the claim token
    // fences it — checked once for the batch, then one by-key statement per record (src/store/bulk-write.ts).
    const singles = [...shared.values()].filter((ids) => ids.length === 1).map((ids) => ids[0]!);
    const ours = await stillMatching(
      (filter) => this.ops.find(filter, { _id: 1 }).lean() as Promise<{ _id: unknown }[]>,
      singles,
      { claimToken, status: 'RUNNING' },
    );
    for (const ids of shared.values()) {
      if (ids.length === 1) {
        if (ours.has(ids[0]!)) writes.push(updateById(ids[0]!, sets.get(ids[0]!)!));
      } else {
        const update = { $set: sets.get(ids[0]!)! };
        writes.push({ updateMany: { filter: { _id: { $in: ids }, claimToken, status: 'RUNNING' }, update } });
      }
    }
    // The outcomes first: a write accepted meanwhile that read its create as pending re-keys itself once
    // stored if the create is SUCCEEDED by then (WriteOperationsRepository.rekeyToCreatedRecords), and
    // the query below sees every write stored before that; so none keeps a stale `op:` key.
    await bulkWriteChunked((c) => this.ops.bulkWrite(c, { ordered: true }), writes.splice(0));
    if (created.size > 0 && claimed[0]) {
      // Other operations keyed by a record these creates made (the writes that waited for them): one
      // query, then one statement each — not one scan per create.
      const keyed = (await this.ops
        .find(
          {
            connectionId: claimed[0].connectionId,
            recordKey: { $in: [...created.keys()] },
            _id: { $nin: [...sets.keys()] },
          },
          { recordKey: 1 },
        )
        .lean()) as { _id: string; recordKey: string }[];
      // By key alone: the gateway's re-keying of the same write (if it raced) sets the same values.
      for (const k of keyed) {
        const remoteId = created.get(k.recordKey)!;
        writes.push(updateById(k._id, { recordKey: `rid:${remoteId}`, remoteId }));
      }
    }
    if (writes.length > 0) await bulkWriteChunked((c) => this.ops.bulkWrite(c, { ordered: true }), writes);
    return transitions;
  }

  /**
   * Ends the QUEUED operations of `group` accepted before `acceptedBefore` (all when absent) with
   * `status` and `failure`: a connection unusable past WRITE_MAX_WAIT_MS, or deleted. Caller holds the
   * group's lock.
   */
  async endQueued(
    group: WriteGroup,
    status: 'DEAD' | 'FAILED',
    fail: WriteFailure,
    now: Date,
    acceptedBefore?: Date,
  ): Promise<Transition[]> {
    const filter = {
      ...groupFilter(group),
      status: 'QUEUED',
      ...(acceptedBefore ? { acceptedAt: { $lt: acceptedBefore } } : {}),
    };
    const docs = (await this.ops.find(filter).limit(5000).lean()) as LeanOp[];
    if (docs.length === 0) return [];
    const set = { status, failure: fail, finishedAt: now };
    await retryBusy(() =>
      this.ops.updateMany({ _id: { $in: docs.map((d) => d._id) }, status: 'QUEUED' }, { $set: set }),
    );
    return docs.map((d) => toWriteOperation({ ...d, ...set, updatedAt: now } as LeanOp));
  }

  /**
   * Operations RUNNING since before `now - olderThanMs` (a worker died mid-call, or its flush outlived
   * its lock), recovered group by group under the group's lock (`withGroupLock` runs the recovery only
   * when it got the lock: a group whose flush is alive is left alone). What may be resent safely goes
   * back to QUEUED — a create with a gateway key (an upsert), an update, an upsert, a delete, a link;
   * a create without one may have been applied and ends FAILED OUTCOME_UNKNOWN (never resent).
   */
  async recoverStale(
    now: Date,
    olderThanMs: number,
    withGroupLock: (group: WriteGroup, recover: () => Promise<void>) => Promise<boolean>,
  ): Promise<{ requeued: Transition[]; failed: Transition[] }> {
    const stale = (await this.ops
      .find({ status: 'RUNNING', runningSince: { $lt: new Date(now.getTime() - olderThanMs) } })
      .limit(5000)
      .lean()) as LeanOp[];
    const requeued: Transition[] = [];
    const failed: Transition[] = [];
    const groups = new Map<string, { group: WriteGroup; docs: LeanOp[] }>();
    for (const d of stale) {
      const group = {
        connectionId: d.connectionId,
        object: d.object as CrmObject,
        batchKind: d.batchKind as BatchKind,
      };
      const key = `${group.connectionId}:${group.object}:${group.batchKind}`;
      const entry = groups.get(key) ?? { group, docs: [] };
      entry.docs.push(d);
      groups.set(key, entry);
    }
    for (const { group, docs: seen } of groups.values()) {
      await withGroupLock(group, async () => {
        // Read again under the lock: a flush that ended between the query and the lock recorded these.
        const docs = (await this.ops
          .find({ _id: { $in: seen.map((d) => d._id) }, status: 'RUNNING' })
          .lean()) as LeanOp[];
        const unsafe = docs.filter((d) => d.kind === 'CREATE' && !d.externalId && !d.gatewayKeyField);
        const safe = docs.filter((d) => !unsafe.includes(d));
        const outcomeUnknown = failure(
          'OUTCOME_UNKNOWN',
          'the worker running this create stopped before its outcome was recorded, and the create has no gateway key: it may have been applied, so it is not resent',
          false,
        );
        const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = [];
        const requeue = { status: 'QUEUED' as const, claimToken: null, runningSince: null, notBefore: now };
        const end = { status: 'FAILED' as const, failure: outcomeUnknown, finishedAt: now };
        // The claim token in the filter: an operation whose flush recorded its outcome meanwhile stays as it is.
        // By key alone (src/store/bulk-write.ts): read RUNNING just now, under the group's lock.
        for (const d of safe) {
          writes.push(updateById(d._id, requeue));
          requeued.push(toWriteOperation({ ...d, ...requeue, updatedAt: now } as LeanOp));
        }
        for (const d of unsafe) {
          writes.push(updateById(d._id, end));
          failed.push(toWriteOperation({ ...d, ...end, updatedAt: now } as LeanOp));
        }
        await bulkWriteChunked((c) => this.ops.bulkWrite(c, { ordered: false }), writes);
      });
    }
    return { requeued, failed };
  }

  /**
   * Groups holding operations QUEUED and due since before `now - olderThanMs`: their flush job was
   * lost (Redis restarted, a crash between storing and enqueuing) or their connection is waiting.
   */
  async staleQueuedGroups(now: Date, olderThanMs: number, limit = 5000): Promise<WriteGroup[]> {
    const bound = new Date(now.getTime() - olderThanMs);
    const docs = (await this.ops
      .find(
        { status: 'QUEUED', acceptedAt: { $lte: bound }, notBefore: { $lte: bound } },
        { connectionId: 1, object: 1, batchKind: 1 },
      )
      .limit(limit)
      .lean()) as { connectionId: string; object: string; batchKind: string }[];
    return uniqueGroups(docs);
  }

  /**
   * The groups of QUEUED operations on `recordKeys` of a connection: the writes a finished batch may
   * have unblocked (the next write to the same record, in any group, and a link whose other record it is).
   */
  async waitingGroups(connectionId: string, recordKeys: readonly string[]): Promise<WriteGroup[]> {
    if (recordKeys.length === 0) return [];
    const keys = [...new Set(recordKeys)];
    const fields = { connectionId: 1, object: 1, batchKind: 1 };
    type Row = { connectionId: string; object: string; batchKind: string };
    // Two queries, not an $or: the first uses (connectionId, recordKey, seq); the second, a link whose
    // other record (`target`) is one of these, is narrowed by the group index to QUEUED links.
    const [own, targets] = await Promise.all([
      this.ops.find({ connectionId, recordKey: { $in: keys }, status: 'QUEUED' }, fields).lean() as Promise<
        Row[]
      >,
      this.ops
        .find(
          {
            connectionId,
            batchKind: { $in: ['LINK', 'UNLINK'] },
            status: 'QUEUED',
            'target.recordKey': { $in: keys },
          },
          fields,
        )
        .lean() as Promise<Row[]>,
    ]);
    return uniqueGroups([...own, ...targets]);
  }

  /** How many operations are QUEUED and when the oldest was accepted (metrics). */
  async queuedStats(): Promise<{ depth: number; oldestAcceptedAt: Date | null }> {
    const [depth, oldest] = await Promise.all([
      this.ops.countDocuments({ status: 'QUEUED' }),
      this.ops.findOne({ status: 'QUEUED' }, { acceptedAt: 1 }).sort({ acceptedAt: 1 }).lean(),
    ]);
    return { depth, oldestAcceptedAt: oldest?.acceptedAt ?? null };
  }

  /** Operations by id (tests and the engine's read of its own results). */
  async findMany(ids: readonly string[]): Promise<WriteOperation[]> {
    const docs = (await this.ops.find({ _id: { $in: [...ids] } }).lean()) as LeanOp[];
    return docs.map((d) => toWriteOperation(d));
  }
}
