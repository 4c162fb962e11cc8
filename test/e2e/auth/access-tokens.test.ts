import 'reflect-metadata';
import {
  ConnectionIdsDocument,
  ContactPageDocument,
  ContactsWithDealsDocument,
  CreateAccessTokenDocument,
  CreateContactWriteDocument,
  CreateConnectionDocument,
  DealPageDocument,
  FieldMappingDocument,
  UpdateFieldMappingDocument,
  ViewerDocument,
  WriteOperationByIdDocument,
  WriteOperationPageDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { storeChangesChannel } from '../../../src/store/changes';
import { READ_CRMS, type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { forgedTokens, mint } from './support';

jest.setTimeout(60_000);

/**
 * Access tokens over HTTP as a browser would send them: what a token limited to one connection, some
 * objects and a scope may reach, how each bad token is refused, and that revoking the minting key ends
 * its tokens on two gateways of one deployment. No worker runs: writes stay QUEUED.
 */
let stack: ReadStack;
let t: ReadTenant;
let other: ReadTenant;
let reader: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('tokens'),
    orgs: {
      salesforce: [{ id: 'default', seed: 5, counts: { Contact: 3, Opportunity: 2, Account: 1 } }],
      hubspot: [{ id: 'default', seed: 5, counts: { contacts: 3, deals: 2 } }],
    },
  });
  t = await stack.tenant('tok');
  other = await stack.tenant('other');
  reader = await stack.tenant('reader', 'read');
});
afterAll(async () => {
  await stack?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const firstError = (res: { body: { errors?: readonly { message: string; extensions?: unknown }[] } }) =>
  res.body.errors?.[0]
    ? { message: res.body.errors[0].message, extensions: res.body.errors[0].extensions }
    : null;

describe('a token limited to one connection', () => {
  let token: string;
  beforeAll(async () => {
    token = await mint(stack.url, t.key, { connectionIds: [t.connections.salesforce] });
  });

  it('reads that connection', async () => {
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.salesforce, first: 2 },
      bearer(token),
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.contacts!.edges).toHaveLength(2);
  });

  it("gets NOT_FOUND for the tenant's other connection, exactly as another tenant does", async () => {
    const vars = { connectionId: t.connections.hubspot, first: 1 };
    const asToken = await request(stack.url, ContactPageDocument, vars, bearer(token));
    const asOtherTenant = await request(stack.url, ContactPageDocument, vars, { key: other.key });
    expect(firstError(asToken)).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(firstError(asToken)).toEqual(firstError(asOtherTenant));
    const mapping = await request(
      stack.url,
      FieldMappingDocument,
      { connectionId: t.connections.hubspot, object: 'CONTACT' },
      bearer(token),
    );
    expect(firstError(mapping)).toEqual(
      firstError(
        await request(
          stack.url,
          FieldMappingDocument,
          { connectionId: t.connections.hubspot, object: 'CONTACT' },
          { key: other.key },
        ),
      ),
    );
  });

  it('lists only that connection', async () => {
    const res = await request(stack.url, ConnectionIdsDocument, undefined, bearer(token));
    expect(res.body.data!.connections).toEqual([{ id: t.connections.salesforce }]);
    const all = await request(stack.url, ConnectionIdsDocument, undefined, { key: t.key });
    expect(all.body.data!.connections).toHaveLength(READ_CRMS.length); // the key itself sees every one
  });

  it("answers viewer with the key's tenant and the token's scope", async () => {
    const res = await request(stack.url, ViewerDocument, undefined, bearer(token));
    expect(res.body.data!.viewer).toMatchObject({ tenant: { id: t.tenantId }, scope: 'read' });
  });
});

describe('a token limited to objects', () => {
  it('reads CONTACT and is FORBIDDEN for DEAL, at the root and nested', async () => {
    const token = await mint(stack.url, t.key, {
      connectionIds: [t.connections.hubspot],
      objects: ['CONTACT'],
    });
    const contacts = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.hubspot, first: 1 },
      bearer(token),
    );
    expect(contacts.body.errors).toBeUndefined();
    const deals = await request(
      stack.url,
      DealPageDocument,
      { connectionId: t.connections.hubspot, first: 1 },
      bearer(token),
    );
    expect(firstError(deals)).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      message: expect.stringContaining('deal'),
    });
    const nested = await request(
      stack.url,
      ContactsWithDealsDocument,
      { connectionId: t.connections.hubspot, first: 1 },
      bearer(token),
    );
    expect(nested.body.errors?.[0]).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      path: ['contacts', 'nodes', 0, 'deals'],
    });
  });
});

describe('scope', () => {
  const write = (connectionId: string) => ({ connectionId, input: { lastName: 'Token' } });

  it('a READ token cannot mutate: the error a read key gets', async () => {
    const token = await mint(stack.url, t.key, { connectionIds: [t.connections.hubspot] });
    const asToken = await request(
      stack.url,
      CreateContactWriteDocument,
      write(t.connections.hubspot),
      bearer(token),
    );
    const readKey = await mint(stack.url, reader.key, { connectionIds: [reader.connections.hubspot] });
    const asReadKey = await request(
      stack.url,
      CreateContactWriteDocument,
      write(reader.connections.hubspot),
      { key: reader.key },
    );
    expect(firstError(asToken)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(firstError(asToken)).toEqual(firstError(asReadKey));
    expect(readKey).toMatch(/^ey/); // a read key mints READ tokens
  });

  it('a READ_WRITE token writes its connection and gets NOT_FOUND for another', async () => {
    const token = await mint(stack.url, t.key, {
      connectionIds: [t.connections.hubspot],
      scope: 'READ_WRITE',
    });
    const ok = await request(
      stack.url,
      CreateContactWriteDocument,
      write(t.connections.hubspot),
      bearer(token),
    );
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.createContact).toMatchObject({
      status: 'QUEUED',
      connectionId: t.connections.hubspot,
    });
    const refused = await request(
      stack.url,
      CreateContactWriteDocument,
      write(t.connections.salesforce),
      bearer(token),
    );
    expect(firstError(refused)).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(firstError(refused)).toEqual(
      firstError(
        await request(stack.url, CreateContactWriteDocument, write(t.connections.salesforce), {
          key: other.key,
        }),
      ),
    );
    // The key's own write on the other connection: invisible to the token, by id and in a list.
    const byKey = await request(stack.url, CreateContactWriteDocument, write(t.connections.salesforce), {
      key: t.key,
    });
    const id = byKey.body.data!.createContact.id;
    expect((await request(stack.url, WriteOperationByIdDocument, { id }, bearer(token))).body.data).toEqual({
      writeOperation: null,
    });
    const page = await request(stack.url, WriteOperationPageDocument, { first: 50 }, bearer(token));
    expect(page.body.errors).toBeUndefined();
    expect(page.body.data!.writeOperations.nodes.map((n) => n.connectionId)).toEqual([t.connections.hubspot]);
    const asked = await request(
      stack.url,
      WriteOperationPageDocument,
      { first: 50, filter: { connectionId: t.connections.salesforce } },
      bearer(token),
    );
    expect(asked.body.data!.writeOperations.nodes).toEqual([]);
  });

  it('a READ_WRITE token of a key narrowed to read can no longer mutate', async () => {
    const narrowed = await stack.tenant('narrowed');
    const token = await mint(stack.url, narrowed.key, {
      connectionIds: [narrowed.connections.hubspot],
      scope: 'READ_WRITE',
    });
    const keyId = (await stack.ctx.store.apiKeys.listForTenant(narrowed.tenantId))[0]!.id;
    await stack.ctx.store.apiKeys.setScope(keyId, 'read');
    await within(1000, async () => {
      const res = await request(
        stack.url,
        CreateContactWriteDocument,
        write(narrowed.connections.hubspot),
        bearer(token),
      );
      expect(firstError(res)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    });
  });
});

describe('minting', () => {
  const input = (connectionIds: string[], extra: Record<string, unknown> = {}) => ({
    input: {
      scope: 'READ' as const,
      objects: ['CONTACT' as const],
      subject: 'user-9',
      connectionIds,
      ...extra,
    },
  });

  it('is for API keys only: a token cannot mint, nor manage connections or mappings', async () => {
    const token = await mint(stack.url, t.key, {
      connectionIds: [t.connections.hubspot],
      scope: 'READ_WRITE',
    });
    const minted = await request(
      stack.url,
      CreateAccessTokenDocument,
      input([t.connections.hubspot]),
      bearer(token),
    );
    expect(firstError(minted)).toMatchObject({
      extensions: { code: 'FORBIDDEN' },
      message: expect.stringContaining('needs an API key'),
    });
    const connect = await request(
      stack.url,
      CreateConnectionDocument,
      { input: { crm: 'hubspot', displayName: 'x', credentials: { accessToken: 'x' } } },
      bearer(token),
    );
    expect(firstError(connect)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const mapping = await request(
      stack.url,
      UpdateFieldMappingDocument,
      { connectionId: t.connections.hubspot, object: 'CONTACT', overrides: [] },
      bearer(token),
    );
    expect(firstError(mapping)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
  });

  it("refuses READ_WRITE to a read key, another tenant's connection, a long ttl and a bad subject", async () => {
    const wide = await request(
      stack.url,
      CreateAccessTokenDocument,
      input([reader.connections.hubspot], { scope: 'READ_WRITE' }),
      { key: reader.key },
    );
    expect(firstError(wide)).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const foreign = await request(
      stack.url,
      CreateAccessTokenDocument,
      input([t.connections.hubspot, other.connections.hubspot]),
      { key: t.key },
    );
    expect(firstError(foreign)).toMatchObject({
      extensions: { code: 'NOT_FOUND' },
      message: expect.stringContaining(other.connections.hubspot),
    });
    const long = await request(
      stack.url,
      CreateAccessTokenDocument,
      input([t.connections.hubspot], { ttlSeconds: 901 }),
      { key: t.key },
    );
    expect(firstError(long)).toMatchObject({
      extensions: { code: 'BAD_USER_INPUT' },
      message: 'input.ttlSeconds must be 1 to 900; got 901',
    });
    const subject = await request(
      stack.url,
      CreateAccessTokenDocument,
      input([t.connections.hubspot], { subject: 'a\nb' }),
      { key: t.key },
    );
    expect(firstError(subject)).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('returns what it granted, expiring within the ttl', async () => {
    const before = Date.now();
    const res = await request(
      stack.url,
      CreateAccessTokenDocument,
      input([t.connections.hubspot], { ttlSeconds: 120 }),
      { key: t.key },
    );
    const granted = res.body.data!.createAccessToken;
    expect(granted).toMatchObject({
      scope: 'READ',
      objects: ['CONTACT'],
      subject: 'user-9',
      connectionIds: [t.connections.hubspot],
    });
    const expires = Date.parse(granted.expiresAt);
    expect(expires).toBeGreaterThan(before + 118_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 120_000);
  });
});

describe('bad tokens', () => {
  it('are each refused with 401 UNAUTHENTICATED, naming why', async () => {
    const good = await mint(stack.url, t.key, { connectionIds: [t.connections.salesforce] });
    const grant = {
      tenantId: t.tenantId,
      keyId: (await stack.ctx.store.apiKeys.listForTenant(t.tenantId))[0]!.id,
      scope: 'read' as const,
      connectionIds: [t.connections.salesforce],
      objects: ['contact' as const],
      subject: 'user-1',
    };
    expect((await request(stack.url, ViewerDocument, undefined, bearer(good))).status).toBe(200);
    for (const [label, forged] of forgedTokens(good, stack.ctx.keyRing, grant)) {
      const res = await request(stack.url, ViewerDocument, undefined, bearer(forged));
      expect({ label, status: res.status, code: firstError(res)?.extensions }).toEqual({
        label,
        status: 401,
        code: expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      });
      expect(res.text).not.toContain(forged);
    }
  });
});

describe('revoking the minting key', () => {
  it('ends its tokens on two gateways within 1 s', async () => {
    const peer = await stack.peer();
    try {
      // Both gateways must hear the revocation: a cache that merely expired would pass too late.
      await within(5000, async () => {
        const channel = storeChangesChannel(stack.ctx.redisPrefix);
        const [, count] = (await stack.ctx.redis.pubsub('NUMSUB', channel)) as [string, number];
        expect(Number(count)).toBeGreaterThanOrEqual(2);
      });
      const victim = await stack.tenant('revoked');
      const token = await mint(stack.url, victim.key, { connectionIds: [victim.connections.hubspot] });
      for (const url of [stack.url, peer.url]) {
        expect((await request(url, ViewerDocument, undefined, bearer(token))).status).toBe(200);
      }
      const keyId = (await stack.ctx.store.apiKeys.listForTenant(victim.tenantId))[0]!.id;
      await stack.ctx.store.apiKeys.revoke(keyId);
      for (const url of [stack.url, peer.url]) {
        await within(1000, async () => {
          const res = await request(url, ViewerDocument, undefined, bearer(token));
          expect(res.status).toBe(401);
          expect(firstError(res)?.message).toContain('revoked');
        });
      }
    } finally {
      await peer.close();
    }
  });
});
