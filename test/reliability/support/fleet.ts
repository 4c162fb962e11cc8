import { type EmbeddedService, freePort, startThrowawayStores } from '../../../src/runtime/services';
import { type RequestLog } from '../../../src/sandbox/core';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process';
import { processEnv } from '../../support/node-process';
import {
  type ReadStack,
  type ReadCrm,
  type ReadStackOptions,
  type ReadTenant,
  smallOrgs,
  startReadStack,
} from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { execOn, type GraphqlExec } from '../../support/write-contract';
import { startWorkerProcess, type WorkerProcess, workerEnv } from '../../support/worker-process';
import {
  type Appendfsync,
  type PrivateRedis,
  startPrivateRedis,
  startPrivateRedisCluster,
} from './private-redis';

/**
 * `REL_REDIS_CLUSTER=1`: the fleet's Redis is a local 3-master cluster (issue 23: scenarios 1, 2 and 6
 * run on one too — `npm run test:reliability:cluster`).
 */
export function onRedisCluster(): boolean {
  return process.env.REL_REDIS_CLUSTER === '1';
}
import { crashStore } from './store-crash';

/**
 * A deployment as issue 23 runs it: gateway and worker processes (dist/bin/*.js, each its own OS
 * process) over one database on the shared MongoDB-wire store and a private Redis with an append-only
 * file, serving one tenant connected to every sandbox. Any process can be `kill -9`ed, SIGTERMed and
 * restarted, and Redis crashed, while the test drives load through the gateways.
 *
 * The sandboxes and one in-process gateway (the read stack's) live in the test process: that gateway
 * only connects the tenant through the OAuth routes, and its context is how a test reads the store.
 * Load goes through `exec(…, gatewayIndex)` to the gateway processes.
 */
export interface Fleet {
  stack: ReadStack;
  tenant: ReadTenant;
  /** The deployment's database name and Redis prefix. */
  name: string;
  redis: PrivateRedis;
  /** The fleet's own MongoDB-wire store, with `privateMongo` (else the shared test store). */
  mongo: EmbeddedService | undefined;
  gateways: GatewayProcess[];
  workers: WorkerProcess[];
  /** The gateway processes' URLs, by index. */
  urls: string[];
  /** A GraphQL request with the tenant's key through gateway process `gatewayIndex`. */
  exec(query: string, variables?: Record<string, unknown>, gatewayIndex?: number): ReturnType<GraphqlExec>;
  /** {@link Fleet.exec} on one gateway, in the shape the write checks take. */
  client(gatewayIndex: number): GraphqlExec;
  /** Every request the CRM's sandbox logged for the tenant's org (OAuth and API; admin routes are not logged). */
  sandboxLog(crm: ReadCrm): RequestLog;
  /** A call to the CRM sandbox's admin API (`/__sandbox/orgs/default<path>`), e.g. `POST /tokens/expire`. */
  sandboxAdmin(crm: ReadCrm, method: string, path: string, body?: unknown): Promise<unknown>;
  /** SIGKILL worker `i` and start a new one on the same environment. */
  crashWorker(i: number): Promise<void>;
  /** SIGKILL Redis and start it again from its AOF, after `downMs` down. */
  crashRedis(downMs?: number): Promise<void>;
  /** SIGKILL the private MongoDB-wire store and start it again on its files after `downMs` down. */
  crashMongo(downMs?: number): Promise<void>;
  /** Every process's last output, labelled: what a failing scenario prints. */
  output(): string;
  close(): Promise<void>;
}

export interface FleetOptions {
  /** Prefix of the database name and Redis prefix (made unique). */
  prefix: string;
  /** Gateway processes. @defaultValue 2 */
  gateways?: number;
  /** Worker processes. @defaultValue 3 */
  workers?: number;
  /** @defaultValue 'always' (see {@link Appendfsync}) */
  appendfsync?: Appendfsync;
  /** Sandbox orgs; small ones (a handful of records per CRM) by default. */
  orgs?: ReadStackOptions['orgs'];
  /** Settings every process gets besides the stack's (e.g. a shorter lock TTL). */
  env?: Record<string, string>;
  /**
   * A MongoDB-wire store of the fleet's own (a FerretDB on its own port and files) instead of the
   * shared test store, so a scenario can kill it and start it again without touching other files.
   */
  privateMongo?: boolean;
}

export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const redis = onRedisCluster()
    ? await startPrivateRedisCluster()
    : await startPrivateRedis(options.appendfsync ?? 'always');
  const cleanups: (() => Promise<void>)[] = [() => redis.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  };
  try {
    const mongoStores = options.privateMongo
      ? await startThrowawayStores(options.prefix, { redisUrl: redis.url })
      : undefined;
    if (mongoStores) cleanups.push(() => mongoStores.stop());
    const mongo = mongoStores?.started.find((s) => s.name === 'mongodb');
    const mongodbUri = mongoStores?.mongodbUri ?? testStoreUrls().mongodbUri;
    const name = uniqueName(options.prefix);
    const keys = KeyRing.generateSpec('rel');
    const stack = await startReadStack({
      mongodbUri,
      redisUrl: redis.url,
      name,
      orgs: options.orgs ?? smallOrgs(['default'], 3),
      keyRing: KeyRing.parse(keys),
      env: options.env,
    });
    cleanups.unshift(() => stack.close());
    const tenant = await stack.tenant('reliability');
    // Creates are sent as upserts on the gateway key (valued with the operation id), so one a crash
    // interrupted is resent safely instead of ending OUTCOME_UNKNOWN (docs/writes.md "Exactly once").
    const sf = await stack.ctx.store.connections.getById(tenant.connections.salesforce);
    await stack.ctx.store.connections.update(sf.id, {
      settings: { ...sf.settings, gatewayKeyField: 'External_Id__c' },
    });
    const stores = { mongodbUri, redisUrl: redis.url, name, credentialsKeys: keys };
    const gateways: GatewayProcess[] = [];
    const workers: WorkerProcess[] = [];
    cleanups.unshift(async () => {
      await Promise.all([...gateways, ...workers].map((p) => p.stop()));
    });
    const ports = await Promise.all(Array.from({ length: options.gateways ?? 2 }, () => freePort()));
    // Started together, as an orchestrator would: each start is seconds of module loading.
    await Promise.all([
      ...ports.map(async (port) => {
        gateways.push(await startGatewayProcess(processEnv(stack.gatewayEnv(port), stores)));
      }),
      ...Array.from({ length: options.workers ?? 3 }, async () => {
        workers.push(await startWorkerProcess(workerEnv(stack.gatewayEnv(0), stores)));
      }),
    ]);
    // In port order, so gateway i is the same process for the whole run whatever started first.
    gateways.sort(
      (a, b) => ports.indexOf(Number(new URL(a.url).port)) - ports.indexOf(Number(new URL(b.url).port)),
    );
    const execs = new Map<string, GraphqlExec>();
    const execFor = (url: string) => {
      if (!execs.has(url)) execs.set(url, execOn(url, tenant.key));
      return execs.get(url)!;
    };
    const gatewayAt = (i: number): GraphqlExec => {
      const gateway = gateways[i];
      if (!gateway) throw new Error(`no gateway ${i}: the fleet has ${gateways.length}`);
      const exec = execFor(gateway.url);
      // A refused or cut request says whether the gateway process is still there, and what it printed.
      return (query, variables) =>
        exec(query, variables).catch((err: unknown) => {
          const state = gateway.running ? 'running' : 'not running';
          throw new Error(
            `gateway ${i} (${state}, pid ${gateway.pid}): ${err instanceof Error ? `${err.message} (${String(err.cause)})` : String(err)}\n${gateway.output().slice(-3000)}`,
            { cause: err },
          );
        });
    };
    return {
      stack,
      tenant,
      name,
      redis,
      mongo,
      gateways,
      workers,
      get urls() {
        return gateways.map((g) => g.url);
      },
      exec: (query, variables = {}, gatewayIndex = 0) => gatewayAt(gatewayIndex)(query, variables),
      client: (gatewayIndex) => gatewayAt(gatewayIndex),
      sandboxLog: (crm) => stack.sandboxes.sandboxes[crm]!.server.org('default').log,
      async sandboxAdmin(crm, method, path, body) {
        const res = await fetch(`${stack.sandboxes.sandboxes[crm]!.baseUrl}/__sandbox/orgs/default${path}`, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: ${res.status} ${text}`);
        return text ? (JSON.parse(text) as unknown) : undefined;
      },
      async crashWorker(i) {
        await workers[i]!.kill9();
        await workers[i]!.restart();
      },
      crashRedis: (downMs) => redis.crash(downMs),
      async crashMongo(downMs) {
        if (!mongo) throw new Error('crashMongo() needs a fleet started with privateMongo');
        await crashStore(mongo, downMs);
      },
      output() {
        const label = (kind: string, list: { output(): string }[]) =>
          list.map((p, i) => `--- ${kind} ${i} ---\n${p.output().slice(-3000)}`);
        return [...label('gateway', gateways), ...label('worker', workers)].join('\n');
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * A fleet for the calling test file: started before its tests (Jest's beforeAll), closed after them.
 * The returned function gives the started fleet.
 */
export function fleetForFile(options: FleetOptions): () => Fleet {
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    fleet = await startFleet(options);
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
  });
  return () => {
    if (!fleet) throw new Error('the fleet did not start (see the beforeAll error)');
    return fleet;
  };
}
