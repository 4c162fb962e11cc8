import { Router } from 'express';
import { type AppContext } from '../runtime/context';

/** Whether the gateway is stopping: read on every `/readyz`, set once by its `close()`. */
export interface DrainState {
  readonly draining: boolean;
}

/**
 * `/healthz`: the process is up (no dependency is touched, so a slow store never gets it restarted).
 * `/readyz`: MongoDB and Redis both answer and the gateway is not draining; a load balancer stops
 * routing here while either is false.
 */
export function healthRouter(ctx: Pick<AppContext, 'store' | 'redis'>, drain: DrainState): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (drain.draining) {
      // No store probe: nothing it says would bring a stopping process back into rotation.
      res.status(503).json({ status: 'draining', checks: [] });
      return;
    }
    const checks = await Promise.all([
      check('mongodb', () => ctx.store.ping()),
      check('redis', async () => {
        await ctx.redis.ping();
      }),
    ]);
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  return router;
}

async function check(
  name: string,
  probe: () => Promise<void>,
): Promise<{ name: string; ok: boolean; error?: string }> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('timed out after 2000 ms')), 2000).unref(),
  );
  try {
    await Promise.race([probe(), timeout]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: (err as Error).message };
  }
}
