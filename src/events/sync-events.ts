/**
 * "New change events stored" nudges, published by whichever process stored them (src/sync/change-log.ts)
 * and heard by every gateway's change streams (src/sync/event-stream.ts). Channels are keyed by tenant,
 * like every event channel here. The payload (`{upTo}`) is a hint only: subscribers read events from
 * the store by number, so a nudge carries no record values and a forged one reveals nothing.
 */

/** The routing key; the pubsub appends `:<tenantId>` (the graphql-yoga convention), giving the channel. */
export function syncEventsRoutingKey(redisPrefix: string): string {
  return `${redisPrefix}:events:sync`;
}
