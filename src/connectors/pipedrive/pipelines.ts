import { type NativeDealStage } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { MAX_PAGE_SIZE, PATHS } from './pipedrive.constants';
import { pdRequest } from './request';
import { type PdPipeline, type PdStage } from './wire.types';

/**
 * Deal stages from the pipelines API (docs/vendors/pipedrive.md "Connector: pipelines and stages"). In Pipedrive a
 * stage is always open: won and lost are the deal's `status`, not stages, so every stage reads OPEN
 * and the mapping takes a deal's status from `status`. Two lists (pipelines, stages), deleted ones
 * left out.
 */
async function all<T>(api: PipedriveApi, url: string): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await pdRequest<T[]>(api, ENDPOINT.list, {
      method: 'GET',
      url,
      query: { limit: MAX_PAGE_SIZE, cursor },
    });
    out.push(...(page.data ?? []));
    cursor = page.additional_data?.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

export async function dealStages(api: PipedriveApi): Promise<NativeDealStage[]> {
  const [pipelines, stages] = await Promise.all([
    all<PdPipeline>(api, PATHS.pipelines),
    all<PdStage>(api, PATHS.stages),
  ]);
  const live = new Map(pipelines.filter((p) => p.is_deleted !== true).map((p) => [p.id, p]));
  const out: NativeDealStage[] = [];
  for (const s of stages) {
    const pipeline = s.pipeline_id !== undefined ? live.get(s.pipeline_id) : undefined;
    if (!pipeline || s.is_deleted === true) continue;
    const probability = typeof s.deal_probability === 'number' ? s.deal_probability / 100 : null;
    out.push({
      pipelineId: String(pipeline.id),
      pipelineLabel: pipeline.name ?? String(pipeline.id),
      stageId: String(s.id),
      label: s.name ?? String(s.id),
      probability,
      status: 'OPEN',
    });
  }
  return out;
}
