import { type CrmObject } from '../types';
import { type HubSpotApi } from './api-context';
import { PATHS } from './hubspot.constants';
import { type HsAssociationBatchResult, type HsBatchResponse, type HsPaging } from './wire.types';

/**
 * Associations v4 (docs/vendors/hubspot.md "Associations"), read in batches: one `batch/read` per ≤ `readBatch` source ids. A source with
 * more associations than one result holds carries `paging`; the rest is read from the per-object
 * endpoint. Ids HubSpot reports in `errors` (no associations, unknown id) map to an empty list.
 */
export async function getAssociations(
  api: HubSpotApi,
  from: CrmObject,
  remoteIds: readonly string[],
  to: CrmObject,
): Promise<Map<string, string[]>> {
  const batchSize = api.readBatch;
  const out = new Map<string, string[]>(remoteIds.map((id) => [id, []]));
  for (let i = 0; i < remoteIds.length; i += batchSize) {
    const chunk = remoteIds.slice(i, i + batchSize);
    const res = await api.http.request<HsBatchResponse<HsAssociationBatchResult>>({
      method: 'POST',
      url: PATHS.associationsBatchRead(from, to),
      json: { inputs: chunk.map((id) => ({ id })) },
      idempotent: true,
    });
    for (const r of res.body?.results ?? []) {
      const fromId = String(r.from.id);
      const list = out.get(fromId) ?? [];
      addUnique(
        list,
        r.to.map((t) => String(t.toObjectId)),
      );
      if (r.paging?.next?.after) await readRest(api, from, fromId, to, r.paging, list);
      out.set(fromId, list);
    }
  }
  return out;
}

async function readRest(
  api: HubSpotApi,
  from: CrmObject,
  fromId: string,
  to: CrmObject,
  paging: HsPaging,
  list: string[],
): Promise<void> {
  let after = paging.next?.after;
  while (after) {
    const res = await api.http.request<{ results: { toObjectId: string | number }[]; paging?: HsPaging }>({
      method: 'GET',
      url: PATHS.associationsOf(from, fromId, to),
      query: { limit: 500, after },
    });
    addUnique(
      list,
      (res.body?.results ?? []).map((t) => String(t.toObjectId)),
    );
    after = res.body?.paging?.next?.after;
  }
}

/** A pair can carry several labels (types): it is still one associated record. */
function addUnique(list: string[], ids: string[]): void {
  for (const id of ids) if (!list.includes(id)) list.push(id);
}
