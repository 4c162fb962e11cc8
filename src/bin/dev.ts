import 'reflect-metadata';
import { childProcessEnv, env as processEnv } from '../config/env';
import { createLogger } from '../logger';
import { createAppContext } from '../runtime/context';
import { bootstrapDemo } from '../runtime/demo';
import { connectDemoSandboxes } from '../runtime/demo-connections';
import { demoDefaultVendorUrls } from '../runtime/demo-vendor-urls';
import { clearRuntimeInfo, type RuntimeInfo, writeRuntimeInfo } from '../runtime/local-stores';
import { startEntryPoint, type ManagedProcess } from '../runtime/processes';
import { DEFAULT_RESTART_POLICY, freePort, startStores, superviseServices } from '../runtime/services';
import { onShutdown } from '../runtime/shutdown';
import { type RunningSandboxes, startAllSandboxes } from '../sandbox';
import { loadKeyRing } from '../security/key-ring';
import { redisEnvOf } from '../redis/address';

/**
 * `npm start`: the whole demo in one terminal. Embedded stores (unless MONGODB_URI / REDIS_URL), the
 * vendor sandboxes, a gateway and a worker as child processes, and a demo tenant connected to every
 * sandbox through the real OAuth flow. Ctrl-C stops all of it; data stays under DATA_DIR.
 *
 * Never half alive: an embedded store that crashes is started again on the same port (bounded by
 * DEFAULT_RESTART_POLICY), and one that keeps crashing — or a gateway or worker that exits — stops
 * everything with a message and exit code 1.
 */
/** Where the sandboxes listen: the demo connections' vendor URL overrides are allowed for these. */
const DEMO_SANDBOX_ORIGINS = 'http://127.0.0.1:*';

async function main(): Promise<void> {
  const env = processEnv();
  const logger = createLogger({ level: env.LOG_LEVEL, name: 'dev' });
  // Generate the dev credentials key here, once, before two children could race to do it.
  const keyRing = loadKeyRing(env, logger);

  const stores = await startStores({
    mongodbUri: env.MONGODB_URI,
    redisUrl: env.redisAddress,
    dataDir: env.dataDir,
    persistent: true,
  });
  const children: ManagedProcess[] = [];
  let sandboxes: RunningSandboxes | undefined = undefined; // set once they run; stopAll may come first
  let gatewayUrl: string | undefined;
  let demoSettings: RuntimeInfo['demo'] = undefined; // set once the sandboxes run
  // runtime.json names every process of ours; written again when a store restarts with a new pid.
  const recordRuntime = (): void =>
    writeRuntimeInfo(env, {
      pid: process.pid,
      mongodbUri: stores.mongodbUri,
      redisUrl: stores.redisUrl,
      gatewayUrl,
      pids: [...stores.started.map((s) => s.pid), ...children.map((c) => c.child.pid)].filter(
        (pid): pid is number => pid !== undefined,
      ),
      storePids: Object.fromEntries(
        stores.started.flatMap((s) => (s.pid === undefined ? [] : [[s.name, s.pid]])),
      ),
      demo: demoSettings,
    });

  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      stopSupervising();
      await Promise.all(children.splice(0).map((c) => c.stop()));
      await sandboxes?.close();
      await stores.stop();
      clearRuntimeInfo(env);
    })());
  /** Stops everything and exits 1, saying why on stderr whatever LOG_LEVEL is. */
  const failAll = (reason: string): void => {
    logger.error(reason);
    console.error(`npm start: ${reason}. Stopping everything.`);
    void stopAll().finally(() => process.exit(1));
  };
  // Supervised from here on: a store that crashes while the rest starts is restarted too.
  const stopSupervising = superviseServices(stores.started, DEFAULT_RESTART_POLICY, {
    restarted: (service, crash) => {
      logger.warn(
        {
          store: service.name,
          url: service.url,
          crashedPid: crash.pid,
          code: crash.code,
          signal: crash.signal,
          newPid: service.pid,
        },
        `the embedded ${service.name} stopped unexpectedly and was started again on the same port`,
      );
      recordRuntime();
    },
    gaveUp: (_service, reason) => failAll(reason),
  });
  onShutdown(logger, env.SHUTDOWN_TIMEOUT_MS + 10000, stopAll);
  recordRuntime();

  sandboxes = await startAllSandboxes({ basePort: env.SANDBOX_BASE_PORT }).catch(async (err: unknown) => {
    await stopAll();
    throw err;
  });

  // The sandboxes' demo OAuth apps are our OAuth apps in the demo; their URLs are allowed overrides.
  const oauthApps = Object.fromEntries(
    Object.values(sandboxes.sandboxes).map((s) => {
      const creds = s.credentials.default ?? Object.values(s.credentials)[0] ?? {};
      return [s.vendor, { clientId: String(creds.clientId), clientSecret: String(creds.clientSecret) }];
    }),
  );
  // The same settings go to runtime.json, for a gateway or worker started beside us (withRunningDemoSettings).
  // A plain /oauth/<crm>/start in the demo goes to the sandbox's authorize page.
  const defaultVendorUrls = demoDefaultVendorUrls(Object.values(sandboxes.sandboxes));
  demoSettings = { vendorUrlAllowlist: [DEMO_SANDBOX_ORIGINS], oauthApps, defaultVendorUrls };
  recordRuntime();
  // OAuth callbacks need the gateway's real address before it starts, so "any port" is decided here —
  // as late as possible: another process may take a port found free before it is listened on, and the
  // stores and sandboxes above take seconds to start.
  const port = env.PORT === 0 ? await freePort() : env.PORT;
  const childEnv = childProcessEnv({
    MONGODB_URI: stores.mongodbUri,
    ...redisEnvOf(stores.redisUrl),
    PORT: String(port),
    CRM_OAUTH_APPS: JSON.stringify({ ...oauthApps, ...env.CRM_OAUTH_APPS }),
    CRM_DEFAULT_VENDOR_URLS: JSON.stringify({ ...defaultVendorUrls, ...env.CRM_DEFAULT_VENDOR_URLS }),
    ALLOW_VENDOR_URL_OVERRIDES: 'true',
    VENDOR_URL_ALLOWLIST: [...env.VENDOR_URL_ALLOWLIST, DEMO_SANDBOX_ORIGINS].join(','),
  });
  const onChildExit = (name: string) => (code: number | null, signal: NodeJS.Signals | null) =>
    failAll(`the ${name} exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`);
  const gateway = startEntryPoint('gateway', childEnv, onChildExit('gateway'));
  const worker = startEntryPoint('worker', childEnv, onChildExit('worker'));
  children.push(gateway, worker);

  const ctx = await createAppContext({
    env,
    logger,
    keyRing,
    mongodbUri: stores.mongodbUri,
    redisUrl: stores.redisUrl,
    name: 'dev',
  });
  let demoLines: string[];
  let connected: Awaited<ReturnType<typeof connectDemoSandboxes>>;
  try {
    const demo = await bootstrapDemo(ctx.store);
    demoLines = demo.lines;
    const [ready] = await Promise.all([gateway.ready, worker.ready]);
    gatewayUrl = ready.url!;
    connected = await connectDemoSandboxes({
      store: ctx.store,
      tenantId: demo.tenantId,
      gatewayUrl,
      sandboxes,
    });
  } finally {
    await ctx.close();
  }
  recordRuntime();

  const embedded = (name: string): string =>
    stores.started.some((s) => s.name === name) ? 'embedded' : 'external';
  const lines = [
    '',
    'crm-gateway is running:',
    `  gateway     ${gatewayUrl}/graphql  (GraphiQL in a browser; /healthz /readyz /metrics)`,
    `  worker      1 process`,
    `  MongoDB     ${embedded('mongodb')} ${stores.mongodbUri}`,
    `  Redis       ${embedded('redis')} ${stores.redisUrl}`,
    `  data        ${env.dataDir}`,
    ...Object.values(sandboxes.sandboxes).flatMap((s) => [
      `  sandbox     ${s.vendor.padEnd(11)} ${s.baseUrl}  (admin: ${s.baseUrl}/__sandbox/orgs)`,
      // The org listing has no secrets; each org's demo OAuth app and login are behind their own route.
      ...Object.keys(s.credentials).map(
        (org) => `              credentials ${s.baseUrl}/__sandbox/orgs/${org}/credentials`,
      ),
    ]),
    ...demoLines,
    ...connected.map(
      (c) => `  connection  ${c.crm.padEnd(11)} ${c.connectionId} (${c.change.toLowerCase()})`,
    ),
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error('npm start failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
