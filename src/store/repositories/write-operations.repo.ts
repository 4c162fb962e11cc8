import { type WriteOperationDoc, type WriteOperationModel } from '../models/write-operation.model';
import { duplicatePositions } from '../errors';
import { retryBusy } from '../bulk-write';
import { type WriteOperation, type WriteStatus } from '../../writes/write-operation.types';
import { toWriteOperation } from './write-operation.view';
import {
  archiveIds,
  findAcross,
  finishedOf,
  isFinal,
  pickLatest,
  pruneFinished,
  reopen,
} from './write-operation-archive';

/**
 * The accept side's access to `write_operations` (the engine's is write-batches.repo.ts): storing
 * accepted operations, reading them for the API, cancelling and re-queueing them.
 *
 * Stored shape (what the engine reads, src/worker/writes/record-writes.ts): `nativeFields` and `input`
 * as `[{field, value}]` pairs (FerretDB refuses `.` and `$` in keys; see toFieldPairs), a create's
 * record key `op:<its id>`, `rid:<remoteId>` for a known record, `ext:<native field>:<value>` for an
 * upsert by external id.
 */

export interface FieldPair {
  field: string;
  value: unknown;
}

/** A document as the accept side inserts it (every field of the model; `_id` is the `wop_…` id). */
export type NewWriteOperationDoc = Omit<WriteOperationDoc, 'input' | 'nativeFields'> & {
  _id: string;
  input: { fields: FieldPair[]; customFields: FieldPair[] } | null;
  nativeFields: FieldPair[] | null;
  updatedAt: Date;
};

export interface OperationListFilter {
  connectionId?: string;
  status?: WriteStatus;
  since?: Date;
}

/** Where a list page resumes: after the operation with this (acceptedAt, id), newest first. */
export interface OperationListPosition {
  acceptedAt: Date;
  id: string;
}

/** FerretDB answered slowly to very large single commands; inserts go out in chunks of this many. */
const INSERT_CHUNK = 100;

type LeanOp = WriteOperationDoc & { _id: string; updatedAt?: Date };

export function toFieldPairs(fields: Readonly<Record<string, unknown>>): FieldPair[] {
  return Object.keys(fields).map((field) => ({ field, value: fields[field] ?? null }));
}

export class WriteOperationsRepository {
  constructor(private readonly ops: WriteOperationModel) {}

  /**
   * Inserts the operations, unordered, and returns the ids this call inserted. An id that already exists
   * (an idempotent replay that raced the first request, or completes what a crash left out) is skipped,
   * not an error: operation ids are derived, so the document there is the same operation.
   */
  async insertMany(docs: readonly NewWriteOperationDoc[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let i = 0; i < docs.length; i += INSERT_CHUNK) {
      const chunk = docs.slice(i, i + INSERT_CHUNK);
      const failed = await retryBusy(() => this.insertChunk(chunk));
      chunk.forEach((d, j) => {
        if (!failed.has(j)) inserted.add(d._id);
      });
    }
    return inserted;
  }

  /** Indexes of `chunk` not inserted because their id exists; any other failure throws. */
  private async insertChunk(chunk: readonly NewWriteOperationDoc[]): Promise<Set<number>> {
    try {
      // The driver's collection: the documents are complete, and mongoose would cast (and drop) pairs.
      await this.ops.collection.insertMany(chunk as never[], { ordered: false });
      return new Set();
    } catch (err) {
      const duplicates = duplicatePositions(err, chunk.length);
      if (duplicates === null) throw err;
      return new Set(duplicates);
    }
  }

  /** This tenant's operation, or null (an unknown id and another tenant's read the same). */
  /**
   * Closes a race with the engine: an operation keyed `op:<create id>` stored just as that create
   * SUCCEEDED may miss the engine's rewrite of such keys to `rid:<remoteId>`, and would then not be
   * ordered against later writes keyed by the record. The engine records the create's success BEFORE
   * rewriting the keys, and this runs AFTER the insert, so one of the two always sees the other.
   * Returns the ids it rewrote, with their remote id.
   */
  async rekeyToCreatedRecords(
    docs: readonly { _id: string; recordKey: string }[],
  ): Promise<Map<string, string>> {
    const waiting = docs.filter((d) => d.recordKey.startsWith('op:'));
    const rewritten = new Map<string, string>();
    if (waiting.length === 0) return rewritten;
    // A SUCCEEDED create is in the finished collection (write-operation-archive.ts).
    const creates = await findAcross(
      this.ops,
      waiting.map((d) => d.recordKey.slice(3)),
      { status: 1, remoteId: 1 },
    );
    const made = new Map(
      creates.flatMap((c) => (c.status === 'SUCCEEDED' && c.remoteId ? [[c._id, c.remoteId] as const] : [])),
    );
    for (const d of waiting) {
      const remoteId = made.get(d.recordKey.slice(3));
      if (!remoteId) continue;
      await this.ops.updateOne(
        { _id: d._id, recordKey: d.recordKey },
        { $set: { recordKey: `rid:${remoteId}`, remoteId } },
      );
      rewritten.set(d._id, remoteId);
    }
    return rewritten;
  }

  /**
   * This tenant's operation, open or finished, or null (an unknown id and another tenant's read the
   * same). By `_id` alone, the tenant checked here: a second key would make it a scan on FerretDB.
   */
  async findById(tenantId: string, id: string): Promise<WriteOperation | null> {
    return (await this.findByIds(tenantId, [id]))[0] ?? null;
  }

  /** In the order of `ids`, null for unknown ones and other tenants'. One read of each collection. */
  async findByIds(tenantId: string, ids: readonly string[]): Promise<(WriteOperation | null)[]> {
    if (ids.length === 0) return [];
    const docs = (await findAcross(this.ops, ids)).filter((d) => d.tenantId === tenantId);
    const byId = new Map(docs.map((d) => [d._id, toWriteOperation(d)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * One page of this tenant's operations, newest first (keyset on (acceptedAt desc, _id desc), so
   * operations accepted in the same millisecond page without duplicates or gaps). Reads `first + 1` to
   * know whether there is a next page.
   */
  async list(
    tenantId: string,
    filter: OperationListFilter,
    first: number,
    after: OperationListPosition | null,
  ): Promise<{ nodes: WriteOperation[]; hasNextPage: boolean }> {
    const query: Record<string, unknown> = { tenantId };
    if (filter.connectionId !== undefined) query.connectionId = filter.connectionId;
    if (filter.status !== undefined) query.status = filter.status;
    const and: Record<string, unknown>[] = [];
    if (filter.since !== undefined) and.push({ acceptedAt: { $gte: filter.since } });
    if (after) {
      and.push({
        $or: [
          { acceptedAt: { $lt: after.acceptedAt } },
          { acceptedAt: after.acceptedAt, _id: { $lt: after.id } },
        ],
      });
    }
    if (and.length > 0) query.$and = and;
    // Open operations are in the hot collection, finished ones in the other (a final copy a crash left
    // in the hot one is found there too). Each answers its first `first + 1`: together they hold the
    // first `first + 1` distinct operations, an operation in both (a move a crash interrupted) counted once.
    const open = filter.status !== undefined && !isFinal(filter.status);
    const page = (model: WriteOperationModel) =>
      model
        .find(query)
        .sort({ acceptedAt: -1, _id: -1 })
        .limit(first + 1)
        .lean() as Promise<LeanOp[]>;
    // Hot first, then finished, as findAcross reads: an operation moving meanwhile is in one of them.
    const hot = await page(this.ops);
    const finished = open ? [] : await page(finishedOf(this.ops));
    const docs = pickLatest([...hot, ...finished])
      .filter((d) => filter.status === undefined || d.status === filter.status)
      .sort((a, b) => b.acceptedAt.getTime() - a.acceptedAt.getTime() || (a._id < b._id ? 1 : -1))
      .slice(0, first + 1);
    return {
      nodes: docs.slice(0, first).map((d) => toWriteOperation(d)),
      hasNextPage: docs.length > first,
    };
  }

  /**
   * CANCELLED, if still QUEUED. The caller holds the group's flush lock (the filter alone does not
   * exclude a concurrent claim on FerretDB). Returns the operation as it is now.
   */
  async markCancelled(tenantId: string, id: string, now: Date): Promise<WriteOperation | null> {
    await retryBusy(() =>
      this.ops.updateOne(
        { _id: id, tenantId, status: 'QUEUED' },
        { $set: { status: 'CANCELLED', finishedAt: now, claimToken: null } },
      ),
    );
    // Cancelled in place first (a crash before the move leaves it final, never claimable), then moved.
    await archiveIds(this.ops, [id]);
    return this.findById(tenantId, id);
  }

  /**
   * QUEUED again for `retryWriteOperation`: attempts reset, failure and finish cleared, due now, no
   * claim, back in the hot collection (write-operation-archive.ts `reopen`). Only from `from` (DEAD or
   * FAILED), which no flush claims, so nothing races it but another retry, which finds it open and
   * writes nothing. Returns the operation as it is now.
   */
  async requeue(tenantId: string, id: string, from: WriteStatus, now: Date): Promise<WriteOperation | null> {
    const [doc] = await findAcross(this.ops, [id]);
    if (doc && doc.tenantId === tenantId && doc.status === from) {
      const open = {
        ...doc,
        status: 'QUEUED',
        attempts: 0,
        failure: null,
        finishedAt: null,
        notBefore: now,
        claimToken: null,
        runningSince: null,
        updatedAt: now,
      } as LeanOp;
      await reopen(this.ops, open, doc);
    }
    return this.findById(tenantId, id);
  }

  /** Deletes finished operations that finished before `cutoff` (WRITE_OPERATION_RETENTION_DAYS). */
  async pruneFinished(cutoff: Date): Promise<number> {
    return pruneFinished(this.ops, cutoff);
  }
}
