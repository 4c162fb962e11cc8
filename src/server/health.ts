import { Router } from 'express';
import { type AppContext } from '../runtime/context';

/**
 * `/healthz`: the process is up (no dependency is touched, so a slow store never gets it restarted).
 * `/readyz`: MongoDB and Redis both answer; a load balancer stops routing here while they do not.
 */
export function healthRouter(ctx: Pick<AppContext, 'store' | 'redis'>): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
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
