import { type Express } from 'express';

/** One route an express app answers: `GET /oauth/:crm/start`. */
export interface RouteInfo {
  method: string;
  path: string;
}

/** The shape of express 5's router layers this reads (not exported by its types). */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route of an app, nested routers included, for a test that walks them all (each
 * state-changing one must refuse a read key). Middleware mounted on a path (`/graphql`) is not a
 * route and is not listed.
 */
export function listRoutes(app: Express): RouteInfo[] {
  const stack = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  return collect(stack, '');
}

function collect(stack: readonly Layer[], prefix: string): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all')
          routes.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
      }
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      routes.push(...collect(layer.handle.stack, prefix + mount));
    }
  }
  return routes;
}
