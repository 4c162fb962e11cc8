import { randomBytes } from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { SfHttpError, malformedQuery } from './errors';
import { callContext, sendJson, type SfOrg } from './context';
import { KEY_PREFIX } from './ids';
import { SF_LIMITS } from './settings';
import { executeSoql, type QueryOutcome } from './soql-executor';
import { SoqlSyntaxError, parseSoql } from './soql-parser';
import { type SfRecord } from './values';

/** Page size from `Sforce-Query-Options: batchSize=n` (200…2,000, default 2,000; Part A6). */
export function batchSize(request: FastifyRequest): number {
  const header = request.headers['sforce-query-options'];
  const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return SF_LIMITS.queryBatchDefault;
  return Math.min(SF_LIMITS.queryBatchMax, Math.max(SF_LIMITS.queryBatchMin, Number(m[1])));
}

/** Parses and runs SOQL for an org; syntax errors become 400 MALFORMED_QUERY. */
export function runSoql(org: SfOrg, soql: string, includeDeleted: boolean, version: string): QueryOutcome {
  let parsed;
  try {
    parsed = parseSoql(soql);
  } catch (err) {
    if (err instanceof SoqlSyntaxError) throw malformedQuery(err.message);
    throw err;
  }
  return executeSoql(org.state.store, parsed, { includeDeleted, now: org.now(), version });
}

/**
 * One page of a result. The locator is `<cursor id>-<position>`: a single path segment, because jsforce
 * keeps only the last segment of nextRecordsUrl and rebuilds `/query/<locator>` (Part A6), even for
 * queryAll.
 */
function page(
  org: SfOrg,
  version: string,
  rows: SfRecord[],
  totalSize: number,
  cursorId: string | null,
  position: number,
  size: number,
): Record<string, unknown> {
  const end = Math.min(rows.length, position + size);
  const done = end >= rows.length;
  let id = cursorId;
  if (!done && !id) {
    id = `${KEY_PREFIX.QueryLocator}${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12)}`;
    org.state.cursors.set(id, { rows, totalSize, lastUsed: org.now() });
  }
  if (done && id) org.state.cursors.delete(id);
  return {
    totalSize,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${id}-${end}` }),
    records: rows.slice(position, end),
  };
}

function pruneCursors(org: SfOrg): void {
  const ttl = org.state.settings.queryCursorTtlMs;
  const now = org.now();
  for (const [id, c] of org.state.cursors) if (now - c.lastUsed > ttl) org.state.cursors.delete(id);
}

export function registerQueryRoutes(scope: FastifyInstance): void {
  const start = (includeDeleted: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { org, version } = callContext(request);
    const q = (request.query as { q?: string }).q;
    if (!q) throw malformedQuery('A query string must be provided');
    pruneCursors(org);
    const outcome = runSoql(org, q, includeDeleted, version);
    if (outcome.countOnly)
      return sendJson(reply, 200, { totalSize: outcome.totalSize, done: true, records: [] });
    return sendJson(
      reply,
      200,
      page(org, version, outcome.rows, outcome.totalSize, null, 0, batchSize(request)),
    );
  };
  scope.get('/query', start(false));
  scope.get('/queryAll', start(true));

  const more = async (request: FastifyRequest, reply: FastifyReply) => {
    const { org, version } = callContext(request);
    const { locator } = request.params as { locator: string };
    const m = /^([A-Za-z0-9]+)-(\d+)$/.exec(locator);
    pruneCursors(org);
    const cursor = m ? org.state.cursors.get(m[1] as string) : undefined;
    if (!m || !cursor || Number(m[2]) > cursor.rows.length) {
      throw new SfHttpError(400, { errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' });
    }
    cursor.lastUsed = org.now();
    return sendJson(
      reply,
      200,
      page(org, version, cursor.rows, cursor.totalSize, m[1] as string, Number(m[2]), batchSize(request)),
    );
  };
  scope.get('/query/:locator', more);
  scope.get('/queryAll/:locator', more);
}
