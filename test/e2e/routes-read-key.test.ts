import { OAuthStateStore } from '../../src/connectors/oauth/oauth-state';
import { loadEnv } from '../../src/config/env';
import { type RouteInfo } from '../../src/server/http-server';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * Every route of the public listener besides the GraphQL API itself, called with a read-only key. A
 * route that changes state must refuse it as a GraphQL mutation would (FORBIDDEN, 403); one that only
 * reads may answer. A route this table does not know fails the test until someone classifies it, so a
 * new state-changing route cannot ship open to read keys.
 */
type Expectation =
  | { reads: true; status: number }
  // Authenticated by the vendor's signature, never by an API key (a vendor cannot send one): a key
  // changes nothing, and an empty body is not a delivery.
  | { reads: 'vendor-signed'; status: number }
  | {
      reads: false;
      status: 403;
      code: 'FORBIDDEN';
      prepare?: (gw: TestGateway, keyId: string) => Promise<string>;
    };

/** A state the gateway's own store would accept, issued to the read key (as if it had started a flow). */
async function stateIssuedTo(gw: TestGateway, keyId: string, tenantId: string): Promise<string> {
  const states = new OAuthStateStore({
    redis: gw.ctx.redis,
    prefix: gw.ctx.redisPrefix,
    secret: gw.ctx.keyRing.deriveKey('oauth-state'),
  });
  return states.issue({ tenantId, keyId, crm: 'hubspot', vendorUrls: {} });
}

describe('every non-GraphQL route, with a read key', () => {
  let gw: TestGateway;
  let reader: { tenantId: string; key: string };
  let readerKeyId: string;
  beforeAll(async () => {
    const env = loadEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CRM_OAUTH_APPS: JSON.stringify({ hubspot: { clientId: 'cid', clientSecret: 'secret' } }),
    });
    gw = await startTestGateway({ env, graphiql: true });
    reader = await gw.tenant('routes-reader', 'read');
    readerKeyId = (await gw.ctx.store.apiKeys.listForTenant(reader.tenantId))[0]!.id;
  });
  afterAll(async () => {
    await gw.close();
  });

  const expectations: Record<string, Expectation> = {
    'GET /graphql': { reads: true, status: 200 }, // the GraphiQL page
    'GET /graphiql/assets/:file': { reads: true, status: 404 },
    'GET /console': { reads: true, status: 200 }, // the console's page; its data comes through /graphql
    'GET /console/assets/:file': { reads: true, status: 404 },
    'GET /healthz': { reads: true, status: 200 },
    'GET /readyz': { reads: true, status: 200 },
    'GET /metrics': { reads: true, status: 200 },
    'POST /webhooks/:crm': { reads: 'vendor-signed', status: 400 },
    'GET /oauth/:crm/start': { reads: false, status: 403, code: 'FORBIDDEN' },
    'GET /oauth/:crm/callback': {
      reads: false,
      status: 403,
      code: 'FORBIDDEN',
      prepare: async (g, keyId) => `?code=good-code&state=${await stateIssuedTo(g, keyId, reader.tenantId)}`,
    },
  };

  it('lists the routes it walks', () => {
    const listed = gw.gateway.routes.map((r: RouteInfo) => `${r.method} ${r.path}`);
    const unknown = listed.filter((r) => !(r in expectations));
    expect(unknown).toEqual([]); // classify a new route in `expectations` (does it change state?)
    expect(listed.sort()).toEqual(Object.keys(expectations).sort());
  });

  it('refuses the read key on every route that changes state, and nothing changes', async () => {
    for (const route of gw.gateway.routes) {
      const name = `${route.method} ${route.path}`;
      const expected = expectations[name]!;
      const path = route.path.replace(':crm', 'hubspot').replace(':file', 'nothing.js');
      const query = !expected.reads && expected.prepare ? await expected.prepare(gw, readerKeyId) : '';
      const res = await fetch(`${gw.url}${path}${query}`, {
        method: route.method,
        headers: { authorization: `Bearer ${reader.key}`, accept: 'text/html,application/json' },
        redirect: 'manual',
      });
      const body = await res.text();
      expect({ name, status: res.status }).toEqual({ name, status: expected.status });
      if (!expected.reads)
        expect({ name, code: JSON.parse(body).error.code }).toEqual({ name, code: expected.code });
    }
    expect(await gw.ctx.store.connections.listForTenant(reader.tenantId)).toEqual([]);
    // start issued no state for the read key (the one the callback consumed was the test's own).
    expect(await gw.ctx.redis.keys(`${gw.ctx.redisPrefix}:oauth:state:*`)).toEqual([]);
  });
});
