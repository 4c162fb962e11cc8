import { type FastifyInstance } from 'fastify';
import { notFound, SfHttpError } from './errors';

/** A route's URL pattern as a matcher for concrete paths (`:param` = one segment, `*` = the rest). */
function matcher(pattern: string): RegExp {
  const body = pattern
    .replace(/\/+$/, '')
    .split('/')
    .map((seg) =>
      seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${body}/?$`);
}

/**
 * The data API's catch-all, registered inside its scope so its answers carry `Sforce-Limit-Info` and
 * pass the same version/session guard. A path some route serves with another method answers
 * 405 METHOD_NOT_ALLOWED (docs/vendors/salesforce.md "Error bodies and status codes" status table); anything else 404 NOT_FOUND. Both as JSON arrays.
 * The 405 message follows the sandbox's row-POST text; Salesforce's exact wording is UNVERIFIED.
 *
 * Call before the scope's routes are added: it watches them through `onRoute`.
 */
export function registerUnmatchedRoutes(scope: FastifyInstance): () => void {
  const routes: { method: string; re: RegExp }[] = [];
  scope.addHook('onRoute', (route) => {
    if (route.url.endsWith('/*')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: method.toUpperCase(), re: matcher(route.url) });
  });
  return () => {
    scope.all('/*', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const allowed = [
        ...new Set(routes.filter((r) => r.method !== 'HEAD' && r.re.test(path)).map((r) => r.method)),
      ];
      if (allowed.length === 0 || allowed.includes(request.method)) throw notFound();
      void reply.header('Allow', allowed.join(', '));
      throw new SfHttpError(405, {
        errorCode: 'METHOD_NOT_ALLOWED',
        message: `HTTP Method '${request.method}' not allowed. Allowed are ${allowed.join(',')}`,
      });
    });
  };
}
