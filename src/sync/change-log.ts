import crypto from 'node:crypto';
import { type RedisClient } from '../redis/client';
import { syncEventsRoutingKey } from '../events/sync-events';
import { type Logger } from '../logger';
import { LuaScript } from '../redis/lua-script';
import {
  type ChangeEvent,
  type ChangeEventsRepository,
  type NewChangeEvent,
} from '../store/repositories/change-events.repo';
import { hashTag, redisKey } from '../redis/keys';
import {
  type RecordSnapshot,
  type RecordSnapshotsRepository,
} from '../store/repositories/record-snapshots.repo';

const ALLOCATE = LuaScript.load('seq-allocate-3', 'sync/lua');
const WATERMARK = LuaScript.load('seq-watermark-2', 'sync/lua');
const FLOOR = LuaScript.load('seq-floor-1', 'sync/lua');

/**
 * How long a writer may take between numbering its events and storing them before its numbers are
 * reaped. Storing is two store round trips; the watermark of the tenant waits for it meanwhile, so a
 * writer that died holds the tenant's live delivery back by at most this long.
 */
export const CHANGE_LEASE_MS = 30_000;

/** A record's new state and the event that moved it there: written together by {@link ChangeLog.record}. */
export interface ChangeEntry {
  event: NewChangeEvent;
  snapshot: RecordSnapshot;
  /** No snapshot is stored for the record yet (inserted instead of replaced). */
  isNew: boolean;
}

interface Stash {
  events: NewChangeEvent[];
  snapshots: { connectionId: string; object: RecordSnapshot['object']; remoteId: string }[];
}

/**
 * The change log: every change event of a tenant gets the next number of the tenant's sequence, and
 * readers — `changeHistory`, `syncEvents` replay and live delivery alike — read by number up to the
 * tenant's **watermark**, below which every number is stored (docs/sync.md "Numbering").
 *
 * Without transactions a number is taken before its event is stored, so a reader could see n+1 before
 * n and skip n for ever. Each writer therefore leases its numbers in Redis (seq-allocate-3.lua) and the
 * watermark stays below the lowest leased number until the writer has stored its events and released
 * the lease. A writer that dies leaves its lease to expire; whoever computes the watermark next reaps
 * it: each of its numbers gets the writer's event if the record's snapshot shows the change happened
 * (snapshots are written first and carry the number: `lastSeq`), else a gap marker. The event's `_id`
 * is the number, so a late writer and a reaper can never both store one: the loser learns it from the
 * duplicate key and numbers its event again.
 *
 * Publishes a nudge per stored batch; readers also recheck on a timer, so a lost nudge delays, never
 * drops, an event.
 */
export class ChangeLog {
  private readonly leaseMs: number;

  constructor(
    private readonly deps: {
      events: ChangeEventsRepository;
      snapshots: RecordSnapshotsRepository;
      redis: RedisClient;
      redisPrefix: string;
      logger: Pick<Logger, 'warn' | 'error'>;
      leaseMs?: number;
    },
  ) {
    this.leaseMs = deps.leaseMs ?? CHANGE_LEASE_MS;
  }

  /**
   * Stores each entry's snapshot, then its event with the tenant's next number, and publishes a nudge.
   * Entries are of one tenant. Returns the events as numbered. On a failure the lease is kept: the
   * reaper stores what the snapshots show happened.
   */
  async record(tenantId: string, entries: readonly ChangeEntry[], depth = 0): Promise<ChangeEvent[]> {
    if (entries.length === 0) return [];
    const token = crypto.randomBytes(12).toString('hex');
    const stash: Stash = {
      events: entries.map((e) => e.event),
      snapshots: entries.map((e) => ({
        connectionId: e.snapshot.connectionId,
        object: e.snapshot.object,
        remoteId: e.snapshot.remoteId,
      })),
    };
    const first = Number(
      await ALLOCATE.run(
        this.deps.redis,
        [this.counterKey(tenantId), this.pendingKey(tenantId), this.stashKey(tenantId, token)],
        [entries.length, this.leaseMs, token, JSON.stringify(stash)],
      ),
    );
    const member = `${first}:${entries.length}:`;
    const numbered = entries.map((e, i) => ({ ...e, seq: first + i }));
    const snapshots = numbered.map((e) => ({ ...e.snapshot, lastSeq: e.seq }));
    await this.deps.snapshots.putMany(
      snapshots.filter((_, i) => !entries[i]!.isNew),
      snapshots.filter((_, i) => entries[i]!.isNew),
    );
    const taken = await this.deps.events.insert(
      numbered.map((e) => ({ seq: e.seq, lease: token, gap: false as const, event: e.event })),
    );
    const renumbered =
      taken.length > 0 ? await this.renumber(tenantId, token, numbered, taken, depth) : new Map();
    await this.release(tenantId, member, token);
    await this.nudge(tenantId, first + entries.length - 1);
    return numbered.map(
      (e) => renumbered.get(e.seq) ?? { ...e.event, id: `${tenantId}:${e.seq}`, seq: e.seq },
    );
  }

  /**
   * Numbers already stored when this writer inserted: its own (a retried insert) are fine; others (a
   * reaper's gap marker after this writer overran its lease, or numbers reused after Redis lost the
   * counter) get new numbers.
   */
  private async renumber(
    tenantId: string,
    token: string,
    numbered: readonly (ChangeEntry & { seq: number })[],
    taken: readonly number[],
    depth: number,
  ): Promise<Map<number, ChangeEvent>> {
    if (depth >= 3)
      throw new Error(`change numbers of tenant ${tenantId} kept colliding; giving up after ${depth} tries`);
    const seqs = taken.map((i) => numbered[i]!.seq);
    const stored = await this.deps.events.range(tenantId, Math.min(...seqs), Math.max(...seqs));
    const foreign = new Set(stored.filter((s) => s.lease !== token).map((s) => s.seq));
    const again = taken.map((i) => numbered[i]!).filter((e) => foreign.has(e.seq));
    if (again.length === 0) return new Map();
    if (stored.some((s) => foreign.has(s.seq) && !s.gap)) {
      // Another writer's event holds the number: the counter restarted below what the store holds.
      await FLOOR.run(
        this.deps.redis,
        [this.counterKey(tenantId)],
        [await this.deps.events.maxSeq(tenantId)],
      );
    }
    this.deps.logger.warn(
      { tenantId, numbers: again.map((e) => e.seq) },
      'change numbers were taken; numbering those events again',
    );
    const redone = await this.record(
      tenantId,
      again.map((e) => ({ ...e, isNew: false })),
      depth + 1,
    );
    return new Map(again.map((e, i) => [e.seq, redone[i]!]));
  }

  /**
   * The tenant's watermark: every number up to it is stored (an event or a gap marker). Reaps expired
   * leases on the way, so a dead writer holds readers back for one lease time at most.
   */
  async watermark(tenantId: string): Promise<number> {
    for (let round = 0; ; round++) {
      const [mark, expired] = (await WATERMARK.run(
        this.deps.redis,
        [this.counterKey(tenantId), this.pendingKey(tenantId)],
        [],
      )) as [number, string[]];
      if (expired.length === 0 || round >= 3) return Number(mark);
      for (const member of expired) await this.reap(tenantId, member);
    }
  }

  /** Events after `after` up to `upTo` (inclusive), in order; gap markers skipped. Callers pass a watermark. */
  async read(tenantId: string, after: number, upTo: number): Promise<ChangeEvent[]> {
    if (upTo <= after) return [];
    const stored = await this.deps.events.range(tenantId, after + 1, upTo);
    return stored
      .filter((s): s is Extract<typeof s, { gap: false }> => !s.gap)
      .map(({ gap: _g, lease: _l, ...e }) => e);
  }

  /** Stores, for each number of an expired lease, the writer's event when its snapshot moved, else a gap. */
  private async reap(tenantId: string, member: string): Promise<void> {
    const [firstText, countText, , token] = member.split(':');
    const first = Number(firstText);
    const count = Number(countText);
    const raw = await this.deps.redis.get(this.stashKey(tenantId, token!));
    const stash = raw ? (JSON.parse(raw) as Stash) : null;
    const moved = new Set<number>();
    if (stash) {
      for (let i = 0; i < count; i++) {
        const s = stash.snapshots[i];
        if (!s) continue;
        const found = await this.deps.snapshots.findMany(s.connectionId, s.object, [s.remoteId]);
        const lastSeq = found.get(s.remoteId)?.lastSeq ?? null;
        if (lastSeq !== null && lastSeq >= first + i) moved.add(i);
      }
    }
    await this.deps.events.insert(
      Array.from({ length: count }, (_, i) =>
        moved.has(i) && stash
          ? { seq: first + i, lease: token!, gap: false as const, event: reviveDates(stash.events[i]!) }
          : { seq: first + i, lease: 'reaper', gap: true as const, tenantId },
      ),
    );
    this.deps.logger.warn(
      { tenantId, first, count, recovered: moved.size },
      'reaped the change numbers of a writer that did not finish (events its snapshots show were kept, the rest marked as gaps)',
    );
    await this.release(tenantId, member, token!);
    await this.nudge(tenantId, first + count - 1);
  }

  private async release(tenantId: string, memberPrefix: string, token: string): Promise<void> {
    // The member carries the deadline, which only the allocation knew: find it by its first number.
    const first = Number(memberPrefix.split(':')[0]);
    const members = await this.deps.redis.zrangebyscore(this.pendingKey(tenantId), first, first);
    const mine = members.filter((m) => m.endsWith(`:${token}`));
    const pipeline = this.deps.redis.pipeline();
    if (mine.length > 0) pipeline.zrem(this.pendingKey(tenantId), ...mine);
    pipeline.del(this.stashKey(tenantId, token));
    await pipeline.exec();
  }

  private async nudge(tenantId: string, upTo: number): Promise<void> {
    await this.deps.redis.publish(
      `${syncEventsRoutingKey(this.deps.redisPrefix)}:${tenantId}`,
      JSON.stringify({ upTo }),
    );
  }

  // A tenant's counter, leases and stashes are used together by seq-allocate-3 and seq-watermark-2 and
  // pipelined by release: one hash tag per tenant keeps them in one slot on a Redis Cluster.
  private counterKey(tenantId: string): string {
    return redisKey(this.deps.redisPrefix, 'sync', 'seq', hashTag('tenant', tenantId));
  }

  private pendingKey(tenantId: string): string {
    return redisKey(this.deps.redisPrefix, 'sync', 'pending', hashTag('tenant', tenantId));
  }

  private stashKey(tenantId: string, token: string): string {
    return redisKey(this.deps.redisPrefix, 'sync', 'stash', hashTag('tenant', tenantId), token);
  }
}

/** A stashed event as JSON left it: its instants back to Dates. */
function reviveDates(e: NewChangeEvent): NewChangeEvent {
  return { ...e, occurredAt: new Date(e.occurredAt), observedAt: new Date(e.observedAt) };
}
