// Deal pipelines and stages (docs/vendors/hubspot.md "Pipelines"), read-only: the `default` pipeline and one custom pipeline.
import { type FastifyInstance } from 'fastify';
import { notFound, validationError } from './errors';
import { apiRoute, iso } from './http';
import { type Pipeline, type PipelineStage } from './schema';
import { type HubSpotServer } from './state';

/**
 * Stage metadata values are strings with an `isClosed` flag, as real responses show them
 * (`{"isClosed":"false","probability":"0.2"}`; the string encoding is UNVERIFIED).
 */
function renderStage(s: PipelineStage, createdAt: number): Record<string, unknown> {
  return {
    id: s.id,
    label: s.label,
    displayOrder: s.displayOrder,
    metadata: { isClosed: String(s.isClosed), probability: s.probability.toFixed(1) },
    createdAt: iso(createdAt),
    updatedAt: iso(createdAt),
    archived: false,
    writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
  };
}

function renderPipeline(p: Pipeline): Record<string, unknown> {
  return {
    id: p.id,
    label: p.label,
    displayOrder: p.displayOrder,
    stages: p.stages.map((s) => renderStage(s, p.createdAt)),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.createdAt),
    archived: false,
  };
}

function objectTypeOfPipelines(raw: string): void {
  if (raw !== 'deals' && raw !== 'deal' && raw !== '0-3') {
    throw validationError(`The sandbox serves deal pipelines only; got object type ${raw}.`);
  }
}

export function registerPipelineRoutes(app: FastifyInstance, server: HubSpotServer): void {
  const find = (pipelines: Pipeline[], id: string): Pipeline => {
    const p = pipelines.find((x) => x.id === id);
    if (!p) throw notFound(`Unable to find pipeline ${id}`);
    return p;
  };

  apiRoute(app, server, 'GET', '/crm/v3/pipelines/:objectType', ({ org, request }) => {
    objectTypeOfPipelines((request.params as { objectType: string }).objectType);
    return { results: org.state.store.pipelines.map(renderPipeline) };
  });

  apiRoute(app, server, 'GET', '/crm/v3/pipelines/:objectType/:pipelineId', ({ org, request }) => {
    const p = request.params as { objectType: string; pipelineId: string };
    objectTypeOfPipelines(p.objectType);
    return renderPipeline(find(org.state.store.pipelines, p.pipelineId));
  });

  apiRoute(app, server, 'GET', '/crm/v3/pipelines/:objectType/:pipelineId/stages', ({ org, request }) => {
    const p = request.params as { objectType: string; pipelineId: string };
    objectTypeOfPipelines(p.objectType);
    const pipeline = find(org.state.store.pipelines, p.pipelineId);
    return { results: pipeline.stages.map((s) => renderStage(s, pipeline.createdAt)) };
  });

  apiRoute(
    app,
    server,
    'GET',
    '/crm/v3/pipelines/:objectType/:pipelineId/stages/:stageId',
    ({ org, request }) => {
      const p = request.params as { objectType: string; pipelineId: string; stageId: string };
      objectTypeOfPipelines(p.objectType);
      const pipeline = find(org.state.store.pipelines, p.pipelineId);
      const stage = pipeline.stages.find((s) => s.id === p.stageId);
      if (!stage) throw notFound(`Unable to find stage ${p.stageId} in pipeline ${p.pipelineId}`);
      return renderStage(stage, pipeline.createdAt);
    },
  );
}
