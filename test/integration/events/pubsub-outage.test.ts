import Redis from 'ioredis';
import { connectionEvent } from '../../../src/events/connection-events';
import { createGatewayPubSub } from '../../../src/events/pubsub';
import { createLogger } from '../../../src/logger';
import { startThrowawayStores, type Stores } from '../../../src/runtime/services';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * A subscription opened while Redis is down (a client subscribing to connectionEvents during an
 * outage) must neither take the gateway down — a failed SUBSCRIBE nobody awaits is an unhandled
 * rejection, which ends a Node process — nor be lost: it starts once Redis is back. This file's Redis
 * is its own.
 */
describe('the gateway pubsub during a Redis outage', () => {
  let stores: Stores;
  let redis: Redis;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };

  beforeAll(async () => {
    stores = await startThrowawayStores('pubsub-outage', { mongodbUri: testStoreUrls().mongodbUri });
    // The process's general client, configured as createAppContext configures it.
    redis = new Redis(stores.redisUrl, { maxRetriesPerRequest: 2, commandTimeout: 500 });
    redis.on('error', () => undefined); // refusals while Redis is down are expected here
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    redis?.disconnect();
    await stores?.stop();
  });

  it('keeps a subscription made while Redis is down, and delivers once it is back', async () => {
    const prefix = uniqueName('cgwtest');
    const pubsub = createGatewayPubSub({
      redis,
      redisPrefix: prefix,
      logger: createLogger({ level: 'silent' }),
    });
    const service = stores.started.find((s) => s.name === 'redis')!;
    process.kill(service.pid!, 'SIGKILL');
    for (const deadline = Date.now() + 10_000; service.running && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 20));
    }

    const events = pubsub.connectionEvents('tenant-a')[Symbol.asyncIterator]();
    const first = events.next();
    // Longer than the general client's retries and command timeout: a SUBSCRIBE bound by them has failed.
    await new Promise((r) => setTimeout(r, 2500));
    expect(unhandled).toEqual([]);

    await service.restart();
    const event = connectionEvent('STATUS_CHANGED', {
      id: 'c1',
      crm: 'hubspot',
      status: 'NEEDS_REAUTH',
      statusReason: 'invalid_grant',
    });
    let delivered: IteratorResult<unknown> | undefined;
    void first.then((r) => (delivered = r));
    // Published until it arrives: the resubscription after the reconnect takes a moment.
    for (const deadline = Date.now() + 20_000; !delivered && Date.now() < deadline;) {
      await pubsub.publishConnectionEvent('tenant-a', event).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(delivered?.value).toMatchObject({ type: 'STATUS_CHANGED', connectionId: 'c1' });
    expect(unhandled).toEqual([]);
    // Not events.return(): its UNSUBSCRIBE is not awaited by the event target, and the close below
    // would reject it (a teardown race of this test, not the outage under test).
    await pubsub.close();
  });
});
