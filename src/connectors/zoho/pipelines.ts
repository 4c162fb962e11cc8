import { type NativeDealStage } from '../types';
import { type ZohoApi } from './api-context';
import { ENDPOINT } from './declaration';
import { fieldDirectory } from './fields';
import { zohoRequest } from './request';
import { dealStatusOf } from './stages';
import { MODULES, PATHS } from './zoho.constants';

/**
 * Deal stages from the pipelines of the Deals layouts (docs/vendors/zoho.md "Connector: deal stages and status"): `GET /settings/layouts?module=Deals`, then `GET /settings/pipeline?layout_id=` per layout.
 * A deal's `Stage` holds the stage's `actual_value` and its `Pipeline` the pipeline's: those are the ids
 * here. Won and lost come from the stage's `forecast_type`; the probability from the Stage field's
 * picklist, where the org keeps one.
 */

interface ZohoPipeline {
  id?: string;
  actual_value?: string;
  display_value?: string;
  maps?: { actual_value?: string; display_value?: string; forecast_type?: string }[];
}

export async function dealStages(api: ZohoApi): Promise<NativeDealStage[]> {
  const [layouts, directory] = await Promise.all([
    zohoRequest<{ layouts: { id?: string }[] }>(api, ENDPOINT.read, {
      method: 'GET',
      url: PATHS.layouts,
      query: { module: MODULES.deal },
    }),
    fieldDirectory(api, 'deal'),
  ]);
  const probability = new Map<string, number>();
  for (const v of directory.get('Stage')?.pick_list_values ?? [])
    if (typeof v.actual_value === 'string' && typeof v.probability === 'number')
      probability.set(v.actual_value, v.probability / 100);
  const out: NativeDealStage[] = [];
  const seen = new Set<string>();
  for (const layout of layouts.layouts ?? []) {
    if (typeof layout.id !== 'string' || !/^[0-9]{1,19}$/.test(layout.id)) continue;
    const res = await zohoRequest<{ pipeline: ZohoPipeline[] }>(api, ENDPOINT.read, {
      method: 'GET',
      url: PATHS.pipeline,
      query: { layout_id: layout.id },
    });
    for (const p of res.pipeline ?? []) {
      const pipelineId = p.actual_value ?? p.display_value;
      if (!pipelineId || seen.has(pipelineId)) continue;
      seen.add(pipelineId);
      for (const stage of p.maps ?? []) {
        const stageId = stage.actual_value ?? stage.display_value;
        if (!stageId) continue;
        out.push({
          pipelineId,
          pipelineLabel: p.display_value ?? pipelineId,
          stageId,
          label: stage.display_value ?? stageId,
          probability: probability.get(stageId) ?? null,
          status: ({ open: 'OPEN', won: 'WON', lost: 'LOST' } as const)[dealStatusOf(stage)],
        });
      }
    }
  }
  return out;
}
