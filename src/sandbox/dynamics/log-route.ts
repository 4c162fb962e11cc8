// The request log's route of a Web API call. Every Web API call arrives on one catch-all route
// (`/api/data/:version/:resource`), which would log a list, a row read, a function and a metadata read
// alike; tests and benches count calls by what they are. Only known names appear (entity sets,
// functions, actions, `$batch`, `EntityDefinitions`): ids and keys become `(:key)`.
import { type FastifyRequest } from 'fastify';
import { isAction } from './actions';
import { API_PREFIX } from './constants';
import { isFunction } from './functions';
import { entityBySetName } from './schema';

const BASE = `${API_PREFIX}/:version`;

function known(segment: string): string | undefined {
  if (segment === '$batch') return segment;
  if (segment.startsWith('EntityDefinitions')) return 'EntityDefinitions';
  if (isAction(segment) || isFunction(segment)) return segment.replace(/\(\)$/, '');
  const m = /^([A-Za-z_]+)(\(.*\))?$/s.exec(segment);
  if (!m || !entityBySetName(m[1])) return undefined;
  return m[2] ? `${m[1]}(:key)` : m[1];
}

export function dynamicsLogRoute(request: FastifyRequest): string | undefined {
  const path = request.url.split('?', 1)[0];
  if (!path.startsWith(`${API_PREFIX}/`)) return undefined;
  const [, first, ...rest] = path.slice(API_PREFIX.length + 1).split('/');
  let decoded: string;
  try {
    decoded = decodeURIComponent(first ?? '');
  } catch {
    return undefined;
  }
  const name = known(decoded);
  if (!name) return undefined;
  return rest.length > 0 ? `${BASE}/${name}/*` : `${BASE}/${name}`;
}
