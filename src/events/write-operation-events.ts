import type Redis from 'ioredis';
import { z } from 'zod';
import { WRITE_STATUSES, type WriteOperation } from '../writes/write-operation.types';

/**
 * Write-operation updates, published to Redis by whichever process changed an operation (the gateway
 * that accepted or cancelled it, the worker that ran it) and delivered by every gateway to its
 * subscribers (`writeOperationUpdated`). Channels are keyed by tenant, like connection events
 * (src/events/connection-events.ts): a subscriber can only ever hear its own tenant's operations.
 *
 * The payload is the operation's id, connection and status only: subscribers read the operation
 * itself (one batched store read per event burst), so the channel never carries record values.
 */
export interface WriteOperationEvent {
  operationId: string;
  connectionId: string;
  status: WriteOperation['status'];
  occurredAt: Date;
}

/** The routing key; the pubsub appends `:<tenantId>` (the graphql-yoga convention), giving the channel. */
export function writeOperationEventsRoutingKey(redisPrefix: string): string {
  return `${redisPrefix}:events:write-operation`;
}

const wireSchema = z.object({
  operationId: z.string().min(1).max(200),
  connectionId: z.string().min(1).max(200),
  status: z.enum(WRITE_STATUSES),
  occurredAt: z.coerce.date(),
});

/**
 * Validates a payload that crossed a process boundary. Returns null for anything malformed (an older or
 * newer publisher, a stray PUBLISH): a subscriber skips it rather than failing its whole subscription.
 */
export function parseWriteOperationEvent(payload: unknown): WriteOperationEvent | null {
  const parsed = wireSchema.safeParse(payload);
  if (!parsed.success || Number.isNaN(parsed.data.occurredAt.getTime())) return null;
  return parsed.data;
}

export interface WriteOperationEventPublisher {
  /** Publishes one event per operation, in one pipeline. Resolves once Redis took them. */
  publishWriteOperationEvents(tenantId: string, events: readonly WriteOperationEvent[]): Promise<void>;
}

export function createWriteOperationEventPublisher(options: {
  redis: Redis;
  redisPrefix: string;
}): WriteOperationEventPublisher {
  return {
    async publishWriteOperationEvents(tenantId, events) {
      if (events.length === 0) return;
      const channel = `${writeOperationEventsRoutingKey(options.redisPrefix)}:${tenantId}`;
      const pipeline = options.redis.pipeline();
      for (const e of events) {
        pipeline.publish(channel, JSON.stringify({ ...e, occurredAt: e.occurredAt.toISOString() }));
      }
      await pipeline.exec();
    },
  };
}
