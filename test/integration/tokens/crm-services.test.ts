import crypto from 'node:crypto';
import Redis from 'ioredis';
import { loadEnv } from '../../../src/config/env';
import { connectionEventsChannel, parseConnectionEvent } from '../../../src/events/connection-events';
import { createLogger } from '../../../src/logger';
import { createCrmServices } from '../../../src/runtime/crm-services';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The process's token refresher as the runtime builds it: a connection whose CRM has no OAuth app
 * configured cannot be refreshed, and must end where a refused grant ends (status NEEDS_REAUTH and a
 * connectionEvents event), not in an error nobody hears of.
 */
let store: Store;
let redis: Redis;
let subscriber: Redis;
let tenantId: string;
const prefix = uniqueName('crmsvc');

beforeAll(async () => {
  store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('crmsvc'),
    keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
  });
  redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  // Connected (ready check done) before it subscribes: the ready check's INFO is refused once subscribed.
  subscriber = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  await subscriber.connect();
  tenantId = (await store.tenants.create('acme')).id;
});
afterAll(async () => {
  await store.conn.dropDatabase();
  await store.close();
  await subscriber.quit();
  await redis.quit();
});

it('a refresh without an OAuth app moves the connection to NEEDS_REAUTH and announces it', async () => {
  // No CRM_OAUTH_APPS: the operator configured no HubSpot app.
  const env = loadEnv({ REDIS_PREFIX: prefix, CRM_OAUTH_APPS: '{}' });
  const services = createCrmServices({ env, store, redis, logger: createLogger({ level: 'silent' }) });
  const created = await store.connections.create({
    tenantId,
    crm: 'hubspot',
    displayName: 'portal',
    credentials: {
      authKind: 'oauth2_code',
      accessToken: 'a0',
      refreshToken: 'r0',
      expiresAt: Date.now() - 1000,
    },
    externalAccountId: '62515',
  });

  const channel = connectionEventsChannel(prefix, tenantId);
  const announced = new Promise<unknown>((resolve) => {
    subscriber.on('message', (ch: string, message: string) => {
      if (ch === channel) resolve(JSON.parse(message));
    });
  });
  await subscriber.subscribe(channel);

  const err = await services.tokens.getAccessToken(created.id).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'NEEDS_REAUTH', crm: 'hubspot', retryable: false });
  const view = await store.connections.getById(created.id);
  expect(view.status).toBe('NEEDS_REAUTH');
  expect(view.statusReason).toMatch(/no OAuth app is configured for HubSpot \(CRM_OAUTH_APPS\)/);

  // Awaited, not polled: without the event the test times out.
  expect(parseConnectionEvent(await announced)).toMatchObject({
    type: 'STATUS_CHANGED',
    connectionId: created.id,
    crm: 'hubspot',
    status: 'NEEDS_REAUTH',
    reason: expect.stringMatching(/CRM_OAUTH_APPS/),
  });
});
