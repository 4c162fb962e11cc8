import { type Queue } from 'bull';
import { type BulkWriteDeclaration } from '../../config/crms';
import { type BulkJobRef, type CrmObject } from '../../connectors/types';
import { type ClaimOptions, type OpenOperation } from '../../store/repositories/write-batches.repo';
import { addReplacingFinished } from '../../queue/replace-finished-job';
import { type RedisClient } from '../../redis/client';
import { hashTag, redisKey } from '../../redis/keys';

/**
 * Vendor bulk write jobs in the write engine (docs/writes.md "Bulk jobs"): which of a group's due
 * operations a job takes (pure), and the delayed `write-bulk-poll` jobs that look at a submitted job
 * until it ends — never a sleep in a worker slot.
 */

/**
 * The job shape an open operation would go in, or null: an UPDATE of a known record (`byId`), an
 * UPSERT by an external id and a CREATE sent as an upsert on the gateway key (`byKey:<field>`). Never a
 * plain create: a job that may run twice must not duplicate records. One job holds one shape.
 */
export function bulkShapeOf(
  o: Pick<OpenOperation, '_id' | 'kind' | 'recordKey'>,
  takes: BulkWriteDeclaration['takes'],
  gatewayKeyField: string | null,
): string | null {
  if (o.kind === 'UPDATE' && o.recordKey.startsWith('rid:')) return takes.includes('byId') ? 'byId' : null;
  if (!takes.includes('byKey')) return null;
  if (o.kind === 'UPSERT' && o.recordKey.startsWith('ext:')) {
    const field = o.recordKey.slice(4, o.recordKey.indexOf(':', 4));
    return field ? `byKey:${field}` : null;
  }
  if (o.kind === 'CREATE' && gatewayKeyField && o.recordKey === `op:${o._id}`)
    return `byKey:${gatewayKeyField}`;
  return null;
}

/**
 * The claim's selection for a bulk job: the shape most of the due candidates have, when at least
 * `threshold` of them have it, up to `maxRecords`; otherwise null (the claim goes on as calls).
 */
export function bulkSelection(
  declaration: BulkWriteDeclaration,
  gatewayKeyField: string | null,
): NonNullable<ClaimOptions['select']> {
  return (candidates) => {
    const counts = new Map<string, number>();
    for (const c of candidates) {
      const shape = bulkShapeOf(c, declaration.takes, gatewayKeyField);
      if (shape) counts.set(shape, (counts.get(shape) ?? 0) + 1);
    }
    const [shape, count] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    if (count < declaration.threshold) return null;
    return {
      only: (o) => bulkShapeOf(o, declaration.takes, gatewayKeyField) === shape,
      limit: declaration.maxRecords,
      selection: shape,
    };
  };
}

export const WRITE_BULK_POLL_JOB = 'write-bulk-poll';

export interface BulkPollJobData {
  connectionId: string;
  object: CrmObject;
  /** The claim token of the job's operations: they are RUNNING under it until the job's outcomes are recorded. */
  claimToken: string;
  ref: BulkJobRef;
  /** Epoch ms: the declared timeout counts from here. */
  submittedAt: number;
  /** This poll's wait, doubled for the next (up to the declared `maxPollMs`). */
  waitMs: number;
  /** Polls so far: part of the job id, so a poll can schedule the next while it runs. */
  polls: number;
}

/** How long past its due time a scheduled poll's lease lasts: a worker killed mid-poll is re-run by Bull within this. */
const LEASE_GRACE_MS = 60_000;

/**
 * Scheduling the polls of submitted bulk jobs. Each schedule sets a lease in Redis that outlives the
 * poll's due time by a margin: the reconciler re-creates the poll of a job whose operations are still
 * RUNNING in it and whose lease expired (a poll job lost in Redis).
 */
export class BulkPolls {
  constructor(
    private readonly queue: Queue,
    private readonly redis: RedisClient,
    private readonly redisPrefix: string,
  ) {}

  private leaseKey(connectionId: string, refId: string): string {
    return redisKey(this.redisPrefix, 'write-bulk-poll', hashTag('conn', connectionId), refId);
  }

  /** The poll after `delayMs`, deduplicated per (vendor job, poll number). */
  async schedule(
    data: BulkPollJobData,
    delayMs: number,
    reason: 'poll' | 'reconciler' = 'poll',
  ): Promise<void> {
    await this.redis.set(
      this.leaseKey(data.connectionId, data.ref.id),
      String(data.polls),
      'PX',
      Math.max(0, delayMs) + LEASE_GRACE_MS,
    );
    const jobId = `bulk-poll:${data.connectionId}:${data.ref.id}:${reason === 'poll' ? data.polls : `r${Date.now()}`}`;
    await addReplacingFinished(this.queue, WRITE_BULK_POLL_JOB, data, {
      jobId,
      delay: Math.max(0, delayMs),
      removeOnComplete: true,
      removeOnFail: 100,
      // A failure of the poll itself (the store down): Bull retries it; vendor answers never fail it.
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
    });
  }

  /** Whether a poll of the job is scheduled (its lease holds). */
  async isScheduled(connectionId: string, refId: string): Promise<boolean> {
    return (await this.redis.exists(this.leaseKey(connectionId, refId))) === 1;
  }

  /** The job's outcomes are recorded: no poll is owed. */
  async done(connectionId: string, refId: string): Promise<void> {
    await this.redis.del(this.leaseKey(connectionId, refId));
  }
}
