/**
 * `npm run bench:reads`: the canonical read path against the sandboxes.
 * - `reads.calls.*`: vendor data calls (from the sandboxes' request logs) for
 *   `contacts(first: 100) { deals { contacts } }` and a 500-id `contactsByRemoteIds`, beside
 *   `reads.calls_min.*` (⌈N / readBatch⌉ per level, N counted from the response, readBatch from
 *   src/connectors/<crm>/declaration.ts) and `reads.calls_nodataloader.*` (the same resolvers with the
 *   loaders' batching and caching off); Salesforce under the plain names, the others with a `.<crm>`
 *   suffix (`.hubspot`, `.dynamics`).
 *   Metadata calls (property lists, pipelines, describes, Salesforce's org currency: what the mapping,
 *   the stage → status table and deal currencies need, once per connection, not what the query reads) are not in `reads.calls.*`; `reads.calls_metadata.*` prints them.
 * - `reads.overhead.*`: rps and p99 of a read that makes no vendor call (`fieldMapping`: API-key check,
 *   connection and mapping from the store) through the gateway, beside `reads.bare_apollo.*`: a bare
 *   @apollo/server on the same express integration, serving schema/schema.graphql from SDL with plain
 *   resolvers that do the same store reads, with the gateway's Apollo settings that cost per request
 *   (no cache-control plugin, no APQ) so only the gateway's own work differs.
 * - `reads.hot.*`: the same gateway rounds read against `reads.apollo_static.*`, a bare @apollo/server
 *   answering `fieldMapping` from memory (bench/support/static-apollo.ts: the ceiling of this stack);
 *   `reads.hot.store_calls_per_op`: MongoDB commands the gateway's process started per request over
 *   its rounds (driver command monitoring; warm-up requests counted on both sides).
 *   `reads.hot.cpu_us_per_op` / `reads.apollo_static.cpu_us_per_op`: CPU the servers' process used per
 *   request while only that server had load, and `reads.hot.cpu_share_of_static` their ratio (static ÷
 *   gateway): the throughput share the gateway would have if both were CPU-bound, which other work on a
 *   shared machine disturbs far less than it does the rps of a 4-second run.
 * - `reads.e2e.overhead_ms.p50` / `.p99`: `contacts(first: 100) { deals { contacts } }` on Salesforce,
 *   one at a time, to a gateway in its own process (as a vendor is never in the gateway's heap; the
 *   sandboxes and the client stay here), the gateway's latency minus the time the sandboxes spent on the calls of its
 *   critical path (the union of the logged calls' busy intervals: parallel batches count once);
 *   `reads.e2e.store_calls_per_op`: the MongoDB commands its gateway started per such request, and
 *   `reads.e2e.gateway_cpu_ms_per_op` the CPU its process used per request (bench/support/e2e-overhead.ts
 *   says what is counted as the vendor's time and why).
 * A request that fails (in a call figure or in any load round) fails the bench: no figure is printed
 * from a run that did not do the work it claims.
 * Both servers run in one child process so the load generator does not share their event loop;
 * stores are embedded (or MONGODB_URI / REDIS_URL), traffic stays on loopback, bounded in time.
 *   --connections=N  concurrent HTTP clients (default 16)   --seconds=N  per measured run (default 4)
 *   --rounds=N       interleaved rounds per server, the median counts (default 7); each share is the
 *                    median of the rounds' own gateway/peer ratios   --samples=N  e2e requests (default 60)
 *   --e2e-only       only the `reads.e2e.*` figures (for profiling the nested read: `node --cpu-prof`
 *                    profiles the gateway's own process too)
 *   --hot-only       only the `reads.e2e.*`, `reads.overhead.*`, `reads.hot.*` and `reads.apollo_static.*`
 *                    figures: no call counts, no `reads.hot_token.*` (for measuring the hot path's changes)
 */
import 'reflect-metadata';
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { CRMS } from '../src/connectors/registry';
import { loadEnv } from '../src/config/env';
import { type CrmObject } from '../src/connectors/types';
import { createGatewayPubSub } from '../src/events/pubsub';
import { createLoaders } from '../src/graphql/loaders';
import { toFieldMappingView } from '../src/graphql/mapping/mapping.resolver';
import { createRequestContext, type RequestContext } from '../src/graphql/request-context';
import { buildGatewaySchema } from '../src/graphql/schema';
import { createLogger } from '../src/logger';
import { storedMappingSource } from '../src/reads/mappings';
import { createAppContext } from '../src/runtime/context';
import { freePort, startThrowawayStores } from '../src/runtime/services';
import { KeyRing } from '../src/security/credentials-cipher';
import { authenticate } from '../src/server/auth';
import { formatGatewayError } from '../src/server/format-error';
import { startGatewayServer } from '../src/server/http-server';
import { METADATA_ROUTES } from '../test/e2e/support/crm-scenarios';
import { READ_CRMS, type ReadCrm, type ReadStack, startReadStack } from '../test/support/read-stack';
import { e2eOverhead } from './support/e2e-overhead';
import { arg, type Exec, execOn, runBench } from './support/bench-cli';
import {
  GATEWAY_CHILD_FLAG,
  type ChildCounters,
  childCounters,
  serveGatewayChild,
  startGatewayProcess,
} from './support/gateway-process';
import { hotTokenFigures } from './support/hot-token';
import { type LoadResult, postLoad } from './support/http-load';
import { REQUEST_LIMITS_OFF } from './support/request-limits';
import { startStaticApollo } from './support/static-apollo';

const ROOT = path.resolve(__dirname, '../../..');
const E2E_ONLY = process.argv.includes('--e2e-only');
const HOT_ONLY = process.argv.includes('--hot-only');

/** Salesforce's org currency (`SELECT DefaultCurrencyIsoCode FROM Organization`): per connection, cached. */
const METADATA_QUERIES = /FROM(\+|%20| )Organization\b/i;
const NESTED = `query Nested($c: ID!) { contacts(connectionId: $c, first: 100) {
  nodes { remoteId deals { remoteId contacts { remoteId } } } } }`;
const LOOKUP = `query Lookup($c: ID!, $ids: [String!]!) { contactsByRemoteIds(connectionId: $c, remoteIds: $ids) { remoteId email } }`;
const PAGE = `query Page($c: ID!, $after: String) { contacts(connectionId: $c, first: 100, after: $after) {
  nodes { remoteId } pageInfo { endCursor hasNextPage } } }`;

interface NestedData {
  contacts: {
    nodes: { remoteId: string; deals: { remoteId: string; contacts: { remoteId: string }[] }[] }[];
  };
}

/**
 * ⌈N / batch⌉ per level of the nested query, N read off the response (listed contacts are primed); the
 * contacts' deals by the CRM's `batch.contactDeals` where its API reads fewer at once (Pipedrive: one
 * deals list per person, the minimum it allows).
 */
function nestedMinimum(data: NestedData, batch: number, contactDealsBatch: number): number {
  const listed = new Set(data.contacts.nodes.map((c) => c.remoteId));
  const deals = new Set(data.contacts.nodes.flatMap((c) => c.deals.map((d) => d.remoteId)));
  const more = new Set(
    data.contacts.nodes.flatMap((c) => c.deals.flatMap((d) => d.contacts.map((x) => x.remoteId))),
  );
  for (const id of listed) more.delete(id);
  const up = (n: number) => Math.ceil(n / batch);
  return 1 + Math.ceil(listed.size / contactDealsBatch) + up(deals.size) + up(deals.size) + up(more.size);
}

/** Vendor calls since the last clear: data calls (what `reads.calls.*` counts) and metadata calls. */
function callsOf(stack: ReadStack, crm: ReadCrm): { data: number; metadata: number } {
  const out = { data: 0, metadata: 0 };
  for (const e of stack.callEntries(crm)) {
    if (METADATA_ROUTES.test(e.route) || METADATA_QUERIES.test(e.url)) out.metadata += 1;
    else out.data += 1;
  }
  return out;
}

async function callFigures(mongodbUri: string, redisUrl: string): Promise<void> {
  const name = `benchreads_${process.pid}`;
  const ringKey = crypto.randomBytes(32);
  const stack = await startReadStack({
    mongodbUri,
    redisUrl,
    name,
    orgs: {
      salesforce: [{ id: 'default', seed: 5, counts: { Contact: 600, Opportunity: 300, Account: 40 } }],
      hubspot: [{ id: 'default', seed: 5, counts: { contacts: 600, deals: 300 } }],
      dynamics: [{ id: 'default', seed: 5, counts: { contact: 600, opportunity: 300, account: 40 } }],
      pipedrive: [{ id: 'default', seed: 5, counts: { persons: 600, deals: 300 } }],
    },
    env: { GRAPHQL_MAX_COMPLEXITY: '100000' },
    keyRing: new KeyRing([{ kid: 'k', key: ringKey }]),
  });
  const pubsub = createGatewayPubSub({
    redis: stack.ctx.redis,
    redisPrefix: stack.ctx.redisPrefix,
    logger: stack.ctx.logger,
  });
  const plain = new ApolloServer<RequestContext>({
    schema: await buildGatewaySchema(),
    formatError: formatGatewayError,
  });
  await plain.start();
  try {
    const tenant = await stack.tenant('bench', 'read');
    const overHttp = execOn(stack.url, tenant.key);
    // The same schema and resolvers, with the read loaders' batching and caching off.
    const auth = { keyId: 'bench', tenantId: tenant.tenantId, scope: 'read' as const };
    const unbatched: Exec = async (query, variables) => {
      // Assigned, not spread: the context's logger is a prototype getter a spread would drop.
      const contextValue = Object.assign(createRequestContext({ app: stack.ctx, pubsub }, auth), {
        loaders: createLoaders({ app: stack.ctx, auth, reads: { batching: false } }),
      });
      const res = await plain.executeOperation({ query, variables }, { contextValue });
      return (res.body.kind === 'single' ? res.body.singleResult : {}) as Record<string, unknown>;
    };
    const run = async (crm: ReadCrm, exec: Exec, query: string, variables: Record<string, unknown>) => {
      stack.clearLogs();
      const body = await exec(query, variables);
      if (body.errors) throw new Error(`${crm}: ${JSON.stringify(body.errors).slice(0, 400)}`);
      return { data: body.data, calls: callsOf(stack, crm) };
    };
    /** `reads.<kind>.<figure>` for the data calls, `reads.<kind>_metadata.<figure>` for the rest. */
    const print = (kind: string, figure: string, calls: { data: number; metadata: number }) => {
      console.log(`BENCH reads.${kind}.${figure} ${calls.data} calls`);
      console.log(`BENCH reads.${kind}_metadata.${figure} ${calls.metadata} calls`);
    };

    for (const crm of E2E_ONLY || HOT_ONLY ? [] : READ_CRMS) {
      const c = tenant.connections[crm];
      const suffix = crm === 'salesforce' ? '' : `.${crm}`;
      const ids: string[] = [];
      for (let after: string | null = null; ids.length < 500;) {
        const body = await overHttp(PAGE, { c, after });
        if (body.errors) throw new Error(`${crm} page: ${JSON.stringify(body.errors).slice(0, 400)}`);
        const page = (
          body.data as { contacts: { nodes: { remoteId: string }[]; pageInfo: { endCursor: string } } }
        ).contacts;
        ids.push(...page.nodes.map((n) => n.remoteId));
        after = page.pageInfo.endCursor;
      }
      const lookupIds = ids.slice(0, 500);
      const readBatch = CRMS[crm].batch.read;
      const contactDealsBatch = CRMS[crm].batch.contactDeals ?? readBatch;
      const nested = await run(crm, overHttp, NESTED, { c });
      const lookup = await run(crm, overHttp, LOOKUP, { c, ids: lookupIds });
      print('calls', `contacts100_deals_contacts${suffix}`, nested.calls);
      console.log(
        `BENCH reads.calls_min.contacts100_deals_contacts${suffix} ${nestedMinimum(nested.data as NestedData, readBatch, contactDealsBatch)} calls`,
      );
      print('calls', `lookup500${suffix}`, lookup.calls);
      console.log(`BENCH reads.calls_min.lookup500${suffix} ${Math.ceil(500 / readBatch)} calls`);
      // HubSpot's rolling limit (100–190 calls per 10 s) cannot take hundreds of unbatched calls: the
      // unbatched figures are measured on Salesforce only.
      if (crm === 'salesforce') {
        const n1 = await run(crm, unbatched, NESTED, { c });
        print('calls_nodataloader', 'contacts100_deals_contacts', n1.calls);
        const n2 = await run(crm, unbatched, LOOKUP, { c, ids: lookupIds });
        print('calls_nodataloader', 'lookup500', n2.calls);
      }
    }
    // The e2e figure is taken on a gateway in its own process (bench/support/gateway-process.ts).
    const gateway = await startGatewayProcess(__filename, {
      env: stack.gatewayEnv(await freePort()),
      keyBase64: ringKey.toString('base64'),
      mongodbUri,
      redisUrl,
      name,
    });
    try {
      await e2eOverhead(
        {
          stack,
          exec: execOn(gateway.url, tenant.key),
          storeCommands: () => gateway.storeCommands(),
          cpuMs: () => gateway.cpuMs(),
          userCpuMs: () => gateway.userCpuMs(),
        },
        NESTED,
        { c: tenant.connections.salesforce },
        arg('samples', 60),
      );
    } finally {
      await gateway.close();
    }
  } finally {
    await plain.stop();
    await pubsub.close();
    await stack.close();
  }
}

/** The servers of a load round: the gateway, bare Apollo with the same store reads, Apollo from memory. */
const PEERS = ['gateway', 'bare', 'static'] as const;
type Peer = (typeof PEERS)[number];

interface OverheadTarget {
  gatewayUrl: string;
  bareUrl: string;
  staticUrl: string;
  key: string;
  connectionId: string;
}

/** Child side: the gateway and the bare Apollo server on the same stores; reports and waits. */
async function serve(): Promise<void> {
  const env = loadEnv({
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    ...REQUEST_LIMITS_OFF,
  });
  const ctx = await createAppContext({
    env,
    logger: createLogger({ level: 'silent' }),
    keyRing: new KeyRing([{ kid: 'bench', key: Buffer.alloc(32, 3) }]),
    dbName: `benchreads_${process.pid}`,
  });
  const tenant = await ctx.store.tenants.create(`bench-${Date.now()}`);
  const { key } = await ctx.store.apiKeys.create(tenant.id, 'bench', 'read');
  // fieldMapping reads only the store: the connection's credentials are never used.
  const connection = await ctx.store.connections.create({
    tenantId: tenant.id,
    crm: 'salesforce',
    displayName: 'bench',
    credentials: { authKind: 'oauth2_code', accessToken: 'unused' },
  });
  const gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port: 0 });
  process.on('message', () => process.send?.(childCounters()));

  const mappings = storedMappingSource(ctx.store.fieldMappings);
  const typeDefs = fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8');
  const view = toFieldMappingView(
    connection.id,
    await mappings.effective(connection.crm, connection.id, 'contact'),
  );
  const staticApollo = await startStaticApollo(typeDefs, view);
  const bare = new ApolloServer<{ tenantId: string | null }>({
    typeDefs,
    // As the gateway (src/server/http-server.ts): neither sets cache hints nor takes persisted queries,
    // so both skip the work; otherwise bare Apollo would pay for plugins the gateway turned off.
    persistedQueries: false,
    plugins: [ApolloServerPluginCacheControlDisabled()],
    resolvers: {
      Query: {
        fieldMapping: async (
          _root: unknown,
          args: { connectionId: string; object: 'CONTACT' | 'DEAL' },
          context: { tenantId: string | null },
        ) => {
          if (!context.tenantId) throw new Error('unauthenticated');
          const object: CrmObject = args.object === 'CONTACT' ? 'contact' : 'deal';
          const conn = await ctx.store.connections.getForTenant(context.tenantId, args.connectionId);
          return toFieldMappingView(conn.id, await mappings.effective(conn.crm, conn.id, object));
        },
      },
    },
  });
  await bare.start();
  const app = express();
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(bare, {
      context: async ({ req }) => ({
        tenantId: (await authenticate(req.headers.authorization, ctx.store.apiKeys))?.tenantId ?? null,
      }),
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({
    gatewayUrl: `${gateway.url}/graphql`,
    bareUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    staticUrl: staticApollo.url,
    key,
    connectionId: connection.id,
  } satisfies OverheadTarget);
}

async function overheadFigures(mongodbUri: string, redisUrl: string): Promise<void> {
  const connections = arg('connections', 16);
  const seconds = arg('seconds', 4);
  const child = fork(__filename, ['--serve'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, MONGODB_URI: mongodbUri, REDIS_URL: redisUrl },
  });
  try {
    const target = await new Promise<OverheadTarget>((resolve, reject) => {
      child.once('message', (m) => resolve(m as OverheadTarget));
      child.once('exit', (code) => reject(new Error(`server child exited with ${String(code)}`)));
    });
    const body = JSON.stringify({
      query:
        'query M($c: ID!) { fieldMapping(connectionId: $c, object: CONTACT) { version fields { canonical native source } } }',
      variables: { c: target.connectionId },
    });
    const headers = { authorization: `Bearer ${target.key}` };
    // Interleaved rounds, so drift on a shared machine hits every server alike; the median round counts.
    const urls: Record<Peer, string> = {
      gateway: target.gatewayUrl,
      bare: target.bareUrl,
      static: target.staticUrl,
    };
    const rounds = arg('rounds', 7);
    const runs: Record<Peer, LoadResult[]> = { gateway: [], bare: [], static: [] };
    const counters = () =>
      new Promise<ChildCounters>((resolve) => {
        child.once('message', (m) => resolve(m as ChildCounters));
        child.send('counters');
      });
    let gatewayCommands = 0;
    // CPU of the child per request, per server: only one server has load at a time.
    const cpuMs: Record<Peer, number> = { gateway: 0, bare: 0, static: 0 };
    for (let i = 0; i < rounds; i++) {
      for (const server of PEERS) {
        const before = await counters();
        const result = await postLoad(urls[server], body, headers, connections, seconds);
        const after = await counters();
        if (server === 'gateway') gatewayCommands += after.storeCommands - before.storeCommands;
        cpuMs[server] += after.cpuMs - before.cpuMs;
        // A failed request is cheap (an error answer) and would flatter the rps: no figures then.
        if (result.failed > 0) {
          throw new Error(`round ${i + 1}: ${result.failed} requests to the ${server} server failed`);
        }
        runs[server].push(result);
      }
    }
    const median = (rs: LoadResult[]) => [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;
    // Each share is the median of each round's own ratio: the runs of a round are back to back, so
    // drift of the shared machine (and of the store both read) cancels within the round.
    const share = (peer: Peer) => {
      const ratios = runs.gateway.map((r, i) => r.rps / runs[peer][i]!.rps).sort((x, y) => x - y);
      return (100 * ratios[Math.floor(ratios.length / 2)]!).toFixed(1);
    };
    const g = median(runs.gateway);
    const b = median(runs.bare);
    const st = median(runs.static);
    const gatewayRequests = runs.gateway.reduce((n, r) => n + r.sent, 0);
    console.log(`BENCH reads.overhead.rps ${Math.round(g.rps)} req/s`);
    console.log(`BENCH reads.overhead.p99_ms ${g.p99.toFixed(2)} ms`);
    console.log(`BENCH reads.bare_apollo.rps ${Math.round(b.rps)} req/s`);
    console.log(`BENCH reads.bare_apollo.p99_ms ${b.p99.toFixed(2)} ms`);
    console.log(`BENCH reads.overhead.share_of_bare ${share('bare')} %`);
    console.log(`BENCH reads.hot.rps ${Math.round(g.rps)} req/s`);
    console.log(`BENCH reads.hot.p99_ms ${g.p99.toFixed(2)} ms`);
    console.log(`BENCH reads.apollo_static.rps ${Math.round(st.rps)} req/s`);
    console.log(`BENCH reads.apollo_static.p99_ms ${st.p99.toFixed(2)} ms`);
    console.log(`BENCH reads.hot.share_of_static ${share('static')} %`);
    console.log(
      `BENCH reads.hot.store_calls_per_op ${(gatewayCommands / gatewayRequests).toFixed(2)} commands`,
    );
    const cpuPerOp = (peer: Peer) => cpuMs[peer] / runs[peer].reduce((n, r) => n + r.sent, 0);
    console.log(`BENCH reads.hot.cpu_us_per_op ${(1000 * cpuPerOp('gateway')).toFixed(0)} us`);
    console.log(`BENCH reads.apollo_static.cpu_us_per_op ${(1000 * cpuPerOp('static')).toFixed(0)} us`);
    console.log(
      `BENCH reads.hot.cpu_share_of_static ${((100 * cpuPerOp('static')) / cpuPerOp('gateway')).toFixed(1)} %`,
    );
    const { gatewayUrl: url, key, connectionId } = target;
    if (!HOT_ONLY) await hotTokenFigures({ url, body, key, connectionId, connections, seconds, rounds });
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const stores = await startThrowawayStores('bench-reads', {
    mongodbUri: process.env.MONGODB_URI,
    redisUrl: process.env.REDIS_URL,
  });
  try {
    await callFigures(stores.mongodbUri, stores.redisUrl);
    if (!E2E_ONLY) await overheadFigures(stores.mongodbUri, stores.redisUrl);
  } finally {
    await stores.stop();
  }
}

if (process.argv.includes(GATEWAY_CHILD_FLAG)) {
  serveGatewayChild();
} else if (process.argv.includes('--serve')) {
  // Exit normally when the parent ends the child, so `node --cpu-prof` writes the child's profile too.
  process.once('SIGTERM', () => process.exit(0));
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  runBench(main);
}
