import 'reflect-metadata';
import { env as processEnv } from '../config/env';
import { createAppContext } from '../runtime/context';
import { storesForProcess, withRunningDemoSettings } from '../runtime/local-stores';
import { onShutdown } from '../runtime/shutdown';
import { startGatewayServer } from '../server/http-server';

async function main(): Promise<void> {
  // Explicit URLs, else a running `npm start`'s stores: the same rule as `npm run admin`. Beside a
  // running `npm start` (outside production), also its settings for the demo connections.
  const stores = storesForProcess(processEnv(), 'gateway');
  const env = withRunningDemoSettings(processEnv(), stores);
  const ctx = await createAppContext({
    env,
    name: 'gateway',
    ...stores,
    checkStoredConnections: true,
  });
  const gateway = await startGatewayServer(ctx, { host: ctx.env.HOST, port: ctx.env.PORT });
  ctx.logger.info(
    { url: gateway.url, metrics: gateway.metricsUrl ?? 'off (set METRICS_PORT)' },
    'gateway listening',
  );
  // Tells `npm start` the real URL (PORT=0 picks a free port).
  process.send?.({ type: 'ready', url: gateway.url });
  onShutdown(ctx.logger, ctx.env.SHUTDOWN_TIMEOUT_MS, async () => {
    await gateway.close();
    await ctx.close();
  });
}

main().catch((err: unknown) => {
  console.error('gateway failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
