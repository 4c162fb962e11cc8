import { type RedisClient } from '../redis/client';
import { z } from 'zod';
import { CRM_OBJECTS } from '../connectors/types';
import { WRITE_KINDS, WRITE_STATUSES, type WriteOperation } from '../writes/write-operation.types';

/**
 * Write-operation updates, published to Redis by whichever process changed an operation (the gateway
 * that accepted or cancelled it, the worker that ran it) and delivered by every gateway to its
 * subscribers (`writeOperationUpdated`). Channels are keyed by tenant, like connection events
 * (src/events/connection-events.ts): a subscriber can only ever hear its own tenant's operations.
 *
 * The payload is the operation's id, connection and status, and its {@link WriteOperationEventState}:
 * everything a client sees of it except the record written and the failure's text. A subscriber that
 * selects neither pushes the event as it came (no store read); one that selects them reads the
 * operation (one batched store read per event burst) when the state says it has them. So the channel
 * never carries record values — nor vendor messages, which may quote them.
 */
export interface WriteOperationEvent {
  operationId: string;
  connectionId: string;
  status: WriteOperation['status'];
  occurredAt: Date;
  /** Absent from an older publisher's events: subscribers then read the operation. */
  state?: WriteOperationEventState;
}

/** An operation's state as published: its public fields but `record` and `failure`, which it flags. */
export interface WriteOperationEventState {
  object: WriteOperation['object'];
  kind: WriteOperation['kind'];
  remoteId: string | null;
  target: { object: WriteOperation['object']; remoteId: string | null } | null;
  created: boolean | null;
  attempts: number;
  acceptedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  hasRecord: boolean;
  hasFailure: boolean;
}

/** An event with its state: every event this version publishes. */
export type StatefulWriteOperationEvent = WriteOperationEvent & { state: WriteOperationEventState };

/** The event that tells of `op` as it is now (after the store took the change). */
export function writeOperationEvent(op: WriteOperation): StatefulWriteOperationEvent {
  const record = op.result?.record;
  return {
    operationId: op.id,
    connectionId: op.connectionId,
    status: op.status,
    occurredAt: op.updatedAt,
    state: {
      object: op.object,
      kind: op.kind,
      remoteId: op.remoteId,
      target: op.target ? { object: op.target.object, remoteId: op.target.remoteId } : null,
      created: op.result ? op.result.created : null,
      attempts: op.attempts,
      acceptedAt: op.acceptedAt,
      updatedAt: op.updatedAt,
      finishedAt: op.finishedAt ?? null,
      hasRecord: record !== null && record !== undefined,
      hasFailure: op.failure !== null && op.failure !== undefined,
    },
  };
}

/** The routing key; the pubsub appends `:<tenantId>` (the graphql-yoga convention), giving the channel. */
export function writeOperationEventsRoutingKey(redisPrefix: string): string {
  return `${redisPrefix}:events:write-operation`;
}

const wireId = z.string().min(1).max(200);
const wireDate = z.coerce.date().refine((d) => !Number.isNaN(d.getTime()));

const wireStateSchema = z.object({
  object: z.enum(CRM_OBJECTS),
  kind: z.enum(WRITE_KINDS),
  remoteId: wireId.nullable(),
  target: z.object({ object: z.enum(CRM_OBJECTS), remoteId: wireId.nullable() }).nullable(),
  created: z.boolean().nullable(),
  attempts: z.number().int().min(0),
  acceptedAt: wireDate,
  updatedAt: wireDate,
  finishedAt: wireDate.nullable(),
  hasRecord: z.boolean(),
  hasFailure: z.boolean(),
});

const wireSchema = z.object({
  operationId: wireId,
  connectionId: wireId,
  status: z.enum(WRITE_STATUSES),
  occurredAt: wireDate,
  state: wireStateSchema.optional(),
});

/**
 * Validates a payload that crossed a process boundary. Returns null for anything malformed (an older or
 * newer publisher, a stray PUBLISH): a subscriber skips it rather than failing its whole subscription.
 */
export function parseWriteOperationEvent(payload: unknown): WriteOperationEvent | null {
  const parsed = wireSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

export interface WriteOperationEventPublisher {
  /** Publishes one event per operation, in one pipeline. Resolves once Redis took them. */
  publishWriteOperationEvents(tenantId: string, events: readonly WriteOperationEvent[]): Promise<void>;
}

export function createWriteOperationEventPublisher(options: {
  redis: RedisClient;
  redisPrefix: string;
}): WriteOperationEventPublisher {
  return {
    async publishWriteOperationEvents(tenantId, events) {
      if (events.length === 0) return;
      const channel = `${writeOperationEventsRoutingKey(options.redisPrefix)}:${tenantId}`;
      const pipeline = options.redis.pipeline();
      for (const e of events) {
        // Dates (here and in the state) go as ISO strings: what JSON.stringify makes of a Date.
        pipeline.publish(channel, JSON.stringify(e));
      }
      await pipeline.exec();
    },
  };
}
