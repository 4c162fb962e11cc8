import { type Counter } from 'prom-client';
import { CreateConnectionDocument, DeleteConnectionDocument } from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { metricsRegistry } from '../../../src/metrics';
import { QUEUES } from '../../../src/queue/queues';
import { CONNECTION_REVOKE_JOB } from '../../../src/queue/system.producer';
import { InvalidGrantError } from '../../../src/connectors/tokens/oauth2-client';
import { oauthClient, vendorAccess } from '../../../src/connectors/vendor-access';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';

jest.setTimeout(60_000);

/**
 * Deleting a connection revokes its grant at the vendor (docs/sync.md "Lifecycle and privacy"): through
 * GraphQL, against the real sandboxes, with a worker. The revocation job carries the credentials only
 * as ciphertext and is gone from Redis once it has run; the old refresh token is refused afterwards and
 * the connection's data is purged.
 */
let stack: ReadStack;
let t: ReadTenant;
let worker: RunningWorker;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('revoke'),
    orgs: {
      salesforce: [{ id: 'default', seed: 5, counts: { Contact: 3, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 5, counts: { contacts: 3, deals: 1 } }],
    },
  });
  t = await stack.tenant('revoke');
  // One worker per process context (Bull takes one handler per job name).
  worker = await startWorker(stack.ctx);
});
afterAll(async () => {
  await worker?.close();
  await stack?.close();
});

type Crm = 'salesforce' | 'hubspot' | 'pipedrive';
const system = () => stack.ctx.queues.get(QUEUES.system);
const revokeJobId = (connectionId: string) => `${CONNECTION_REVOKE_JOB}:${connectionId}`;

function revocations(crm: Crm, outcome: string): Promise<number> {
  const counter = metricsRegistry.getSingleMetric('cgw_connection_revocations_total') as Counter | undefined;
  return (async () => {
    const values = (await counter?.get())?.values ?? [];
    return values.find((v) => v.labels.crm === crm && v.labels.outcome === outcome)?.value ?? 0;
  })();
}

async function deleteConnection(id: string): Promise<void> {
  const res = await request(stack.url, DeleteConnectionDocument, { id }, { key: t.key });
  expect(res.body.errors).toBeUndefined();
}

/** A refresh grant with `refreshToken` at the sandbox, as the token service would send it. */
async function refreshAtSandbox(crm: Crm, vendorUrls: Record<string, string>, refreshToken: string) {
  const { policy, transport } = stack.ctx.crm;
  const access = vendorAccess({ crm, vendorUrls, policy });
  return oauthClient(access, stack.ctx.crm.oauthApp(crm)!, { policy, transport }).refresh(refreshToken);
}

async function seedCursor(connectionId: string): Promise<void> {
  await stack.ctx.store.conn.db!.collection('sync_cursors').insertOne({ connectionId, object: 'contact' });
}

async function cursorsOf(connectionId: string): Promise<number> {
  return stack.ctx.store.conn.db!.collection('sync_cursors').countDocuments({ connectionId });
}

it.each<Crm>(['hubspot', 'salesforce', 'pipedrive'])(
  'deleting an OAuth %s connection revokes its refresh token at the vendor and purges its data',
  async (crm) => {
    const id = t.connections[crm];
    const view = await stack.ctx.store.connections.getById(id);
    const creds = await stack.ctx.store.connections.getCredentials(id, { fresh: true });
    const refreshToken = String(creds.refreshToken);
    const accessToken = String(creds.accessToken);
    // The refresh token works before the delete (and this grant may rotate it: read it again).
    await refreshAtSandbox(crm, view.vendorUrls, refreshToken);
    const current = await stack.ctx.store.connections.getCredentials(id, { fresh: true });
    const liveRefresh = String(current.refreshToken ?? refreshToken);
    await seedCursor(id);
    const revokedBefore = await revocations(crm, 'revoked');

    // Paused in Redis, so the job waits to be inspected before the worker takes it.
    await system().pause();
    await deleteConnection(id);
    expect(stack.ctx.store.connections.holdsCredentials(id)).toBe(false);
    expect(await stack.ctx.redis.zscore(stack.ctx.crm.tokens.expiryIndexKey, id)).toBeNull();

    // No worker yet: the job waits in Redis, and its hash holds ciphertext only.
    const job = await system().getJob(revokeJobId(id));
    expect(job).not.toBeNull();
    const hash = await stack.ctx.redis.hgetall(system().toKey(revokeJobId(id)));
    const stored = JSON.stringify(hash);
    for (const secret of [refreshToken, liveRefresh, accessToken, String(current.accessToken)]) {
      expect(stored).not.toContain(secret);
    }
    expect(JSON.parse(hash.data!)).toEqual({
      connectionId: id,
      crm,
      vendorUrls: view.vendorUrls,
      credentials: {
        kid: expect.any(String),
        iv: expect.any(String),
        tag: expect.any(String),
        data: expect.any(String),
      },
    });

    await system().resume();
    await within(20_000, async () => {
      expect(await system().getJob(revokeJobId(id))).toBeNull();
      expect(await cursorsOf(id)).toBe(0);
    });
    expect(await stack.ctx.redis.exists(system().toKey(revokeJobId(id)))).toBe(0);
    expect(await revocations(crm, 'revoked')).toBe(revokedBefore + 1);
    await expect(refreshAtSandbox(crm, view.vendorUrls, liveRefresh)).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
  },
);

it('deleting a HubSpot private-app connection records not_revocable and still purges', async () => {
  const base = stack.sandboxes.sandboxes.hubspot!.baseUrl;
  const created = await request(
    stack.url,
    CreateConnectionDocument,
    {
      input: {
        crm: 'hubspot',
        displayName: 'private app',
        credentials: {
          token: String(stack.sandboxes.sandboxes.hubspot!.credentials.default!.privateAppToken),
        },
        vendorUrls: { auth: base, api: base },
      } as never,
    },
    { key: t.key },
  );
  expect(created.body.errors).toBeUndefined();
  const id = created.body.data!.createConnection.id;
  await seedCursor(id);
  const before = await revocations('hubspot', 'not_revocable');

  await deleteConnection(id);
  await within(20_000, async () => {
    expect(await revocations('hubspot', 'not_revocable')).toBe(before + 1);
    expect(await cursorsOf(id)).toBe(0);
  });
  await within(5_000, async () => expect(await system().getJob(revokeJobId(id))).toBeNull());
});

it('purges at once while the vendor is down, and revokes on a later attempt once it is back', async () => {
  const down = await stack.tenant('revoke-down');
  const id = down.connections.salesforce;
  const view = await stack.ctx.store.connections.getById(id);
  const refreshToken = String(
    (await stack.ctx.store.connections.getCredentials(id, { fresh: true })).refreshToken,
  );
  await seedCursor(id);
  await stack.setFaults('salesforce', { errorRate: 1, errorStatuses: [503] });
  try {
    const res = await request(stack.url, DeleteConnectionDocument, { id }, { key: down.key });
    expect(res.body.errors).toBeUndefined();
    // The purge does not wait for the vendor; the revocation waits on its backoff, still encrypted.
    await within(20_000, async () => {
      expect(await cursorsOf(id)).toBe(0);
      const job = await system().getJob(revokeJobId(id));
      expect(job?.attemptsMade).toBeGreaterThanOrEqual(1);
      expect(await job?.isDelayed()).toBe(true);
    });
  } finally {
    await stack.setFaults('salesforce', null);
  }
  // The first retry comes 5 s later (the job's exponential backoff).
  await within(30_000, async () => expect(await system().getJob(revokeJobId(id))).toBeNull());
  await expect(refreshAtSandbox('salesforce', view.vendorUrls, refreshToken)).rejects.toBeInstanceOf(
    InvalidGrantError,
  );
});
