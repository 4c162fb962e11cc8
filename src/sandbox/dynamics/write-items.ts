import { type FastifyRequest } from 'fastify';
import { API_PREFIX } from './constants';

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * Records a Web API write carries (VendorDefinition.writeItems): one for a single-row write, the
 * number of write requests inside a `$batch`; undefined for reads, actions aside.
 */
export function dynamicsWriteItems(request: FastifyRequest): number | undefined {
  if (!request.url.startsWith(`${API_PREFIX}/`) || !WRITES.has(request.method)) return undefined;
  const path = request.url.split('?')[0] ?? '';
  if (path.endsWith('/$batch')) {
    const body = typeof request.body === 'string' ? request.body : '';
    return (body.match(/^(POST|PATCH|PUT|DELETE) \S+/gm) ?? []).length;
  }
  return 1;
}
