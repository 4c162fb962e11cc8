import 'reflect-metadata';
import { childProcessEnv, env as processEnv } from '../config/env';
import { createLogger } from '../logger';
import { bootstrapDemo } from '../runtime/demo';
import { clearRuntimeInfo, writeRuntimeInfo } from '../runtime/local-stores';
import { startEntryPoint, type ManagedProcess } from '../runtime/processes';
import { startStores } from '../runtime/services';
import { onShutdown } from '../runtime/shutdown';
import { loadKeyRing } from '../security/key-ring';

/**
 * `npm start`: the whole demo in one terminal. Embedded stores (unless MONGODB_URI / REDIS_URL),
 * then a gateway and a worker as child processes, then a demo tenant. Ctrl-C stops all of it.
 */
async function main(): Promise<void> {
  const env = processEnv();
  const logger = createLogger({ level: env.LOG_LEVEL, name: 'dev' });
  // Generate the dev credentials key here, once, before two children could race to do it.
  loadKeyRing(env, logger);

  const stores = await startStores({
    mongodbUri: env.MONGODB_URI,
    redisUrl: env.REDIS_URL,
    dataDir: env.dataDir,
    persistent: true,
  });
  writeRuntimeInfo(env, { pid: process.pid, mongodbUri: stores.mongodbUri, redisUrl: stores.redisUrl });

  const children: ManagedProcess[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await stores.stop();
    clearRuntimeInfo(env);
  };
  onShutdown(logger, env.SHUTDOWN_TIMEOUT_MS + 10000, stopAll);

  const childEnv = childProcessEnv({ MONGODB_URI: stores.mongodbUri, REDIS_URL: stores.redisUrl });
  const onChildExit = (name: string) => (code: number | null, signal: NodeJS.Signals | null) => {
    logger.error({ code, signal }, `${name} exited unexpectedly: stopping everything`);
    void stopAll().finally(() => process.exit(1));
  };
  const gateway = startEntryPoint('gateway', childEnv, onChildExit('gateway'));
  const worker = startEntryPoint('worker', childEnv, onChildExit('worker'));
  children.push(gateway, worker);

  const demo = await bootstrapDemo({ env, logger, mongodbUri: stores.mongodbUri, redisUrl: stores.redisUrl });
  const [{ url: gatewayUrl }] = await Promise.all([gateway.ready, worker.ready]);
  writeRuntimeInfo(env, {
    pid: process.pid,
    mongodbUri: stores.mongodbUri,
    redisUrl: stores.redisUrl,
    gatewayUrl,
    pids: [...stores.started.map((s) => s.pid), ...children.map((c) => c.child.pid)].filter(
      (pid): pid is number => pid !== undefined,
    ),
  });

  const lines = [
    '',
    'crm-gateway is running:',
    `  gateway     ${gatewayUrl}  (GraphQL at /graphql, /healthz, /readyz, /metrics)`,
    `  worker      1 process`,
    `  MongoDB     ${stores.started.some((s) => s.name === 'mongodb') ? 'embedded FerretDB' : 'external'} ${stores.mongodbUri}`,
    `  Redis       ${stores.started.some((s) => s.name === 'redis') ? 'embedded' : 'external'} ${stores.redisUrl}`,
    `  data        ${env.dataDir}`,
    ...demo.lines,
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
