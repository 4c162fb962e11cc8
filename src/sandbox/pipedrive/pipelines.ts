// v2 pipelines and stages (docs/vendors/pipedrive.md "Deals"): what a deal's `pipeline_id` and
// `stage_id` point at.
import { type FastifyInstance } from 'fastify';
import { badRequest, notFound } from './errors';
import { apiRoute } from './http';
import { pageOf, parseLimit } from './paging';
import { rfc3339 } from './render';
import { type PipedriveServer } from './state';
import { type Pipeline, type Stage } from './store';

const CREATED = rfc3339(Date.UTC(2024, 0, 1));

function pipelineV2(p: Pipeline): Record<string, unknown> {
  return { ...p, is_deleted: false, is_selected: p.order_nr === 0, add_time: CREATED, update_time: CREATED };
}

function stageV2(s: Stage): Record<string, unknown> {
  return {
    ...s,
    is_deleted: false,
    is_deal_rot_enabled: false,
    days_to_rotten: null,
    add_time: CREATED,
    update_time: CREATED,
  };
}

function idParam(raw: string | undefined): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw ?? '') || !Number.isSafeInteger(n))
    throw badRequest(`Validation failed: id: expected a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function registerPipelineRoutes(app: FastifyInstance, server: PipedriveServer): void {
  apiRoute(app, server, { method: 'GET', path: '/pipelines', version: 'v2', kind: 'list' }, (ctx) => {
    const rows = [...ctx.org.state.store.pipelines.values()];
    const { page, nextCursor } = pageOf(
      rows,
      (p) => p.id,
      'asc',
      parseLimit(ctx.query.limit),
      'pipelines',
      ctx.query.cursor,
    );
    return { data: page.map(pipelineV2), additional_data: { next_cursor: nextCursor } };
  });
  apiRoute(app, server, { method: 'GET', path: '/pipelines/:id', version: 'v2', kind: 'get' }, (ctx) => {
    const p = ctx.org.state.store.pipelines.get(idParam(ctx.params.id));
    if (!p) throw notFound('Pipeline');
    return { data: pipelineV2(p) };
  });
  apiRoute(app, server, { method: 'GET', path: '/stages', version: 'v2', kind: 'list' }, (ctx) => {
    const pipelineId = ctx.query.pipeline_id === undefined ? undefined : idParam(ctx.query.pipeline_id);
    const rows = [...ctx.org.state.store.stages.values()].filter(
      (s) => pipelineId === undefined || s.pipeline_id === pipelineId,
    );
    const { page, nextCursor } = pageOf(
      rows,
      (s) => s.id,
      'asc',
      parseLimit(ctx.query.limit),
      'stages',
      ctx.query.cursor,
    );
    return { data: page.map(stageV2), additional_data: { next_cursor: nextCursor } };
  });
  apiRoute(app, server, { method: 'GET', path: '/stages/:id', version: 'v2', kind: 'get' }, (ctx) => {
    const s = ctx.org.state.store.stages.get(idParam(ctx.params.id));
    if (!s) throw notFound('Stage');
    return { data: stageV2(s) };
  });
}
