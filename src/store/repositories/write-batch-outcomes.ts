import { type AnyBulkWriteOperation } from 'mongoose';
import { type WriteOperation } from '../../writes/write-operation.types';
import { type WriteOperationDoc, type WriteOperationModel } from '../models/write-operation.model';
import { bulkWriteChunked } from '../bulk-write';
import { archive, findByIdsIn, isFinal } from './write-operation-archive';
import { type LeanWriteOperation } from './write-operation.view';
import {
  updatesById,
  outcomeSet,
  type OutcomePolicy,
  type Transition,
  type WriteOutcome,
} from './write-outcome.updates';

/**
 * Recording a flush's outcomes (docs/writes.md "Outcomes"); the engine reaches it through
 * `WriteBatchesRepository.recordOutcomes` (write-batches.repo.ts). What each outcome sets is the pure
 * `outcomeSet` (write-outcome.updates.ts).
 */

export interface RecordOutcomesOptions {
  /** The canonical records read back for SUCCEEDED operations, by operation id (`result.record`). */
  records?: ReadonlyMap<string, Record<string, unknown>>;
  /**
   * The caller made sure, just before, that it still holds the group's flush lock under `claimToken`:
   * then nothing else can write these operations (recovery and cancel take the lock), and each is
   * updated by `_id` alone (src/store/bulk-write.ts, updateById: no collection scan per statement on
   * FerretDB). Otherwise each update is filtered by `claimToken` and RUNNING.
   */
  exclusive?: boolean;
  /**
   * With `exclusive`: the claimed operations' documents as the claim stored them (ClaimResult.stored).
   * Nothing else wrote them since (see `exclusive`), so their final copies are made from these instead
   * of reading every operation of the batch again; an operation missing here is read.
   */
  current?: ReadonlyMap<string, LeanWriteOperation>;
  /**
   * The open operations keyed by any of `recordKeys` (`op:<create id>`), from the open-operations index
   * (src/writes/open-index.ts) instead of a query of the store, which decodes the whole backlog on
   * FerretDB; null when the index cannot say (not ready), and the store is asked.
   */
  keyedBy?: (recordKeys: readonly string[]) => Promise<{ _id: string; recordKey: string }[] | null>;
}

/** What recording outcomes changed: the operations of the batch, and the others it re-keyed. */
export type OutcomeTransitions = Transition[] & { rekeyed: Rekeyed[] };

/** An operation re-keyed to the record its create made (`op:<create id>` → `rid:<remote id>`). */
export interface Rekeyed {
  id: string;
  recordKey: string;
  remoteId: string;
}

/**
 * Records a flush's outcomes, each only while the operation is still RUNNING under `claimToken` (a stale
 * flush's outcome is ignored: see `exclusive`). With `exclusive`, final outcomes are stored straight in
 * the finished collection and their RUNNING copies deleted (write-operation-archive.ts); the rest go
 * back to QUEUED in place. Without it, every outcome is written in place, guarded, and the reconciler
 * moves the final ones later. A create that succeeded gives its remote id to
 * every operation keyed `op:<its id>` (they become `rid:<remoteId>`), so the writes that waited for
 * it can run. Returns the operations as they are now.
 */
export async function recordBatchOutcomes(
  ops: WriteOperationModel,
  claimed: readonly WriteOperation[],
  claimToken: string,
  outcomes: readonly WriteOutcome[],
  now: Date,
  policy: OutcomePolicy,
  options: RecordOutcomesOptions = {},
): Promise<OutcomeTransitions> {
  const records = options.records ?? new Map<string, Record<string, unknown>>();
  const byId = new Map(claimed.map((op) => [op.id, op]));
  const transitions: Transition[] = [];
  const random = policy.random ?? Math.random;
  const created = new Map<string, string>();
  const sets = new Map<string, Record<string, unknown>>();
  for (const outcome of outcomes) {
    const op = byId.get(outcome.id);
    if (!op) continue;
    const set = outcomeSet(op, outcome, now, policy.maxAttempts, random, records.get(op.id) ?? null);
    // Only a CREATE is ever named by `op:<its id>` (src/writes/record-refs.ts).
    if (outcome.kind === 'succeeded' && op.kind === 'CREATE') {
      created.set(`op:${op.id}`, outcome.remoteId);
      if (op.recordKey === `op:${op.id}`) set.recordKey = `rid:${outcome.remoteId}`;
    }
    sets.set(op.id, set);
    transitions.push({ ...op, ...(set as Partial<WriteOperation>), updatedAt: now });
  }
  const writes: AnyBulkWriteOperation<WriteOperationDoc>[] = [];
  let finished: LeanWriteOperation[] = [];
  if (options.exclusive) {
    // Final outcomes move to the finished collection as they are written (write-operation-archive.ts):
    // an insert and a delete for the batch, not one FerretDB transaction per operation. What goes back
    // to QUEUED is updated in place, by `_id` alone.
    const finalIds = [...sets].flatMap(([id, set]) => (isFinal(String(set.status)) ? [id] : []));
    const known = options.current ?? new Map<string, LeanWriteOperation>();
    const current = [
      ...finalIds.flatMap((id) => (known.has(id) ? [known.get(id)!] : [])),
      ...(await findByIdsIn(
        ops,
        finalIds.filter((id) => !known.has(id)),
      )),
    ];
    finished = current
      .filter((d) => d.status === 'RUNNING' && d.claimToken === claimToken)
      .map((d) => ({ ...d, ...sets.get(d._id)!, updatedAt: now }) as LeanWriteOperation);
    writes.push(...updatesById(new Map([...sets].filter(([, set]) => !isFinal(String(set.status))))));
  } else {
    // Outcomes that set the same values (a rescheduled batch, a batch refused as a whole) share one
    // updateMany; a success carries its own remote id, so it is one statement per record.
    const shared = new Map<string, string[]>();
    for (const [id, set] of sets) {
      const key = JSON.stringify(set);
      shared.set(key, [...(shared.get(key) ?? []), id]);
    }
    for (const ids of shared.values()) {
      const update = { $set: sets.get(ids[0]!)! };
      if (ids.length === 1) {
        writes.push({ updateOne: { filter: { _id: ids[0], claimToken, status: 'RUNNING' }, update } });
      } else {
        writes.push({
          updateMany: { filter: { _id: { $in: ids }, claimToken, status: 'RUNNING' }, update },
        });
      }
    }
  }
  // The outcomes first: a write accepted meanwhile that read its create as pending re-keys itself once
  // stored if the create is SUCCEEDED by then (WriteOperationsRepository.rekeyToCreatedRecords), and
  // the query below sees every write stored before that; so none keeps a stale `op:` key.
  await archive(ops, finished);
  await bulkWriteChunked((c) => ops.bulkWrite(c, { ordered: true }), writes.splice(0));
  const rekeyed: Rekeyed[] = [];
  if (created.size > 0 && claimed[0]) {
    // Other operations keyed by a record these creates made (the writes that waited for them): one
    // query (or the index), then one statement each — not one scan per create.
    const keys = [...created.keys()];
    const indexed = await (options.keyedBy?.(keys) ?? null);
    const keyed = (
      indexed ??
      ((await ops
        .find({ connectionId: claimed[0].connectionId, recordKey: { $in: keys } }, { recordKey: 1 })
        .lean()) as { _id: string; recordKey: string }[])
    ).filter((k) => !sets.has(k._id));
    for (const k of keyed) {
      const remoteId = created.get(k.recordKey)!;
      writes.push({
        updateOne: {
          filter: { _id: k._id, recordKey: k.recordKey },
          update: { $set: { recordKey: `rid:${remoteId}`, remoteId } },
        },
      });
      rekeyed.push({ id: k._id, recordKey: `rid:${remoteId}`, remoteId });
    }
  }
  if (writes.length > 0) await bulkWriteChunked((c) => ops.bulkWrite(c, { ordered: true }), writes);
  return Object.assign(transitions, { rekeyed });
}
