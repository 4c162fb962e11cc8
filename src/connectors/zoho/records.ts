import { assertBatchSize, inRequestedOrder } from '../batch-size';
import { type CrmObject, type NativeRecord } from '../types';
import { type ZohoApi, extraFields } from './api-context';
import { ENDPOINT } from './declaration';
import { fieldDirectory, forgetDirectory } from './fields';
import { fieldsToRead, toNativeRecord } from './mappers';
import { orgOf } from './org';
import { isRecordId, zohoRequest } from './request';
import { CRM, MAX_FIELDS, MAX_IDS, PATHS } from './zoho.constants';
import { type ZohoPage, type ZohoRecord } from './wire.types';

/**
 * Reads by id (docs/vendors/zoho.md "Connector: reads and lists"): the module's list takes `ids` (up to
 * 100) with the `fields` v8 requires, so N ids cost ceil(N / 100) calls of one credit. Ids Zoho does
 * not have (deleted, or hidden from the user) are absent from the answer and read as null; an id that
 * is not a Zoho id (digits) is never sent and reads as null too.
 */

/** Native records of raw Zoho records, translated with the module's metadata (and the org's currency). */
export async function recordsOf(
  api: ZohoApi,
  obj: CrmObject,
  raw: readonly ZohoRecord[],
): Promise<NativeRecord[]> {
  const [directory, org] = await Promise.all([
    fieldDirectory(api, obj),
    obj === 'deal' && raw.length > 0 ? orgOf(api) : Promise.resolve(null),
  ]);
  const out = raw.map((r) => toNativeRecord(obj, r, { directory, orgCurrency: org?.currency ?? null }));
  // A field the metadata lacks (added since it was read): the next read learns it.
  if (raw.some((r) => Object.keys(r).some((k) => !k.startsWith('$') && k !== 'id' && !directory.has(k))))
    forgetDirectory(api.connectionId, obj);
  return out;
}

/** The `fields` a read of `obj` names. */
export async function readFieldList(api: ZohoApi, obj: CrmObject): Promise<string[]> {
  return fieldsToRead(obj, await fieldDirectory(api, obj), extraFields(api, obj), MAX_FIELDS);
}

export async function getRecords(
  api: ZohoApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<(NativeRecord | null)[]> {
  assertBatchSize(CRM, 'getRecords', remoteIds.length, MAX_IDS);
  return inRequestedOrder(remoteIds, await readByIds(api, obj, remoteIds));
}

/** The records of up to 100 ids in one call; ids that are not Zoho ids are dropped unsent. */
export async function readByIds(
  api: ZohoApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<NativeRecord[]> {
  const ids = [...new Set(remoteIds.filter(isRecordId))].slice(0, MAX_IDS);
  if (ids.length === 0) return [];
  const fields = await readFieldList(api, obj);
  const page = await zohoRequest<ZohoPage>(api, ENDPOINT.read, {
    method: 'GET',
    url: PATHS.module(obj),
    query: { ids: ids.join(','), fields: fields.join(','), per_page: MAX_IDS },
  });
  return recordsOf(api, obj, page.data ?? []);
}
