import 'reflect-metadata';
import { env as processEnv } from '../config/env';
import { createAppContext } from '../runtime/context';
import { storesForProcess, withRunningDemoSettings } from '../runtime/local-stores';
import { onShutdown } from '../runtime/shutdown';
import { startMetricsListener } from '../server/metrics-endpoint';
import { startWorker } from '../worker/worker';

async function main(): Promise<void> {
  // Explicit URLs, else a running `npm start`'s stores: the same rule as `npm run admin`. Beside a
  // running `npm start` (outside production), also its settings for the demo connections.
  const stores = storesForProcess(processEnv(), 'worker');
  const env = withRunningDemoSettings(processEnv(), stores);
  const ctx = await createAppContext({
    env,
    name: 'worker',
    ...stores,
    checkStoredConnections: true,
  });
  // The worker's own metrics (the engine's counters live in this process): a listener of its own.
  const metrics =
    env.WORKER_METRICS_PORT === undefined
      ? undefined
      : await startMetricsListener({ host: env.METRICS_HOST, port: env.WORKER_METRICS_PORT });
  // The shutdown hook goes in before the worker starts: its processors take jobs (a ping is answered)
  // before startWorker returns, and a SIGTERM in that gap must drain, not kill.
  const starting = startWorker(ctx);
  let stopping = false;
  // Closing the Redis clients rejects whatever is still queued on them with "Connection is closed." —
  // during a drain, Bull's own round trips of a worker stopped mid-start among them (seen in CI,
  // unattributed). After the drain nothing waits for them, so that one rejection ends no process;
  // any other keeps Node's default, a crash.
  process.on('unhandledRejection', (reason: unknown) => {
    if (stopping && reason instanceof Error && reason.message === 'Connection is closed.') {
      ctx.logger.debug({ err: reason.message }, 'a Redis command outlived the shutdown');
      return;
    }
    throw reason;
  });
  onShutdown(ctx.logger, ctx.env.SHUTDOWN_TIMEOUT_MS, async () => {
    stopping = true;
    const worker = await starting.catch(() => undefined);
    await worker?.close();
    await metrics?.close();
    await ctx.close();
  });
  const worker = await starting;
  if (metrics) ctx.logger.info({ metrics: metrics.url }, 'worker metrics served');
  process.send?.({ type: 'ready', workerId: worker.id, metricsUrl: metrics?.url });
}

main().catch((err: unknown) => {
  console.error('worker failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
