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
  const worker = await startWorker(ctx);
  process.send?.({ type: 'ready', workerId: worker.id });
  onShutdown(ctx.logger, ctx.env.SHUTDOWN_TIMEOUT_MS, async () => {
    await worker.close();
    await ctx.close();
  });
}

main().catch((err: unknown) => {
  console.error('worker failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
