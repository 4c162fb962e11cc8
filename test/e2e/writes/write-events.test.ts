import Redis from 'ioredis';
import { createGatewayPubSub } from '../../../src/events/pubsub';
import {
  createWriteOperationEventPublisher,
  writeOperationEventsRoutingKey,
} from '../../../src/events/write-operation-events';
import { createLogger } from '../../../src/logger';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';

/**
 * `writeOperationEvents(tenantId)` over the test Redis: what any process publishes reaches the
 * subscribers of that tenant only, and a malformed payload on the channel is dropped rather than
 * ending the subscription.
 */
describe('GatewayPubSub.writeOperationEvents', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testStoreUrls().redisUrl);
  });
  afterAll(() => redis?.disconnect());

  it("delivers a tenant's events to that tenant only, dropping malformed payloads", async () => {
    const prefix = uniqueName('cgwtest');
    const warn = jest.fn();
    const logger = Object.assign(createLogger({ level: 'silent' }), { warn });
    const pubsub = createGatewayPubSub({ redis, redisPrefix: prefix, logger });
    const mine = pubsub.writeOperationEvents('tenant-a')[Symbol.asyncIterator]();
    const theirs = pubsub.writeOperationEvents('tenant-b')[Symbol.asyncIterator]();
    const nextMine = mine.next();
    const nextTheirs = theirs.next();
    // Subscribing is not awaited by the event target: wait until Redis has both subscriptions.
    const channel = `${writeOperationEventsRoutingKey(prefix)}:tenant-a`;
    const subscribed = async (ch: string) => Number(((await redis.pubsub('NUMSUB', ch)) as unknown[])[1]);
    await within(10_000, async () => {
      expect(await subscribed(channel)).toBe(1);
      expect(await subscribed(`${writeOperationEventsRoutingKey(prefix)}:tenant-b`)).toBe(1);
    });

    await redis.publish(channel, JSON.stringify({ operationId: 'wop_1', status: 'NOT_A_STATUS' }));
    await redis.publish(channel, JSON.stringify({ hello: 'world' }));
    const publisher = createWriteOperationEventPublisher({ redis, redisPrefix: prefix });
    const occurredAt = new Date('2026-01-01T00:00:00.000Z');
    await publisher.publishWriteOperationEvents('tenant-a', [
      { operationId: 'wop_2', connectionId: 'c1', status: 'RUNNING', occurredAt },
    ]);

    expect((await nextMine).value).toEqual({
      operationId: 'wop_2',
      connectionId: 'c1',
      status: 'RUNNING',
      occurredAt,
    });
    expect(warn).toHaveBeenCalledTimes(2);
    const raced = await Promise.race([nextTheirs, new Promise((r) => setTimeout(() => r('nothing'), 300))]);
    expect(raced).toBe('nothing');
    await mine.return?.();
    await theirs.return?.();
    await pubsub.close();
  });
});
