import { captureLogs } from '../support/log-capture';
import {
  CreateThreeConnectionsDocument,
  DeepViewerDocument,
  ManyAliasesDocument,
  ViewerDocument,
} from './generated/operations';
import { request, startTestGateway, type TestGateway } from './support/gateway';

/**
 * A server with tight limits, so that the small schema of today can break them. "Rejected before any
 * resolver runs" is shown two ways: the response has no `data` key at all (GraphQL over HTTP: a
 * request error happens before execution), and a rejected mutation left nothing in the store.
 */
describe('operation limits over HTTP', () => {
  let gw: TestGateway;
  const logs = captureLogs('info');
  beforeAll(async () => {
    gw = await startTestGateway({
      logger: logs.logger,
      limits: { maxDepth: 2, maxAliases: 3, maxComplexity: 25 },
    });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('lets an operation within the limits through', async () => {
    const { key } = await gw.tenant('ok');
    const res = await request(gw.url, ViewerDocument, undefined, { key });
    // viewer { tenant { id name } scope } is 3 deep: over this server's limit of 2.
    expect(res.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    const shallow = await fetch(`${gw.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ viewer { scope } health }' }),
    });
    expect(await shallow.json()).toEqual({ data: { viewer: { scope: 'read_write' }, health: 'ok' } });
  });

  it('rejects an over-deep query with QUERY_TOO_COMPLEX before any resolver runs', async () => {
    const { key } = await gw.tenant('deep');
    const res = await request(gw.url, DeepViewerDocument, { id: '0123456789abcdef01234567' }, { key });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'depth',
      max: 2,
      actual: 3,
    });
    expect(res.body.errors?.[0]?.message).toBe('DeepViewer is nested 3 levels deep; the limit is 2');
    // Had `connection(id:)` run, there would be a NOT_FOUND error and a `data` key.
    expect(res.body).not.toHaveProperty('data');
    const line = logs.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.operation === 'DeepViewer');
    expect(line).toMatchObject({ result: 'rejected', executed: false });
  });

  it('rejects an over-complex mutation before any resolver runs: nothing is created', async () => {
    const { tenantId, key } = await gw.tenant('complex');
    const input = { crm: 'hubspot', displayName: 'x', credentials: { accessToken: 't' } };
    const res = await request(gw.url, CreateThreeConnectionsDocument, { input }, { key });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'complexity',
      max: 25,
    });
    expect(res.body.errors?.[0]?.message).toMatch(/^CreateThreeConnections costs 33; the limit is 25$/);
    expect(res.body).not.toHaveProperty('data');
    expect(await gw.ctx.store.connections.listForTenant(tenantId)).toEqual([]);
  });

  it('rejects too many aliases', async () => {
    const res = await request(gw.url, ManyAliasesDocument);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: 'aliases',
      actual: 4,
    });
    expect(res.body).not.toHaveProperty('data');
  });
});
