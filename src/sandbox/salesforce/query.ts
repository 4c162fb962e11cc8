import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { malformedQuery } from './errors';
import { callContext, sendJson, type SfOrg } from './context';
import { batchServed, openCursor, readLocator } from './query-cursors';
import { SF_LIMITS } from './settings';
import { executeSoql, type QueryOutcome } from './soql-executor';
import { SoqlSyntaxError, parseSoql } from './soql-parser';
import { type SfRecord } from './values';

/** Page size from `Sforce-Query-Options: batchSize=n` (200…2,000, default 2,000; docs/vendors/salesforce.md "Query cursors"). */
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
 * keeps only the last segment of nextRecordsUrl and rebuilds `/query/<locator>` (docs/vendors/salesforce.md "SOQL query and queryAll"), even for
 * queryAll. A cursor is opened only when the first page leaves rows behind.
 */
function page(
  org: SfOrg,
  version: string,
  rows: SfRecord[],
  totalSize: number,
  cursorId: string,
  position: number,
  size: number,
): Record<string, unknown> {
  const end = Math.min(rows.length, position + size);
  const done = end >= rows.length;
  batchServed(org, cursorId, done);
  return {
    totalSize,
    done,
    ...(done ? {} : { nextRecordsUrl: `/services/data/${version}/query/${cursorId}-${end}` }),
    records: rows.slice(position, end),
  };
}

export function registerQueryRoutes(scope: FastifyInstance): void {
  const start = (includeDeleted: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { org, version, userId } = callContext(request);
    const q = (request.query as { q?: string }).q;
    if (!q) throw malformedQuery('A query string must be provided');
    const outcome = runSoql(org, q, includeDeleted, version);
    if (outcome.countOnly)
      return sendJson(reply, 200, { totalSize: outcome.totalSize, done: true, records: [] });
    const size = batchSize(request);
    if (outcome.rows.length <= size) {
      return sendJson(reply, 200, { totalSize: outcome.totalSize, done: true, records: outcome.rows });
    }
    const id = openCursor(org, userId, outcome.rows, outcome.totalSize);
    return sendJson(reply, 200, page(org, version, outcome.rows, outcome.totalSize, id, 0, size));
  };
  scope.get('/query', start(false));
  scope.get('/queryAll', start(true));

  const more = async (request: FastifyRequest, reply: FastifyReply) => {
    const { org, version } = callContext(request);
    const { locator } = request.params as { locator: string };
    const { id, cursor, position } = readLocator(org, locator);
    return sendJson(
      reply,
      200,
      page(org, version, cursor.rows, cursor.totalSize, id, position, batchSize(request)),
    );
  };
  scope.get('/query/:locator', more);
  scope.get('/queryAll/:locator', more);
}
