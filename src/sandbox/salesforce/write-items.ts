import { type FastifyRequest } from 'fastify';
import { parseCsv } from './csv';

const SINGLE_WRITES: Record<string, RegExp> = {
  POST: /\/sobjects\/:type$/,
  PATCH: /\/sobjects\/:type\/(:id|:field\/:value)$/,
  DELETE: /\/sobjects\/:type\/:id$/,
};

/**
 * Records a Salesforce write carries (VendorDefinition.writeItems): an sObject Collections call's
 * `records` (or its `ids` for a delete), a Bulk 2.0 upload's data rows, 1 for a single-record
 * create/update/upsert/delete; undefined for reads, queries and composite requests.
 */
export function salesforceWriteItems(request: FastifyRequest): number | undefined {
  const route = request.routeOptions.url ?? '';
  const method = request.method;
  if (/\/composite\/sobjects(\/:type\/:field)?$/.test(route)) {
    if (method === 'DELETE') {
      const ids = (request.query as { ids?: unknown }).ids;
      return typeof ids === 'string' && ids ? ids.split(',').length : undefined;
    }
    if (method !== 'POST' && method !== 'PATCH') return undefined;
    const records = (request.body as { records?: unknown } | undefined)?.records;
    return Array.isArray(records) ? records.length : undefined;
  }
  if (method === 'PUT' && route.endsWith('/jobs/ingest/:id/batches')) {
    return typeof request.body === 'string' ? Math.max(0, parseCsv(request.body).length - 1) : undefined;
  }
  return SINGLE_WRITES[method]?.test(route) ? 1 : undefined;
}
