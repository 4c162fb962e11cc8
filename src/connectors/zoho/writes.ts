import { CrmNotFoundError, CrmValidationError } from '../../errors';
import { assertBatchSize } from '../batch-size';
import { type CrmObject, type RecordWrite, type WriteResult } from '../types';
import { type ZohoApi } from './api-context';
import { type FieldDirectory, fieldDirectory, isUnique } from './fields';
import { toWireBody } from './mappers';
import { isRecordId, writeItems } from './request';
import { resultOf } from './write-results';
import { type BulkGroup, bulkWrite } from './bulk-write';
import { BULK_WRITE, CRM, MAX_IDS, PATHS } from './zoho.constants';
import { type ZohoResultItem } from './wire.types';

/**
 * Writes, 100 records a call with one outcome per record (docs/vendors/zoho.md "Connector: writes").
 * The engine sends at most `writeBatch` (100) records at a time; a caller that passes more gets them in
 * calls of 100, and an update group or a keyed-upsert group of `BULK_WRITE.threshold` records or more
 * as a Bulk Write job instead (`bulk-write.ts`):
 * - updates (`remoteId`): one `PUT /<Module>` with each record's `id`;
 * - creates keyed by the gateway key (`externalId`, a unique custom field): one
 *   `POST /<Module>/upsert` with `duplicate_check_fields: [<key field>]`, so a resent create finds the
 *   record its first attempt made instead of duplicating it;
 * - plain creates: one `POST /<Module>`.
 * In that order: only the last can leave records behind if a later call failed, and nothing follows it.
 * A record Zoho refuses is that record's failed result (a 400 whose every record failed included); a
 * refusal of the call (rate limit, outage, credentials) is thrown, so the engine reschedules the batch.
 */

interface Group {
  method: 'PUT' | 'POST';
  url: string;
  indexes: number[];
  records: Record<string, unknown>[];
  extra?: Record<string, unknown>;
  /** Whether a success is a new record: an insert always, an upsert by its `action`, an update never. */
  created: (item: ZohoResultItem | undefined) => boolean;
  /** An upsert by a unique key and an update by id apply once however often they are sent. */
  idempotent: boolean;
}

function group(method: Group['method'], url: string, created: Group['created'], idempotent: boolean): Group {
  return { method, url, indexes: [], records: [], created, idempotent };
}

function refused(ref: string, error: CrmValidationError | CrmNotFoundError): WriteResult {
  return { ref, ok: false, error };
}

/** The gateway key field: a unique field of the module (what `duplicate_check_fields` may name). */
function keyFieldError(field: string, obj: CrmObject, directory: FieldDirectory): string | null {
  const f = directory.get(field);
  if (!f) return `the gateway key field ${JSON.stringify(field)} is not a field of Zoho ${obj}s`;
  return isUnique(f)
    ? null
    : `the gateway key field ${field} is not unique in Zoho CRM: upserts cannot key on it`;
}

/**
 * The writes of one Bulk Write job as submitted by the engine (`BulkWriteJobs.submit`): all updates by
 * id, or all upserts by one unique key field; anything else is refused whole, before any call.
 */
export async function bulkGroupOf(
  api: ZohoApi,
  obj: CrmObject,
  writes: readonly RecordWrite[],
): Promise<BulkGroup> {
  const directory = await fieldDirectory(api, obj);
  const first = writes[0];
  const findBy = first?.remoteId !== undefined ? 'id' : first?.externalId?.field;
  const refuse = (why: string): never => {
    throw new CrmValidationError(`not one Bulk Write job: ${why}`, { crm: CRM });
  };
  if (!findBy) return refuse('a job takes updates by id or upserts by a unique key, not plain creates');
  const why = findBy === 'id' ? null : keyFieldError(findBy, obj, directory);
  if (why) return refuse(why);
  const bodies = writes.map((w) => {
    const body = toWireBody(obj, w.fields, directory);
    if (findBy === 'id' && w.remoteId !== undefined) return { ...body, id: w.remoteId };
    if (findBy !== 'id' && w.remoteId === undefined && w.externalId?.field === findBy)
      return { ...body, [findBy]: w.externalId.value };
    return refuse(`every write of a job is found by the same field (${findBy})`);
  });
  return { operation: findBy === 'id' ? 'update' : 'upsert', findBy, writes, bodies };
}

export async function upsertRecords(
  api: ZohoApi,
  obj: CrmObject,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const directory = await fieldDirectory(api, obj);
  const results: (WriteResult | null)[] = writes.map(() => null);
  const updates: Group = group('PUT', PATHS.module(obj), () => false, true);
  const keyed = new Map<string, Group>();
  const inserts: Group = group('POST', PATHS.module(obj), () => true, false);
  for (const [i, write] of writes.entries()) {
    const body = toWireBody(obj, write.fields, directory);
    if (write.remoteId !== undefined) {
      if (!isRecordId(write.remoteId)) {
        results[i] = refused(
          write.ref,
          new CrmNotFoundError(`not a ${CRM} record id: ${JSON.stringify(write.remoteId.slice(0, 40))}`, {
            crm: CRM,
          }),
        );
        continue;
      }
      updates.indexes.push(i);
      updates.records.push({ ...body, id: write.remoteId });
    } else if (write.externalId) {
      const { field, value } = write.externalId;
      const why = keyFieldError(field, obj, directory);
      if (why) {
        results[i] = refused(write.ref, new CrmValidationError(why, { crm: CRM }));
        continue;
      }
      const upsert =
        keyed.get(field) ?? group('POST', PATHS.upsert(obj), (item) => item?.action === 'insert', true);
      upsert.extra = { duplicate_check_fields: [field] };
      keyed.set(field, upsert);
      upsert.indexes.push(i);
      upsert.records.push({ ...body, [field]: value });
    } else {
      inserts.indexes.push(i);
      inserts.records.push(body);
    }
  }
  for (const [field, g] of [['id', updates] as const, ...keyed.entries()]) {
    if (g.records.length < BULK_WRITE.threshold) continue;
    // A group this large is cheaper as one job per 25,000 records than as REST calls of 100.
    for (let start = 0; start < g.records.length; start += BULK_WRITE.maxRows) {
      const indexes = g.indexes.slice(start, start + BULK_WRITE.maxRows);
      const bulk = await bulkWrite(api, obj, {
        operation: field === 'id' ? 'update' : 'upsert',
        findBy: field,
        writes: indexes.map((i) => writes[i]!),
        bodies: g.records.slice(start, start + BULK_WRITE.maxRows),
      });
      indexes.forEach((i, k) => (results[i] = bulk[k]!));
    }
    g.records = [];
  }
  for (const g of [updates, ...keyed.values(), inserts]) {
    for (let start = 0; start < g.records.length; start += MAX_IDS) {
      const items = await writeItems(api, {
        method: g.method,
        url: g.url,
        json: { data: g.records.slice(start, start + MAX_IDS), ...g.extra },
        idempotent: g.idempotent,
      });
      for (const [k, i] of g.indexes.slice(start, start + MAX_IDS).entries())
        results[i] = resultOf(writes[i]!.ref, items[k], writes[i]!.remoteId, g.created(items[k]));
    }
  }
  return results.map((r) => r!);
}

/**
 * `DELETE /<Module>?ids=` (≤ 100): deleted records go to the recycle bin. An id Zoho no longer has
 * ("record not deleted", `INVALID_DATA`) counts as deleted: the engine may resend.
 */
export async function deleteRecords(
  api: ZohoApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<WriteResult[]> {
  assertBatchSize(CRM, 'deleteRecords', remoteIds.length, MAX_IDS);
  const ids = [...new Set(remoteIds.filter(isRecordId))];
  const byId = new Map<string, ZohoResultItem>();
  if (ids.length > 0) {
    const items = await writeItems(api, {
      method: 'DELETE',
      url: PATHS.module(obj),
      query: { ids: ids.join(',') },
    });
    for (const item of items) if (typeof item.details?.id === 'string') byId.set(item.details.id, item);
  }
  return remoteIds.map((id) => {
    if (!isRecordId(id)) {
      return refused(
        id,
        new CrmNotFoundError(`not a ${CRM} record id: ${JSON.stringify(id.slice(0, 40))}`, { crm: CRM }),
      );
    }
    const item = byId.get(id);
    if (!item || item.code === 'INVALID_DATA') return { ref: id, ok: true, remoteId: id, created: false };
    return resultOf(id, item, id);
  });
}
