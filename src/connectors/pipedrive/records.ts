import { CrmNotFoundError, CrmValidationError } from '../../errors';
import { type CrmObject, type NativeRecord } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { type FieldDirectory, fieldDirectory, forgetDirectory } from './fields';
import { toNativeRecord } from './mappers';
import { CRM, ENTITIES, MAX_IDS } from './pipedrive.constants';
import { isRecordId, pdRequest } from './request';
import { type PdRecord } from './wire.types';

/**
 * Reads by id (docs/vendors/pipedrive.md "Connector: reads, lists and search"): v2 lists take `ids` (up to 100), so N ids
 * cost ceil(N / 100) list calls, the fewest the API allows. Ids Pipedrive does not have, or hides from
 * the token's user, are left out of the answer: they read as null. An id that is not a Pipedrive id
 * (a positive integer) is never sent and reads as null too.
 */

/** Native records of a page of v2 records, translated through the object's field directory. */
export function recordsOf(
  api: PipedriveApi,
  obj: CrmObject,
  raw: readonly PdRecord[],
  directory: FieldDirectory,
): NativeRecord[] {
  let unknownKeys = false;
  const out = raw.map((r) => {
    const converted = toNativeRecord(obj, r, directory);
    unknownKeys ||= converted.unknownKeys;
    return converted.record;
  });
  // A custom field added since the metadata was read: the next read learns its name.
  if (unknownKeys) forgetDirectory(api.connectionId, obj);
  return out;
}

export async function getRecords(
  api: PipedriveApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<(NativeRecord | null)[]> {
  if (remoteIds.length > MAX_IDS) {
    throw new CrmValidationError(
      `${CRM} getRecords takes at most ${MAX_IDS} ids per call; got ${remoteIds.length}`,
      { crm: CRM },
    );
  }
  const byId = new Map((await readByIds(api, obj, remoteIds)).map((r) => [r.remoteId, r]));
  return remoteIds.map((id) => byId.get(id) ?? null);
}

/**
 * The records of up to 100 ids in one list call, in Pipedrive's order; ids that are not Pipedrive ids
 * are dropped unsent, and ids Pipedrive does not have are absent from the answer.
 */
export async function readByIds(
  api: PipedriveApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<NativeRecord[]> {
  const ids = [...new Set(remoteIds.filter(isRecordId))].slice(0, MAX_IDS);
  if (ids.length === 0) return [];
  const [directory, page] = await Promise.all([
    fieldDirectory(api, obj),
    pdRequest<PdRecord[]>(api, ENDPOINT.list, {
      method: 'GET',
      url: ENTITIES[obj].collection,
      query: { ids: ids.join(','), limit: MAX_IDS },
    }),
  ]);
  return recordsOf(api, obj, page.data ?? [], directory);
}

/** One record by id with the arrays a write keeps (`emails`, `phones`); null when Pipedrive has none. */
export async function getOne(api: PipedriveApi, obj: CrmObject, id: string): Promise<PdRecord | null> {
  if (!isRecordId(id)) return null;
  try {
    const res = await pdRequest<PdRecord>(api, ENDPOINT.get, {
      method: 'GET',
      url: `${ENTITIES[obj].collection}/${id}`,
    });
    return res.data ?? null;
  } catch (err) {
    if (err instanceof CrmNotFoundError) return null;
    throw err;
  }
}
