import { type CrmConnector, type CrmObject, type NativeField } from '../connectors/types';
import { type EffectiveMapping } from './mappings';

/** A deal stage as `dealStages` returns it. */
export interface DealStageInfo {
  /** The native stage value deals carry (a stage id, or a stage name). */
  id: string;
  label: string;
  pipelineId: string | null;
  pipelineLabel: string | null;
  /** 0–1 where the CRM says. */
  probability: number | null;
  /** OPEN | WON | LOST where the CRM's metadata says; null where it does not. */
  status: 'OPEN' | 'WON' | 'LOST' | null;
}

/**
 * The stages a deal can be in. From the connector's pipeline API when it has one; otherwise from the
 * picklist values of the native field the connection maps to `stage` (e.g. a `StageName` picklist), where
 * describe metadata carries no won/lost flag, so `status` is null.
 */
export async function dealStagesOf(
  connector: CrmConnector,
  meta: {
    mapping(object: CrmObject): Promise<EffectiveMapping>;
    describe(object: CrmObject): Promise<NativeField[]>;
  },
): Promise<DealStageInfo[]> {
  if (connector.dealStages) {
    return (await connector.dealStages()).map((s) => ({
      id: s.stageId,
      label: s.label,
      pipelineId: s.pipelineId,
      pipelineLabel: s.pipelineLabel,
      probability: s.probability,
      status: s.status,
    }));
  }
  const { mapping } = await meta.mapping('deal');
  const native = mapping.fields.find((f) => f.canonical === 'stage')?.native;
  const field = (await meta.describe('deal')).find((f) => f.name === native);
  return (field?.picklistValues ?? []).map((v) => ({
    id: v.value,
    label: v.label,
    pipelineId: null,
    pipelineLabel: null,
    probability: null,
    status: null,
  }));
}
