import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { createPubSub, filter, map, pipe } from '@graphql-yoga/subscription';
import { duplicateClient, type RedisClient } from '../redis/client';
import { type Logger } from '../logger';
import { disconnectRedis } from '../runtime/services/redis-disconnect';
import {
  type ConnectionEvent,
  type ConnectionEventPublisher,
  connectionEventsRoutingKey,
  createConnectionEventPublisher,
  parseConnectionEvent,
} from './connection-events';
import {
  parseWriteOperationEvent,
  type WriteOperationEvent,
  writeOperationEventsRoutingKey,
} from './write-operation-events';
import { syncEventsRoutingKey } from './sync-events';

/** The subscribing side of the gateway: one Redis connection in subscribe mode per process. */
export interface GatewayPubSub extends ConnectionEventPublisher {
  /** Events of one tenant only: the tenant comes from the caller's key, never from its arguments. */
  connectionEvents(tenantId: string): AsyncIterable<ConnectionEvent>;
  /**
   * Write-operation updates of one tenant (ids and statuses only; subscribers read the operations).
   * Malformed payloads are dropped. The tenant comes from the caller's key, like connection events.
   */
  writeOperationEvents(tenantId: string): AsyncIterable<WriteOperationEvent>;
  /**
   * "New change events stored" nudges of one tenant (src/sync/change-log.ts): hints only — subscribers
   * read the events themselves, by number, up to the watermark. Tenant from the caller's key.
   */
  syncNudges(tenantId: string): AsyncIterable<unknown>;
  close(): Promise<void>;
}

/**
 * Builds the pubsub on a duplicate of `redis`: a client in subscribe mode can run no other command, and
 * the process's general client must stay usable.
 */
export function createGatewayPubSub(options: {
  redis: RedisClient;
  redisPrefix: string;
  logger: Logger;
}): GatewayPubSub {
  // No ready check: ioredis 5 sends its CLIENT SETINFO asynchronously after connecting, and a SUBSCRIBE
  // issued in that gap (allowed before ready: it works while Redis loads) puts the connection in
  // subscriber mode, so the INFO of the ready check then fails and the client tears itself down.
  // No retry limit and no command timeout: @graphql-yoga/redis-event-target does not await SUBSCRIBE, so
  // one that failed during a Redis outage was an unhandled rejection (the gateway exited). Queued
  // instead, it is sent when Redis is back, like the resubscription of the channels already open.
  const subscribeClient = duplicateClient(options.redis, {
    enableReadyCheck: false,
    maxRetriesPerRequest: null,
    commandTimeout: undefined,
  });
  const pubsub = createPubSub<Record<string, [string, unknown]>>({
    eventTarget: createRedisEventTarget({ publishClient: options.redis, subscribeClient }),
  });
  const publisher = createConnectionEventPublisher(options);
  const routingKey = connectionEventsRoutingKey(options.redisPrefix);
  const writeRoutingKey = writeOperationEventsRoutingKey(options.redisPrefix);
  const syncRoutingKey = syncEventsRoutingKey(options.redisPrefix);
  return {
    publishConnectionEvent: publisher.publishConnectionEvent,
    connectionEvents(tenantId) {
      return pipe(
        pubsub.subscribe(routingKey, tenantId),
        map((payload: unknown) => {
          const event = parseConnectionEvent(payload);
          if (!event) options.logger.warn({ tenantId }, 'skipped a malformed connection event');
          return event;
        }),
        filter((event): event is ConnectionEvent => event !== null),
      );
    },
    writeOperationEvents(tenantId) {
      return pipe(
        pubsub.subscribe(writeRoutingKey, tenantId),
        map((payload: unknown) => {
          const event = parseWriteOperationEvent(payload);
          if (!event) options.logger.warn({ tenantId }, 'skipped a malformed write operation event');
          return event;
        }),
        filter((event): event is WriteOperationEvent => event !== null),
      );
    },
    syncNudges(tenantId) {
      return pubsub.subscribe(syncRoutingKey, tenantId);
    },
    async close() {
      disconnectRedis(subscribeClient);
    },
  };
}
