import 'reflect-metadata';
import { createAppContext } from '../runtime/context';
import { onShutdown } from '../runtime/shutdown';
import { startWorker } from '../worker/worker';

async function main(): Promise<void> {
  const ctx = await createAppContext({ name: 'worker' });
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
