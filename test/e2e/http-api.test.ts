import {
  ConnectionDocument,
  ConnectionsDocument,
  CreateConnectionDocument,
  DeleteConnectionDocument,
  HealthDocument,
  ViewerDocument,
} from './generated/operations';
import { startGatewayServer } from '../../src/server/http-server';
import { type ApiKeysRepository } from '../../src/store/repositories/api-keys.repo';
import { request, startTestGateway, type TestGateway } from './support/gateway';

describe('GraphQL over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  const hubspot = (displayName: string, token = 'pat-na1-11111111') => ({
    input: { crm: 'hubspot', displayName, credentials: { accessToken: token } },
  });

  it('answers health without a key', async () => {
    const res = await request(gw.url, HealthDocument);
    expect(res.body).toEqual({ data: { health: 'ok' } });
  });

  it('returns the tenant and scope of a valid key', async () => {
    const { tenantId, key } = await gw.tenant('acme', 'read');
    const tenant = await gw.ctx.store.tenants.findById(tenantId);
    const res = await request(gw.url, ViewerDocument, undefined, { key });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.viewer).toEqual({ tenant: { id: tenantId, name: tenant!.name }, scope: 'read' });
  });

  it('is UNAUTHENTICATED (HTTP 401) without a key, before anything runs, as with a bad key', async () => {
    const res = await request(gw.url, ViewerDocument);
    expect(res.status).toBe(401);
    expect(res.body).not.toHaveProperty('data');
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body.errors?.[0]?.message).toMatch(/needs an API key/);
  });

  it('answers 401 with WWW-Authenticate: Bearer for a missing key and a bad key alike', async () => {
    const send = (authorization?: string) =>
      fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ query: '{ health viewer { scope } }' }),
      });
    for (const res of [await send(), await send(`Bearer cgw_abcdefgh_${'x'.repeat(43)}`)]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('sends no ETag with a POST answer (nothing revalidates one), and keeps it on a GET query', async () => {
    const post = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ health }' }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get('etag')).toBeNull();
    expect(post.headers.get('x-powered-by')).toBeNull();
    const get = await fetch(`${gw.url}/graphql?query=${encodeURIComponent('{ health }')}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(await get.json()).toEqual({ data: { health: 'ok' } });
    expect(get.headers.get('etag')).toMatch(/^W\//);
  });

  it('is UNAUTHENTICATED (HTTP 401) with an unknown key, before anything runs', async () => {
    const res = await request(gw.url, HealthDocument, undefined, { key: 'cgw_abcdefgh_' + 'x'.repeat(43) });
    expect(res.status).toBe(401);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers 503 UNAVAILABLE, not 401, when the key cannot be checked (the store does not answer)', async () => {
    const { key } = await gw.tenant('store-down', 'read');
    const failing = { authenticate: () => Promise.reject(new Error('connection refused')) };
    const ctx = { ...gw.ctx, store: { ...gw.ctx.store, apiKeys: failing as unknown as ApiKeysRepository } };
    const server = await startGatewayServer(ctx, { host: '127.0.0.1', port: 0 });
    try {
      const res = await request(server.url, ViewerDocument, undefined, { key });
      expect(res.status).toBe(503);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    } finally {
      await server.close();
    }
  });

  it('refuses a body over 1 MiB with 413 BAD_USER_INPUT', async () => {
    const { key } = await gw.tenant('big-body', 'read');
    const res = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: `{ health } # ${'x'.repeat(2 * 1024 * 1024)}` }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('is FORBIDDEN for a read-only key on a mutation, and nothing is written', async () => {
    const { tenantId, key } = await gw.tenant('reader', 'read');
    const res = await request(gw.url, CreateConnectionDocument, hubspot('nope'), { key });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(res.body.errors?.[0]?.message).toMatch(/read_write/);
    expect(await gw.ctx.store.connections.listForTenant(tenantId)).toEqual([]);
  });

  it("keeps tenants apart: tenant A's key sees none of tenant B's connections", async () => {
    const a = await gw.tenant('tenant-a');
    const b = await gw.tenant('tenant-b');
    const created = await request(gw.url, CreateConnectionDocument, hubspot('B portal'), { key: b.key });
    const bId = created.body.data!.createConnection.id;

    const listA = await request(gw.url, ConnectionsDocument, undefined, { key: a.key });
    expect(listA.body.data?.connections).toEqual([]);
    const listB = await request(gw.url, ConnectionsDocument, undefined, { key: b.key });
    expect(listB.body.data?.connections.map((c) => c.id)).toEqual([bId]);

    // B's id through A's key is indistinguishable from an unknown id.
    const oneA = await request(gw.url, ConnectionDocument, { id: bId }, { key: a.key });
    expect(oneA.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const delA = await request(gw.url, DeleteConnectionDocument, { id: bId }, { key: a.key });
    expect(delA.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await gw.ctx.store.connections.listForTenant(b.tenantId)).map((c) => c.id)).toEqual([bId]);
  });

  it('creates a connection and never echoes its credentials', async () => {
    const { tenantId, key } = await gw.tenant('writer');
    const secret = 'pat-na1-SECRET-4e1d2c9b';
    const res = await request(gw.url, CreateConnectionDocument, hubspot('Main portal', secret), { key });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.createConnection).toMatchObject({
      crm: 'hubspot',
      displayName: 'Main portal',
      status: 'ACTIVE',
    });
    expect(res.text).not.toContain(secret);
    // Stored normalized for the token service, encrypted, and readable by the server only.
    const id = res.body.data!.createConnection.id;
    expect(await gw.ctx.store.connections.getCredentials(id)).toEqual({
      authKind: 'static_token',
      accessToken: secret,
      expiresAt: null,
    });

    const fetched = await request(gw.url, ConnectionDocument, { id }, { key });
    expect(fetched.body.data?.connection.id).toBe(id);
    expect(fetched.text).not.toContain(secret);
    expect((await gw.ctx.store.connections.listForTenant(tenantId)).length).toBe(1);

    const deleted = await request(gw.url, DeleteConnectionDocument, { id }, { key });
    expect(deleted.body.data?.deleteConnection).toEqual({ id, crm: 'hubspot' });
    const again = await request(gw.url, ConnectionDocument, { id }, { key });
    expect(again.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  describe('bad input → BAD_USER_INPUT saying what was expected and what arrived', () => {
    let key: string;
    beforeAll(async () => {
      ({ key } = await gw.tenant('input'));
    });

    it('an unknown CRM kind', async () => {
      const res = await request(
        gw.url,
        CreateConnectionDocument,
        { input: { crm: 'salesfarce', displayName: 'x', credentials: { accessToken: 't' } } },
        { key },
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toMatch(/crm must be one of .*hubspot.*; got "salesfarce"/);
    });

    it('a display name over the length limit (class-validator)', async () => {
      const res = await request(gw.url, CreateConnectionDocument, hubspot('x'.repeat(300)), { key });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toMatch(
        /displayName: .*shorter than or equal to 120 characters; got a string of 300 characters/,
      );
    });

    it('credentials that are not a JSON object', async () => {
      const res = await request(
        gw.url,
        CreateConnectionDocument,
        {
          input: {
            crm: 'hubspot',
            displayName: 'x',
            credentials: 'tok' as unknown as Record<string, unknown>,
          },
        },
        { key },
      );
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toBe(
        'variable $input at input.credentials: expected a JSON object; got a string of 3 characters',
      );
      expect(res.text).not.toContain('tok');
    });

    it('empty credentials', async () => {
      const res = await request(
        gw.url,
        CreateConnectionDocument,
        { input: { crm: 'hubspot', displayName: 'x', credentials: {} } },
        { key },
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toBe('input.credentials must be a non-empty JSON object; got {}');
    });

    it('a field that does not exist', async () => {
      const res = await fetch(`${gw.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: '{ viewer { nope } }' }),
      });
      const body = (await res.json()) as { errors: { extensions: { code: string }; message: string }[] };
      expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors[0]!.message).toBe(
        'Cannot query field "nope" on type "Viewer". Did you mean "scope"?',
      );
    });
  });

  it('NOT_FOUND for unknown and malformed ids', async () => {
    const { key } = await gw.tenant('finder');
    for (const id of ['0123456789abcdef01234567', 'not-an-id']) {
      const res = await request(gw.url, ConnectionDocument, { id }, { key });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(res.body.errors?.[0]?.message).toContain(JSON.stringify(id));
    }
  });
});
