import { type FastifyRequest } from 'fastify';

/**
 * Records a HubSpot CRM write carries (VendorDefinition.writeItems): a batch create/update/upsert/archive's
 * `inputs`, 1 for a single create, update or archive; undefined for reads and association calls.
 */
export function hubspotWriteItems(request: FastifyRequest): number | undefined {
  const route = request.routeOptions.url ?? '';
  if (route.includes('/associations') || route.includes('/search')) return undefined;
  if (/\/(contacts|deals)\/batch\/(create|update|upsert|archive)$/.test(route)) {
    const inputs = (request.body as { inputs?: unknown } | undefined)?.inputs;
    return Array.isArray(inputs) ? inputs.length : undefined;
  }
  if (request.method === 'POST' && /\/(contacts|deals)$/.test(route)) return 1;
  if (['PATCH', 'DELETE'].includes(request.method) && /\/(contacts|deals)\/:id$/.test(route)) return 1;
  return undefined;
}
