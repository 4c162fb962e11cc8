import { type RedisClient } from '../redis/client';
import { LuaScript } from '../redis/lua-script';
import { type OpenOperation } from '../store/repositories/write-batches.repo';
import { FINAL_WRITE_STATUSES, type WriteOperation } from './write-operation.types';
import { groupByTag, hashTag, redisKey } from '../redis/keys';

/**
 * The open write operations of each connection, kept in Redis beside the store
 * (docs/writes.md "The open-operations index"): what a claim orders and chooses from, so it reads from
 * the store only the operations it takes. On the embedded store every query but an `_id` lookup
 * decodes the whole collection, so a claim that read the open operations from it cost a decode of the
 * whole backlog — quadratic in the backlog over a drain, and the most of a one-record-per-call vendor's
 * store work.
 *
 * The store stays the record; the index is a copy that may lag it, and everything reading it allows for
 * that. Every writer of an operation's status, `notBefore` or record key writes the index after the
 * store (the accept path, claims, outcomes, cancel and retry, recovery). A crash between the two, or a
 * Redis that lost its data, is repaired by the reconciler, which compares each run's read of the store
 * with the index (`lua/open-index-reconcile-2.lua`: the newer `updatedAt` wins). A claim trusts the
 * index only once it is marked ready (seeded from a store read; otherwise the claim reads the store and
 * seeds it), takes only operations whose stored document is still QUEUED, and checks by `_id` an entry
 * that holds a candidate back before believing it.
 */

const RECONCILE = LuaScript.load('open-index-reconcile-2', 'writes/lua');

/**
 * How long a ready marker lives without a reconciler run to renew it: a deployment whose reconciler
 * stopped falls back to reading the store rather than trusting an index nobody repairs.
 */
export const OPEN_INDEX_READY_MS = 5 * 60_000;
/** An entry older than a store read by more than this, and absent from it, is taken for a finished one. */
const STALE_MARGIN_MS = 10_000;

type Entry = Omit<OpenOperation, '_id' | 'notBefore'> & { notBefore: number; u: number };

/** An operation as an index entry: what a claim reads of it, and its version (`updatedAt`). */
function entryOf(op: OpenOperation): string {
  const entry: Entry = {
    object: op.object,
    batchKind: op.batchKind,
    status: op.status,
    seq: op.seq,
    recordKey: op.recordKey,
    notBefore: op.notBefore.getTime(),
    kind: op.kind,
    dependsOn: op.dependsOn ?? [],
    target: op.target ?? null,
    u: op.updatedAt?.getTime() ?? 0,
  };
  return JSON.stringify(entry);
}

function openOf(id: string, json: string): OpenOperation | null {
  try {
    const e = JSON.parse(json) as Entry;
    return { ...e, _id: id, notBefore: new Date(e.notBefore) } as OpenOperation;
  } catch {
    return null;
  }
}

/** A stored operation's view (`WriteOperation`) as what the index keeps of it. */
export function openOperationOf(op: WriteOperation): OpenOperation & { updatedAt: Date } {
  return {
    _id: op.id,
    object: op.object,
    batchKind: op.batchKind,
    status: op.status,
    seq: op.seq,
    recordKey: op.recordKey,
    notBefore: op.notBefore,
    kind: op.kind,
    dependsOn: op.dependsOn,
    target: op.target,
    updatedAt: op.updatedAt,
  } as OpenOperation & { updatedAt: Date };
}

export class OpenOperationsIndex {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  // The index and its ready marker are read together (MULTI) and written together (the reconcile
  // script): one hash tag per connection keeps them in one slot on a Redis Cluster.
  private key(connectionId: string): string {
    return redisKey(this.prefix, 'writes', 'open', hashTag('conn', connectionId));
  }

  private readyKey(connectionId: string): string {
    return redisKey(this.prefix, 'writes', 'open-ready', hashTag('conn', connectionId));
  }

  /** The connection's open operations as the index holds them; null until the index is ready. */
  async read(connectionId: string): Promise<OpenOperation[] | null> {
    const [[, ready], [, all]] = (await this.redis
      .multi()
      .exists(this.readyKey(connectionId))
      .hgetall(this.key(connectionId))
      .exec()) as [[unknown, number], [unknown, Record<string, string>]];
    if (!ready) return null;
    return Object.entries(all).flatMap(([id, json]) => {
      const op = openOf(id, json);
      return op ? [op] : [];
    });
  }

  /**
   * Writes the operations as they are now (after the store has them): a final one leaves the index,
   * any other is put in. One pipeline per connection, all at once: a cluster serves each connection's
   * index from the node of its slot.
   */
  async apply(ops: readonly WriteOperation[]): Promise<void> {
    await Promise.all(
      groupByTag(ops, (op) => this.key(op.connectionId)).map((group) => {
        const pipeline = this.redis.pipeline();
        for (const op of group) {
          if (FINAL_WRITE_STATUSES.has(op.status)) pipeline.hdel(this.key(op.connectionId), op.id);
          else pipeline.hset(this.key(op.connectionId), op.id, entryOf(openOperationOf(op)));
        }
        return pipeline.exec();
      }),
    );
  }

  /** Entries as the claim saw them in the store (documents it read by `_id`): put in, newest version. */
  async put(connectionId: string, ops: readonly OpenOperation[]): Promise<void> {
    if (ops.length === 0) return;
    await this.redis.hset(this.key(connectionId), ...ops.flatMap((op) => [op._id, entryOf(op)]));
  }

  /**
   * Operations re-keyed to the record their create made (`op:<id>` → `rid:<remoteId>`): their entries
   * take the new key. One the index lacks stays out (the reconciler adds it).
   */
  async rekey(connectionId: string, rekeyed: readonly { id: string; recordKey: string }[]): Promise<void> {
    if (rekeyed.length === 0) return;
    const key = this.key(connectionId);
    const current = await this.redis.hmget(key, ...rekeyed.map((r) => r.id));
    const now = Date.now();
    const updates = rekeyed.flatMap((r, i) => {
      const json = current[i];
      if (!json) return [];
      const entry = JSON.parse(json) as Entry;
      return [r.id, JSON.stringify({ ...entry, recordKey: r.recordKey, u: Math.max(entry.u, now) })];
    });
    if (updates.length > 0) await this.redis.hset(key, ...updates);
  }

  /** Operations the store no longer holds open. */
  async remove(connectionId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.redis.hdel(this.key(connectionId), ...ids);
  }

  /**
   * Repairs the connection's index from a store read that started at `readAt` (every open operation it
   * found) and marks the index ready; returns what changed.
   */
  async reconcile(
    connectionId: string,
    open: readonly OpenOperation[],
    readAt: number,
  ): Promise<{ added: number; replaced: number; removed: number }> {
    const args = open.flatMap((op) => [op._id, entryOf(op)]);
    const [added, replaced, removed] = (await RECONCILE.run(
      this.redis,
      [this.key(connectionId), this.readyKey(connectionId)],
      [readAt, OPEN_INDEX_READY_MS, STALE_MARGIN_MS, ...args],
    )) as number[];
    return { added: added!, replaced: replaced!, removed: removed! };
  }
}
