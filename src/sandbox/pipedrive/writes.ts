// Create, update and delete of persons and deals, shared by the v2 routes and the admin API (a UI
// edit differs only in `change_source`). Deal rules (docs/vendors/pipedrive.md "Deals"): a stage
// belongs to its pipeline; won/lost stamp `won_time`/`lost_time` and `close_time`; `lost_reason` only
// on a lost deal.
import { badRequest, notFound } from './errors';
import { type PdObject } from './fields';
import { type CompanyStore, type PdRecord } from './store';
import { parseBody } from './validate';

export interface WriteMeta {
  source: 'app' | 'api';
  userId: number;
}

const NAMES: Record<PdObject, string> = { person: 'Person', deal: 'Deal' };

/** A live record or the vendor's 404; ids that are not positive integers are a 400. */
export function liveRecord(store: CompanyStore, object: PdObject, rawId: string | undefined): PdRecord {
  const id = Number(rawId);
  if (!Number.isSafeInteger(id) || id < 1 || !/^\d+$/.test(rawId ?? ''))
    throw badRequest(`Validation failed: id: expected a positive integer, got ${JSON.stringify(rawId)}`);
  const record = store.get(object, id);
  if (!record || record.deletedAt !== null) throw notFound(NAMES[object]);
  return record;
}

function firstStage(store: CompanyStore, pipelineId: number): number {
  const stages = [...store.stages.values()]
    .filter((s) => s.pipeline_id === pipelineId)
    .sort((a, b) => a.order_nr - b.order_nr);
  if (!stages[0]) throw badRequest(`Validation failed: pipeline_id: pipeline ${pipelineId} has no stages`);
  return stages[0].id;
}

/** Fills in and checks the pipeline/stage pair and the status timestamps of a deal write. */
function dealRules(
  store: CompanyStore,
  values: Record<string, unknown>,
  existing: PdRecord | undefined,
  now: number,
): void {
  const before = existing?.values ?? {};
  const stageId = values.stage_id as number | undefined;
  let pipelineId = (values.pipeline_id ??
    (stageId ? store.stages.get(stageId)?.pipeline_id : before.pipeline_id)) as number | undefined;
  pipelineId ??= [...store.pipelines.keys()][0];
  if (pipelineId === undefined)
    throw badRequest('Validation failed: pipeline_id: the company has no pipeline');
  const stage =
    stageId ??
    (values.pipeline_id !== undefined && values.pipeline_id !== before.pipeline_id
      ? firstStage(store, pipelineId)
      : (before.stage_id as number | undefined)) ??
    firstStage(store, pipelineId);
  if (store.stages.get(stage)?.pipeline_id !== pipelineId)
    throw badRequest(`Validation failed: stage_id: stage ${stage} is not in pipeline ${pipelineId}`);
  values.pipeline_id = pipelineId;
  values.stage_id = stage;
  if (stage !== before.stage_id) values.stage_change_time = existing ? now : null;

  const status = (values.status ?? before.status ?? 'open') as string;
  if (values.status !== undefined && values.status !== before.status) {
    values.won_time = status === 'won' ? now : null;
    values.lost_time = status === 'lost' ? now : null;
    values.close_time = status === 'open' ? null : now;
    if (status !== 'lost') values.lost_reason = null;
  }
  values.status = status;
  const lostReason = values.lost_reason ?? before.lost_reason;
  if (lostReason && status !== 'lost')
    throw badRequest('Validation failed: lost_reason: only a lost deal has a lost reason');
}

export function createRecord(
  store: CompanyStore,
  object: PdObject,
  body: unknown,
  meta: WriteMeta,
  now: number,
): PdRecord {
  const { values, custom } = parseBody(store, object, body);
  const addTime = values.add_time as number | undefined;
  delete values.add_time;
  values.owner_id ??= meta.userId;
  if (object === 'deal') dealRules(store, values, undefined, now);
  return store.create(object, values, custom, meta, addTime);
}

export function updateRecord(
  store: CompanyStore,
  record: PdRecord,
  body: unknown,
  meta: WriteMeta,
  now: number,
): PdRecord {
  const { values, custom } = parseBody(store, record.object, body, record);
  if (record.object === 'deal') dealRules(store, values, record, now);
  return store.update(record, values, custom, meta);
}

export function deleteRecord(
  store: CompanyStore,
  record: PdRecord,
  meta: WriteMeta & { mergedToId?: number },
): void {
  store.remove(record, meta);
}
