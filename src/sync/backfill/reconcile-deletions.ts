import { type RedisClient } from '../../redis/client';
import { type CrmObject, type NativeChange } from '../../connectors/types';
import { type Store } from '../../store';
import { type ConnectionView } from '../../store/repositories/connections.repo';
import { type IngestChanges, type IngestOutcome } from '../types';
import { redisKey } from '../../redis/keys';

/** Two runs' worth of slack: a set outlives any run that is still making progress. */
const SEEN_TTL_S = 7 * 24 * 3600;
const BATCH = 500;

/**
 * The records a RECONCILE run has listed, kept in a Redis set per run (the run's start names it), so
 * that a run resumed by another worker still knows what the pages before it saw.
 */
export class ReconcileSeen {
  constructor(
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
  ) {}

  private key(connectionId: string, object: CrmObject, startedAt: Date): string {
    return redisKey(this.redisPrefix, 'sync', 'reconcile-seen', connectionId, object, startedAt.getTime());
  }

  async add(connectionId: string, object: CrmObject, startedAt: Date, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const key = this.key(connectionId, object, startedAt);
    await this.redis
      .multi()
      .sadd(key, ...ids)
      .expire(key, SEEN_TTL_S)
      .exec();
  }

  /** Those of `ids` the run has not listed. */
  async unseen(
    connectionId: string,
    object: CrmObject,
    startedAt: Date,
    ids: readonly string[],
  ): Promise<string[]> {
    if (ids.length === 0) return [];
    const flags = await this.redis.smismember(this.key(connectionId, object, startedAt), ...ids);
    return ids.filter((_, i) => flags[i] === 0);
  }

  async forget(connectionId: string, object: CrmObject, startedAt: Date): Promise<void> {
    await this.redis.del(this.key(connectionId, object, startedAt));
  }
}

/**
 * The end of a RECONCILE run: every record the gateway holds as live that the run's listing did not
 * return is gone from the CRM — deleted so long ago that the vendor's change feed forgot it — and is
 * recorded as a DELETED (source BACKFILL) at the run's start. Records whose snapshot moved after the
 * run started are left alone: a poll or a webhook saw them alive after the listing may have passed
 * them, and will see their deletion if there is one.
 */
export async function recordUnlisted(
  deps: { store: Pick<Store, 'recordSnapshots'>; ingest: IngestChanges; seen: ReconcileSeen },
  connection: ConnectionView,
  object: CrmObject,
  startedAt: Date,
): Promise<IngestOutcome> {
  const total: IngestOutcome = { events: 0, unchanged: 0, fetched: 0, skipped: 0 };
  const live = await deps.store.recordSnapshots.liveIdsBefore(connection.id, object, startedAt);
  for (let i = 0; i < live.length; i += BATCH) {
    const gone = await deps.seen.unseen(connection.id, object, startedAt, live.slice(i, i + BATCH));
    if (gone.length === 0) continue;
    const changes: NativeChange[] = gone.map((remoteId) => ({
      object,
      remoteId,
      kind: 'DELETED',
      occurredAt: startedAt.toISOString(),
    }));
    const out = await deps.ingest({
      connection,
      object,
      changes,
      source: 'BACKFILL',
      observedAt: new Date(),
    });
    total.events += out.events;
    total.unchanged += out.unchanged;
    total.skipped += out.skipped;
  }
  return total;
}
