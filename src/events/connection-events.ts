import { type RedisClient } from '../redis/client';
import { z } from 'zod';
import { CONNECTION_STATUSES, type ConnectionStatus } from '../store/models/connection.model';
import { type ConnectionView } from '../store/repositories/connections.repo';

/**
 * Connection lifecycle events, published to Redis so that a change made in any process (a gateway
 * mutation, the worker's token refresh) reaches subscribers on every gateway process.
 *
 * Channels are keyed by tenant: a subscriber listens on its own tenant's channel only, so an event can
 * never be delivered to another tenant, whatever the subscriber asks for.
 */

export const CONNECTION_EVENT_TYPES = ['CREATED', 'DELETED', 'STATUS_CHANGED'] as const;
export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number];

/** What travels on the wire (JSON). Parsed with {@link parseConnectionEvent} on the way in. */
export interface ConnectionEvent {
  type: ConnectionEventType;
  connectionId: string;
  crm: string;
  status: ConnectionStatus;
  reason: string | null;
  occurredAt: Date;
}

const wireSchema = z.object({
  type: z.enum(CONNECTION_EVENT_TYPES),
  connectionId: z.string().min(1),
  crm: z.string().min(1),
  status: z.enum(CONNECTION_STATUSES),
  reason: z.string().nullable(),
  occurredAt: z.coerce.date(),
});

/**
 * The routing key of connection events; the pubsub appends `:<tenantId>`
 * (@graphql-yoga/subscription's `publish(key, id, payload)` convention), giving the Redis channel.
 */
export function connectionEventsRoutingKey(redisPrefix: string): string {
  return `${redisPrefix}:events:connection`;
}

/** The Redis channel of one tenant's connection events. */
export function connectionEventsChannel(redisPrefix: string, tenantId: string): string {
  return `${connectionEventsRoutingKey(redisPrefix)}:${tenantId}`;
}

/** An event describing `connection` as it is now. */
export function connectionEvent(
  type: ConnectionEventType,
  connection: Pick<ConnectionView, 'id' | 'crm' | 'status' | 'statusReason'>,
  occurredAt: Date = new Date(),
): ConnectionEvent {
  return {
    type,
    connectionId: connection.id,
    crm: connection.crm,
    status: connection.status,
    reason: connection.statusReason,
    occurredAt,
  };
}

/**
 * Validates a payload that crossed a process boundary. Returns null for anything malformed (an older
 * or newer publisher): a subscriber skips it rather than failing its whole subscription.
 */
export function parseConnectionEvent(payload: unknown): ConnectionEvent | null {
  const parsed = wireSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

export interface ConnectionEventPublisher {
  /** Publishes `event` to the subscribers of `tenantId` on every gateway process. Resolves once Redis took it. */
  publishConnectionEvent(tenantId: string, event: ConnectionEvent): Promise<void>;
}

/**
 * A publisher over an ordinary Redis client (the process's general one; PUBLISH does not need a
 * dedicated connection). The JSON encoding is the one @graphql-yoga/redis-event-target parses.
 */
export function createConnectionEventPublisher(options: {
  redis: RedisClient;
  redisPrefix: string;
}): ConnectionEventPublisher {
  return {
    async publishConnectionEvent(tenantId, event) {
      await options.redis.publish(
        connectionEventsChannel(options.redisPrefix, tenantId),
        JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() }),
      );
    },
  };
}
