import crypto from 'node:crypto';
import Redis from 'ioredis';
import { crmDefinition } from '../../../src/connectors/registry';
import { type StoredTokens } from '../../../src/connectors/tokens/credentials';
import { OAuth2Client, oauthRefresher } from '../../../src/connectors/tokens/oauth2-client';
import { processTokenRefresh } from '../../../src/worker/token-refresh.processor';
import { RefreshLock } from '../../../src/connectors/tokens/refresh-lock';
import {
  type ConnectionEventPublisher,
  TokenService,
  type TokenStore,
} from '../../../src/connectors/tokens/token.service';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { type CrmError } from '../../../src/errors';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { TokenEndpoint } from './token-endpoint';

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
let store: Store;
let redis: Redis;
let endpoint: TokenEndpoint;
let base: string;
let tenantId: string;

beforeAll(async () => {
  store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('tokens'),
    keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
  });
  redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  tenantId = (await store.tenants.create('acme')).id;
});
afterAll(async () => {
  await store.conn.dropDatabase();
  await store.close();
  await redis.quit();
});
beforeEach(async () => {
  endpoint = new TokenEndpoint();
  base = await endpoint.start();
});
afterEach(() => endpoint.stop());

class RecordingEvents implements ConnectionEventPublisher {
  events: { tenantId: string; connectionId: string; status: string }[] = [];
  async publishConnectionEvent(
    tenantId: string,
    event: { connectionId: string; status: string },
  ): Promise<void> {
    this.events.push({ tenantId, connectionId: event.connectionId, status: event.status });
  }
}

function service(
  events = new RecordingEvents(),
  prefix = uniqueName('tok'),
  client?: Redis,
  tokenStore: TokenStore = store.connections,
) {
  const tokens = new TokenService({
    store: tokenStore,
    redis: client ?? redis,
    prefix,
    events,
    refresherFor: (crm) => {
      const oauth = new OAuth2Client({
        definition: crmDefinition(crm),
        hosts: { auth: base, api: base },
        app: { clientId: 'cid', clientSecret: 'secret', redirectUri: 'http://127.0.0.1/cb' },
        policy: POLICY,
      });
      return oauthRefresher(oauth);
    },
  });
  return { tokens, events, prefix };
}

async function connection(crm: 'hubspot' | 'salesforce', creds: Partial<StoredTokens>): Promise<string> {
  const c = await store.connections.create({
    tenantId,
    crm,
    displayName: `${crm} test`,
    credentials: {
      authKind: 'oauth2_code',
      accessToken: 'a0',
      refreshToken: 'r0',
      expiresAt: null,
      ...creds,
    },
  });
  return c.id;
}

describe('TokenService', () => {
  it('refreshes ahead of expiry once for 20 concurrent callers and stores the rotated refresh token', async () => {
    const id = await connection('hubspot', { expiresAt: Date.now() + 60_000 });
    const { tokens } = service();
    const got = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(id)));
    expect(endpoint.refreshCount()).toBe(1);
    expect(new Set(got.map((t) => t.value))).toEqual(new Set(['a1']));
    const stored = await store.connections.getCredentials(id);
    expect(stored).toMatchObject({ accessToken: 'a1', refreshToken: 'r1' });
    expect(stored.expiresAt as number).toBeGreaterThan(Date.now() + 1_700_000);
    // Fresh now: no further refresh.
    await tokens.getAccessToken(id);
    expect(endpoint.refreshCount()).toBe(1);
  });

  /**
   * The real connections repository, with a hook on credentials writes: it runs after the write has
   * completed in the store (or instead of it, to make the write fail). `slowWriteMs` holds the write
   * back, so a service that handed the token out without awaiting the write would do it meanwhile;
   * a correct one passes however long the write takes.
   */
  function observedStore(hook: {
    afterWrite?: (c: Record<string, unknown>) => void;
    failWrite?: Error;
    slowWriteMs?: number;
  }) {
    const real = store.connections;
    const observed: TokenStore = {
      getById: (id) => real.getById(id),
      getCredentials: (id) => real.getCredentials(id),
      setStatus: (id, status, reason) => real.setStatus(id, status, reason),
      async setCredentials(id, credentials) {
        if (hook.failWrite) throw hook.failWrite;
        if (hook.slowWriteMs) await new Promise((r) => setTimeout(r, hook.slowWriteMs));
        await real.setCredentials(id, credentials);
        hook.afterWrite?.(credentials);
      },
    };
    return observed;
  }

  it('hands a refreshed token to no caller before the rotated refresh token is in the store', async () => {
    const id = await connection('hubspot', { expiresAt: Date.now() + 60_000 });
    const durable: unknown[] = [];
    const { tokens, prefix } = service(
      undefined,
      undefined,
      undefined,
      observedStore({ afterWrite: (c) => durable.push(c.refreshToken), slowWriteMs: 300 }),
    );
    // What each caller saw at the moment it was handed the token: the writes completed by then (taken
    // synchronously, so nothing can complete in between), then the store and the expiry index.
    const seen = await Promise.all(
      Array.from({ length: 5 }, () =>
        tokens.getAccessToken(id).then(async (token) => {
          const writtenBefore = [...durable];
          const stored = await store.connections.getCredentials(id);
          const indexed = await redis.zscore(`${prefix}:tokens:expiry`, id);
          return { token: token.value, writtenBefore, stored, indexed };
        }),
      ),
    );
    expect(endpoint.refreshCount()).toBe(1);
    for (const s of seen) {
      expect(s.token).toBe('a1');
      expect(s.writtenBefore).toEqual(['r1']);
      expect(s.stored).toMatchObject({ accessToken: 'a1', refreshToken: 'r1' });
      expect(Number(s.indexed)).toBe(s.stored.expiresAt);
    }
  });

  it('hands out no refreshed token when storing it fails, and surfaces the store error', async () => {
    const id = await connection('hubspot', { expiresAt: Date.now() + 60_000 });
    const down = new Error('credentials write failed: store unreachable');
    const { tokens, prefix } = service(undefined, undefined, undefined, observedStore({ failWrite: down }));
    const outcomes = await Promise.all(
      Array.from({ length: 3 }, () =>
        tokens.getAccessToken(id).then(
          (t) => t.value,
          (e: unknown) => e,
        ),
      ),
    );
    // The vendor did issue a1 (and rotated r0 away), yet no caller got it: each sees the write error.
    expect(endpoint.refreshCount()).toBe(1);
    expect(outcomes).toEqual([down, down, down]);
    expect(await store.connections.getCredentials(id)).toMatchObject({
      accessToken: 'a0',
      refreshToken: 'r0',
    });
    expect(await redis.zscore(`${prefix}:tokens:expiry`, id)).toBeNull();
    // The lock is released: the next attempt is not stuck behind a failed one.
    expect(await new RefreshLock(redis, prefix).isHeld(id)).toBe(false);
  });

  it('refreshes one at a time across processes and re-reads the token after the lock', async () => {
    const id = await connection('salesforce', {});
    endpoint.expiresIn = null;
    endpoint.delayMs = 200;
    const prefix = uniqueName('tok');
    // Two services with their own Redis clients and no shared memory: what two processes would be.
    const other = new Redis(testStoreUrls().redisUrl);
    try {
      const a = service(new RecordingEvents(), prefix).tokens;
      const b = service(new RecordingEvents(), prefix, other).tokens;
      const results = await Promise.all([
        a.forConnection(id).refreshAfterRejection('a0'),
        b.forConnection(id).refreshAfterRejection('a0'),
        a.forConnection(id).refreshAfterRejection('a0'),
        b.forConnection(id).refreshAfterRejection('a0'),
      ]);
      // With rotation, a second refresh with r0 would have been refused: one grant, everyone served.
      expect(endpoint.refreshCount()).toBe(1);
      expect(results.map((r) => r.value)).toEqual(['a1', 'a1', 'a1', 'a1']);
      expect(await redis.exists(new RefreshLock(redis, prefix).key(id))).toBe(0);
    } finally {
      other.disconnect();
    }
  });

  it('does not refresh Salesforce ahead of time (no expires_in), only after a 401', async () => {
    const id = await connection('salesforce', {});
    endpoint.expiresIn = null;
    endpoint.rotate = false;
    endpoint.instanceUrl = base;
    const { tokens } = service();
    expect((await tokens.getAccessToken(id)).value).toBe('a0');
    expect(endpoint.refreshCount()).toBe(0);
    const fresh = await tokens.forConnection(id).refreshAfterRejection('a0');
    expect(fresh).toEqual({ value: 'a1', expiresAt: null, apiBaseUrl: base, authKind: 'oauth2_code' });
    // A late 401 for the old token does not refresh again: the stored token is already newer.
    await tokens.forConnection(id).refreshAfterRejection('a0');
    expect(endpoint.refreshCount()).toBe(1);
    // Salesforce does not rotate unless configured: the refresh token is kept.
    expect(await store.connections.getCredentials(id)).toMatchObject({ refreshToken: 'r0' });
  });

  it('refuses an instance_url outside the vendor domain and keeps the old credentials', async () => {
    const id = await connection('salesforce', {});
    endpoint.instanceUrl = 'https://evil.example';
    const { tokens } = service();
    const err = await tokens
      .forConnection(id)
      .refreshAfterRejection('a0')
      .then(
        () => null,
        (e: CrmError) => e,
      );
    expect(err?.code).toBe('UPSTREAM');
    expect(err?.message).toMatch(/instance_url refused/);
    expect(await store.connections.getCredentials(id)).toMatchObject({ accessToken: 'a0' });
  });

  it('moves the connection to NEEDS_REAUTH and announces it when the refresh token is refused', async () => {
    const id = await connection('hubspot', { expiresAt: Date.now() - 1000 });
    endpoint.revoked = true;
    const { tokens, events } = service();
    const err = await tokens.getAccessToken(id).then(
      () => null,
      (e: CrmError) => e,
    );
    expect(err).toMatchObject({ code: 'NEEDS_REAUTH', crm: 'hubspot', retryable: false });
    const view = await store.connections.getById(id);
    expect(view.status).toBe('NEEDS_REAUTH');
    expect(view.statusReason).toMatch(/invalid_grant|refused/);
    expect(events.events).toEqual([{ tenantId, connectionId: id, status: 'NEEDS_REAUTH' }]);
  });

  it('treats a rejected static token as revoked', async () => {
    const id = await connection('hubspot', { authKind: 'static_token', refreshToken: undefined });
    const { tokens } = service();
    await expect(tokens.forConnection(id).refreshAfterRejection('a0')).rejects.toMatchObject({
      code: 'NEEDS_REAUTH',
    });
    expect(endpoint.grants).toEqual([]);
  });

  it('the repeatable job refreshes what is about to expire and nothing else', async () => {
    const { tokens, prefix } = service();
    const soon = await connection('hubspot', { expiresAt: Date.now() + 120_000 });
    const later = await connection('hubspot', { expiresAt: Date.now() + 3_600_000 });
    for (const id of [soon, later]) {
      await tokens.storeGrant(id, { ...(await store.connections.getCredentials(id)) } as StoredTokens);
    }
    const result = await processTokenRefresh({ tokens, redis }, { withinMs: 600_000 });
    expect(result).toEqual({ scanned: 1, refreshed: 1, needsReauth: 0, failed: 0 });
    expect(await store.connections.getCredentials(soon)).toMatchObject({ accessToken: 'a1' });
    expect(await store.connections.getCredentials(later)).toMatchObject({ accessToken: 'a0' });
    expect(Number(await redis.zscore(`${prefix}:tokens:expiry`, soon))).toBeGreaterThan(
      Date.now() + 1_700_000,
    );
  });
});

describe('RefreshLock', () => {
  it('is released only by its owner', async () => {
    const prefix = uniqueName('lock');
    const lock = new RefreshLock(redis, prefix, 100);
    const first = await lock.tryAcquire('c');
    expect(first).not.toBeNull();
    expect(await lock.tryAcquire('c')).toBeNull();
    await new Promise((r) => setTimeout(r, 150));
    const second = await lock.tryAcquire('c');
    expect(second).not.toBeNull();
    expect(await lock.release('c', first!)).toBe(false);
    expect(await lock.isHeld('c')).toBe(true);
    expect(await lock.release('c', second!)).toBe(true);
    expect(await lock.isHeld('c')).toBe(false);
  });
});
