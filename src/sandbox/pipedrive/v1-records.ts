// Legacy v1 reads of persons and deals (docs/vendors/pipedrive.md "Base URLs"): out of support but
// still answering for older connectors. Offset paging, v1 shapes; v1 deals take `status`
// (`all_not_deleted` by default, or open, won, lost, deleted). Writes are v2 only in this sandbox.
import { type FastifyInstance } from 'fastify';
import { badRequest } from './errors';
import { type PdObject } from './fields';
import { apiRoute } from './http';
import { renderV1 } from './render';
import { type PipedriveServer } from './state';
import { type PdRecord } from './store';
import { v1Page } from './v1-paging';
import { liveRecord } from './writes';

const V1_DEAL_STATUSES = ['all_not_deleted', 'open', 'won', 'lost', 'deleted'];

function v1Filter(object: PdObject, status: string | undefined): (r: PdRecord) => boolean {
  if (object === 'person') return (r) => r.deletedAt === null;
  const wanted = status ?? 'all_not_deleted';
  if (!V1_DEAL_STATUSES.includes(wanted))
    throw badRequest(`status: expected one of ${V1_DEAL_STATUSES.join(', ')}, got ${JSON.stringify(wanted)}`);
  if (wanted === 'deleted') return (r) => r.deletedAt !== null;
  return (r) => r.deletedAt === null && (wanted === 'all_not_deleted' || r.values.status === wanted);
}

export function registerV1RecordRoutes(app: FastifyInstance, server: PipedriveServer): void {
  for (const object of ['person', 'deal'] as const) {
    const path = object === 'person' ? '/persons' : '/deals';
    apiRoute(app, server, { method: 'GET', path, version: 'v1', kind: 'list' }, (ctx) => {
      const store = ctx.org.state.store;
      const rows = store
        .all(object)
        .filter(v1Filter(object, ctx.query.status))
        .sort((a, b) => a.id - b.id);
      const page = v1Page(rows, ctx.query);
      return { ...page, data: page.data.map((r) => renderV1(store, r)) };
    });
    apiRoute(app, server, { method: 'GET', path: `${path}/:id`, version: 'v1', kind: 'get' }, (ctx) => {
      const store = ctx.org.state.store;
      return { data: renderV1(store, liveRecord(store, object, ctx.params.id)) };
    });
  }
}
