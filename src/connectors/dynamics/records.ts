import { type CrmObject, type NativeRecord } from '../types';
import { type DynamicsApi } from './api-context';
import { readQuery } from './columns';
import { TABLES } from './dynamics.constants';
import { rowToRecord } from './mappers';
import { isGuid, odataString, webApiRequest } from './webapi';
import { type WireCollection } from './wire.types';

/**
 * Rows by id at the physical minimum of calls: ONE `GET /<set>` per `readBatch` ids, whose filter is
 * `Microsoft.Dynamics.CRM.In(PropertyName='<key>',PropertyValues=[…])` (docs/vendors/dynamics.md
 * "Querying"), with the page size set to the number of ids so the answer is one page. An id that is
 * not a GUID cannot name a row: a miss without a call. One entry per asked id, in order, `null` for
 * a miss; a duplicate id gets the same record.
 */
export async function getRecords(
  api: DynamicsApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<(NativeRecord | null)[]> {
  const ids = [...new Set(remoteIds.filter(isGuid).map((id) => id.toLowerCase()))];
  const found = new Map<string, NativeRecord>();
  const { set, key } = TABLES[obj];
  for (let start = 0; start < ids.length; start += api.readBatch) {
    const batch = ids.slice(start, start + api.readBatch);
    const res = await webApiRequest<WireCollection>(api, {
      method: 'GET',
      resource: set,
      query: {
        ...readQuery(api, obj),
        $filter: `Microsoft.Dynamics.CRM.In(PropertyName=${odataString(key)},PropertyValues=[${batch.map(odataString).join(',')}])`,
      },
      prefer: [`odata.maxpagesize=${batch.length}`],
    });
    for (const row of res.body?.value ?? []) {
      const record = rowToRecord(obj, row);
      found.set(record.remoteId, record);
    }
  }
  return remoteIds.map((id) => found.get(id.toLowerCase()) ?? null);
}
