import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ConnectionDocument,
  ContactPageDocument,
  DeleteConnectionDocument,
  FieldMappingDocument,
  UpdateFieldMappingDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { storeCommandsIssued, storeCommandsPerOperation } from '../../../src/store/command-count';

jest.setTimeout(60_000);

const ADMIN = path.resolve(__dirname, '../../../dist/bin/admin.js');

/**
 * Two gateways of one deployment (two process contexts, each with its own caches) in front of the
 * sandboxes. A warm read sends no MongoDB command; a change made through one gateway or the admin CLI
 * applies on both within 1 s ("within 1 s": polled for up to 1 s, never a timing assertion).
 */
let stack: ReadStack;
let peer: { url: string; close(): Promise<void> };
let name: string;

beforeAll(async () => {
  name = uniqueName('hotcache');
  stack = await startReadStack({
    ...testStoreUrls(),
    name,
    orgs: {
      salesforce: [{ id: 'default', seed: 3, counts: { Contact: 20, Opportunity: 5, Account: 5 } }],
      hubspot: [{ id: 'default', seed: 3, counts: { contacts: 20, deals: 5 } }],
    },
    // Every operation's store commands counted (the default samples one in 100), so one request is
    // one observation of the histogram.
    env: { STORE_COMMANDS_SAMPLE_EVERY: '1' },
  });
  peer = await stack.peer();
  // Both gateways must hear changes: a cache that merely expired would also pass "within 1 s".
  await within(5000, async () => expect(stack.ctx.store.changes?.live).toBe(true));
});
afterAll(async () => {
  await peer?.close();
  await stack?.close();
});

/** MongoDB commands both in-process gateways sent while `fn` ran (nothing else runs meanwhile). */
async function storeCommandsDuring(fn: () => Promise<unknown>): Promise<number> {
  const before = storeCommandsIssued();
  await fn();
  return storeCommandsIssued() - before;
}

/** Operations the `cgw_store_commands_per_operation` histogram counted in its `le="0"` bucket. */
async function operationsWithNoStoreCommand(): Promise<number> {
  const { values } = await storeCommandsPerOperation.get();
  return values.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === 0)?.value ?? 0;
}

describe('warm requests', () => {
  let t: ReadTenant;
  beforeAll(async () => {
    t = await stack.tenant('warm');
  });

  it('answer fieldMapping with zero MongoDB round trips', async () => {
    const ask = async () => {
      const res = await request(
        stack.url,
        FieldMappingDocument,
        { connectionId: t.connections.salesforce, object: 'CONTACT' },
        { key: t.key },
      );
      expect(res.body.errors).toBeUndefined();
    };
    expect(await storeCommandsDuring(ask)).toBeGreaterThan(0); // cold: key, connection, mapping
    const zeroBefore = await operationsWithNoStoreCommand();
    expect(await storeCommandsDuring(ask)).toBe(0);
    // …and the gateway's own per-operation histogram saw an operation with no command.
    expect(await operationsWithNoStoreCommand()).toBe(zeroBefore + 1);
  });

  it.each(['salesforce', 'hubspot'] as const)(
    'answer %s contacts with zero MongoDB round trips',
    async (crm) => {
      const ask = async () => {
        const res = await request(
          stack.url,
          ContactPageDocument,
          { connectionId: t.connections[crm], first: 5 },
          { key: t.key },
        );
        expect(res.body.errors).toBeUndefined();
        expect(res.body.data?.contacts?.edges).toHaveLength(5);
      };
      await ask();
      expect(await storeCommandsDuring(ask)).toBe(0);
    },
  );
});

describe('changes reach both gateways within 1 s', () => {
  it('a changed mapping: at once on the gateway that answered the mutation, within 1 s on the other', async () => {
    const t = await stack.tenant('mapping');
    const version = async (url: string) =>
      (
        await request(
          url,
          FieldMappingDocument,
          { connectionId: t.connections.hubspot, object: 'DEAL' },
          { key: t.key },
        )
      ).body.data?.fieldMapping.version;
    expect(await version(stack.url)).toBe(0);
    expect(await version(peer.url)).toBe(0); // both warm now
    const updated = await request(
      stack.url,
      UpdateFieldMappingDocument,
      { connectionId: t.connections.hubspot, object: 'DEAL', overrides: [] },
      { key: t.key },
    );
    expect(updated.body.data?.updateFieldMapping.version).toBe(1);
    expect(await version(stack.url)).toBe(1);
    await within(1000, async () => expect(await version(peer.url)).toBe(1));
  });

  it('a deleted connection is refused on both gateways, and never shown to another tenant meanwhile', async () => {
    const t = await stack.tenant('deleted');
    const intruder = await stack.tenant('intruder');
    const id = t.connections.salesforce;
    const status = async (url: string, key: string) =>
      (await request(url, ConnectionDocument, { id }, { key })).body;
    expect((await status(stack.url, t.key)).data?.connection.id).toBe(id);
    expect((await status(peer.url, t.key)).data?.connection.id).toBe(id);
    // Cached on both gateways, and still another tenant's connection is NOT_FOUND.
    expect((await status(peer.url, intruder.key)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const deleted = await request(peer.url, DeleteConnectionDocument, { id }, { key: t.key });
    expect(deleted.body.errors).toBeUndefined();
    for (const url of [stack.url, peer.url]) {
      await within(1000, async () => {
        expect((await status(url, t.key)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      });
    }
    expect(stack.ctx.store.connections.holdsCredentials(id)).toBe(false);
  });

  it('a key revoked through the admin CLI (its own process) stops working on both gateways', async () => {
    const t = await stack.tenant('revoked');
    const ask = async (url: string) =>
      request(
        url,
        FieldMappingDocument,
        { connectionId: t.connections.salesforce, object: 'CONTACT' },
        { key: t.key },
      );
    expect((await ask(stack.url)).status).toBe(200);
    expect((await ask(peer.url)).status).toBe(200); // cached on both
    const keyId = (await stack.ctx.store.apiKeys.listForTenant(t.tenantId))[0]!.id;
    const { mongodbUri, redisUrl } = testStoreUrls();
    const uri = new URL(mongodbUri);
    uri.pathname = `/${name}`;
    await promisify(execFile)(process.execPath, [ADMIN, 'keys:revoke', keyId], {
      env: {
        ...process.env,
        MONGODB_URI: uri.toString(),
        REDIS_URL: redisUrl,
        REDIS_PREFIX: name,
        LOG_LEVEL: 'silent',
        CREDENTIALS_KEYS: `cli:${crypto.randomBytes(32).toString('base64')}`,
      },
    });
    for (const url of [stack.url, peer.url]) {
      await within(1000, async () => expect((await ask(url)).status).toBe(401));
    }
  });
});
