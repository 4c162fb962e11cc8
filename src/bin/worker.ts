import 'reflect-metadata';
import { env as processEnv } from '../config/env';
import { createAppContext } from '../runtime/context';
import { storesForProcess, withRunningDemoSettings } from '../runtime/local-stores';
import { onShutdown } from '../runtime/shutdown';
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
  // The shutdown hook goes in before the worker starts: its processors take jobs (a ping is answered)
  // before startWorker returns, and a SIGTERM in that gap must drain, not kill.
  const starting = startWorker(ctx);
  onShutdown(ctx.logger, ctx.env.SHUTDOWN_TIMEOUT_MS, async () => {
    const worker = await starting.catch(() => undefined);
    await worker?.close();
    await ctx.close();
  });
  const worker = await starting;
  process.send?.({ type: 'ready', workerId: worker.id });
}

main().catch((err: unknown) => {
  console.error('worker failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
