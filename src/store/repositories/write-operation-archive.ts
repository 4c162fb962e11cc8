import { type WriteStatus } from '../../writes/write-operation.types';
import { finishedWriteOperationModel, type WriteOperationModel } from '../models/write-operation.model';
import { retryBusy } from '../bulk-write';
import { duplicatePositions } from '../errors';
import { type LeanWriteOperation } from './write-operation.view';

/**
 * Finished operations leave `write_operations` for `write_operations_finished` (docs/writes.md
 * "Finished operations"): the engine's queries then read open work only. Both collections hold the
 * same shape; this file is the one place that moves documents between them and reads across them.
 *
 * There are no transactions, so a move is an insert into one collection, then a delete from the other,
 * and a crash between the two leaves the operation in both. Readers take the copy updated last
 * (`pickLatest`): a flush's final outcome is newer than the RUNNING copy it leaves behind, and a retried
 * operation's QUEUED copy newer than the final one it came from. The reconciler completes what such a
 * crash left (`sweepFinished`, and recovery skips a RUNNING copy whose finished one exists).
 */

export const FINAL_STATUSES: readonly WriteStatus[] = ['SUCCEEDED', 'FAILED', 'DEAD', 'CANCELLED'];
const FINAL = new Set<string>(FINAL_STATUSES);

export function isFinal(status: string): boolean {
  return FINAL.has(status);
}

/**
 * The most ids one `{_id: {$in}}` read or delete carries: the embedded FerretDB answers such a filter
 * from the `_id` index up to 1,000 ids (tools/ferretdb/patches.js), and scans above.
 */
const ID_CHUNK = 1000;
/** Documents per insert command (as the accept side's inserts). */
const INSERT_CHUNK = 100;

/** The finished collection beside a hot one (same connection). */
export function finishedOf(ops: WriteOperationModel): WriteOperationModel {
  return finishedWriteOperationModel(ops.db);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Documents by `_id` alone (an index search on the embedded store; any second key in the filter would
 * make it a scan), optionally projected.
 */
export async function findByIdsIn(
  model: WriteOperationModel,
  ids: readonly string[],
  projection?: Record<string, 1>,
): Promise<LeanWriteOperation[]> {
  const out: LeanWriteOperation[] = [];
  for (const chunk of chunks([...new Set(ids)], ID_CHUNK)) {
    out.push(...((await model.find({ _id: { $in: chunk } }, projection).lean()) as LeanWriteOperation[]));
  }
  return out;
}

/** Of two copies of one operation, the one updated last (the hot one on a tie). */
export function pickLatest(copies: readonly LeanWriteOperation[]): LeanWriteOperation[] {
  const byId = new Map<string, LeanWriteOperation>();
  for (const doc of copies) {
    const seen = byId.get(doc._id);
    if (!seen || (doc.updatedAt?.getTime() ?? 0) > (seen.updatedAt?.getTime() ?? 0)) byId.set(doc._id, doc);
  }
  return [...byId.values()];
}

/**
 * Operations by id wherever they are, the latest copy of each (the hot one on a tie).
 *
 * The hot collection is read first, then the finished one — not both at once: a move inserts the
 * finished copy before it deletes the hot one, so an operation moving meanwhile is seen in at least one
 * of the two reads. Read at once, the finished read could come before the insert and the hot read after
 * the delete: an idempotent replay would then take the operation for missing and store it again.
 */
export async function findAcross(
  ops: WriteOperationModel,
  ids: readonly string[],
  projection?: Record<string, 1>,
): Promise<LeanWriteOperation[]> {
  if (ids.length === 0) return [];
  const withUpdated = projection ? { ...projection, updatedAt: 1 as const } : undefined;
  const hot = await findByIdsIn(ops, ids, withUpdated);
  const finished = await findByIdsIn(finishedOf(ops), ids, withUpdated);
  return pickLatest([...hot, ...finished]);
}

/**
 * Stores `docs` (complete documents, as they are now) in `into`: one insert per chunk; an id already
 * there (a move a crash interrupted, an operation retried and finished again) is replaced.
 */
async function put(into: WriteOperationModel, docs: readonly LeanWriteOperation[]): Promise<void> {
  for (const chunk of chunks(docs, INSERT_CHUNK)) {
    const existing = await retryBusy(() => insertSkippingExisting(into, chunk));
    for (const doc of existing) {
      await retryBusy(() => into.collection.replaceOne({ _id: doc._id } as never, doc, { upsert: true }));
    }
  }
}

/** Inserts `chunk`, unordered; returns the documents whose id was already there. */
async function insertSkippingExisting(
  into: WriteOperationModel,
  chunk: readonly LeanWriteOperation[],
): Promise<LeanWriteOperation[]> {
  try {
    // The driver's collection: the documents are complete, and mongoose would cast (and drop) pairs.
    await into.collection.insertMany(chunk as never[], { ordered: false });
    return [];
  } catch (err) {
    const duplicates = duplicatePositions(err, chunk.length);
    if (duplicates === null) throw err;
    return duplicates.map((i) => chunk[i]!);
  }
}

async function deleteIds(from: WriteOperationModel, ids: readonly string[]): Promise<void> {
  for (const chunk of chunks(ids, ID_CHUNK)) {
    await retryBusy(() => from.deleteMany({ _id: { $in: chunk } }));
  }
}

/**
 * Moves finished operations out of the hot collection: `docs` as they are now (final), stored in the
 * finished collection, then deleted from the hot one — two commands however many there are, where
 * updating each in place is one FerretDB transaction per document.
 */
export async function archive(ops: WriteOperationModel, docs: readonly LeanWriteOperation[]): Promise<void> {
  const final = docs.filter((d) => isFinal(d.status));
  if (final.length === 0) return;
  await put(finishedOf(ops), final);
  await deleteIds(
    ops,
    final.map((d) => d._id),
  );
}

/** Moves the hot operations among `ids` that are final by now (after an update in place) out. */
export async function archiveIds(ops: WriteOperationModel, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await archive(ops, await findByIdsIn(ops, ids));
}

/**
 * Brings a finished operation back as open work (`retryWriteOperation`): `open` (its new, open state)
 * stored in the hot collection — inserted, or over a final hot copy a move left — then the finished copy
 * `was` deleted if it is still that one (read by `_id`, then deleted by `_id`: both index searches on
 * FerretDB, which applies a filtered delete as the same read then delete anyway). Returns false when
 * the hot collection already holds an open copy (another retry got there first): nothing is written.
 */
export async function reopen(
  ops: WriteOperationModel,
  open: LeanWriteOperation,
  was: LeanWriteOperation,
): Promise<boolean> {
  const existing = await retryBusy(() => insertSkippingExisting(ops, [open]));
  if (existing.length > 0) {
    const [hot] = await findByIdsIn(ops, [open._id], { status: 1 });
    if (hot && !isFinal(hot.status)) return false;
    await retryBusy(() => ops.collection.replaceOne({ _id: open._id } as never, open, { upsert: true }));
  }
  const finished = finishedOf(ops);
  const [copy] = await findByIdsIn(finished, [was._id], { updatedAt: 1 });
  if (copy && copy.updatedAt?.getTime() === was.updatedAt?.getTime()) await deleteIds(finished, [was._id]);
  return true;
}

/**
 * Completes moves that did not finish: final operations still in the hot collection (a crash between
 * an update in place and its move, or a flush that lost its lock and recorded in place). Returns how
 * many it moved. Run by the reconciler; one scan of the hot collection.
 */
export async function sweepFinished(ops: WriteOperationModel, limit = 1000): Promise<number> {
  const docs = (await ops
    .find({ status: { $in: [...FINAL_STATUSES] } })
    .limit(limit)
    .lean()) as LeanWriteOperation[];
  await archive(ops, docs);
  return docs.length;
}

/**
 * Of RUNNING hot copies, those whose final copy was stored after them (a flush's move interrupted
 * after its insert): their hot copy is deleted, and they are no one's to recover. An older finished
 * copy is what a retry left behind, not an outcome of this run. Returns the ids dropped.
 */
export async function dropMovedCopies(
  ops: WriteOperationModel,
  running: readonly LeanWriteOperation[],
): Promise<Set<string>> {
  const finished = await findByIdsIn(
    finishedOf(ops),
    running.map((d) => d._id),
    { _id: 1, updatedAt: 1 },
  );
  const finishedAt = new Map(finished.map((d) => [d._id, d.updatedAt?.getTime() ?? 0]));
  const moved = running
    .filter((d) => (finishedAt.get(d._id) ?? -1) >= (d.updatedAt?.getTime() ?? 0))
    .map((d) => d._id);
  await deleteIds(ops, moved);
  return new Set(moved);
}

/** Deletes finished operations that finished before `cutoff` (WRITE_OPERATION_RETENTION_DAYS). */
export async function pruneFinished(ops: WriteOperationModel, cutoff: Date): Promise<number> {
  const result = await retryBusy(() => finishedOf(ops).deleteMany({ finishedAt: { $lt: cutoff } }));
  return result.deletedCount;
}
