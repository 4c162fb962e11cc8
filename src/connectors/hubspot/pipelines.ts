import { type NativeDealStage } from '../types';
import { type HubSpotApi } from './api-context';
import { PATHS } from './hubspot.constants';
import { stageStatusTable } from './mappers';
import { type HsPipeline } from './wire.types';

/** Deal pipelines and their stages (docs/vendors/hubspot.md "Pipelines"), archived ones left out. One call. */
export async function dealStages(api: HubSpotApi): Promise<NativeDealStage[]> {
  const res = await api.http.request<{ results: HsPipeline[] }>({ method: 'GET', url: PATHS.pipelines() });
  const pipelines = (res.body?.results ?? []).filter((p) => p.archived !== true);
  const status = stageStatusTable(pipelines);
  const out: NativeDealStage[] = [];
  for (const p of pipelines) {
    for (const s of p.stages ?? []) {
      if (s.archived === true) continue;
      const probability = Number(s.metadata?.probability ?? NaN);
      out.push({
        pipelineId: p.id,
        pipelineLabel: p.label,
        stageId: s.id,
        label: s.label,
        probability: Number.isFinite(probability) ? probability : null,
        status: status.get(s.id) ?? 'OPEN',
      });
    }
  }
  return out;
}
