import { type SaveResult } from 'jsforce';
import { CrmValidationError } from '../../errors';
import { type CrmObject, type NativeValue, type RecordWrite, type WriteResult } from '../types';
import { type SalesforceApi } from './api-context';
import { bulkUpsert } from './bulk';
import { toWriteResult } from './mappers';
import { SALESFORCE_OBJECTS } from './objects';
import { isRecordId } from './soql';
import { type WireSaveResult } from './wire.types';

/**
 * Writes through sObject Collections (docs/vendors/salesforce.md "sObject Collections"): ≤ 200 records per call, `allOrNone: false` so one bad record
 * fails alone, one result per record in request order. A call's writes are grouped by kind — update by
 * id (PATCH), upsert by one external-id field (PATCH …/{field}), create (POST) — and each group goes out
 * in chunks of `writeBatch`. An upsert group of `bulkThreshold` or more records goes through Bulk API
 * 2.0 instead (`bulk.ts`): one job rather than hundreds of calls.
 */

type Indexed = { index: number; write: RecordWrite };

/** Fields as sent: never `Id` (the collections body names the record through `id` or the external id). */
function bodyFields(fields: Record<string, NativeValue>): Record<string, NativeValue> {
  const out: Record<string, NativeValue> = {};
  for (const [k, v] of Object.entries(fields)) if (k.toLowerCase() !== 'id') out[k] = v;
  return out;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function upsertRecords(
  api: SalesforceApi,
  obj: CrmObject,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const type = SALESFORCE_OBJECTS[obj];
  const results: WriteResult[] = new Array<WriteResult>(writes.length);
  const creates: Indexed[] = [];
  const updates: Indexed[] = [];
  const upserts = new Map<string, Indexed[]>();
  writes.forEach((write, index) => {
    if (write.remoteId !== undefined) {
      if (!isRecordId(write.remoteId)) {
        results[index] = {
          ref: write.ref,
          ok: false,
          error: new CrmValidationError(`not a Salesforce record id: ${JSON.stringify(write.remoteId)}`, {
            crm: api.crm,
            vendorCode: 'MALFORMED_ID',
          }),
        };
      } else updates.push({ index, write });
    } else if (write.externalId) {
      const group = upserts.get(write.externalId.field) ?? [];
      group.push({ index, write });
      upserts.set(write.externalId.field, group);
    } else creates.push({ index, write });
  });

  for (const chunk of chunks(updates, api.writeBatch)) {
    const records = chunk.map(({ write }) => ({ ...bodyFields(write.fields), Id: write.remoteId as string }));
    const saved = (await api.conn.update(type, records, { allOrNone: false })) as SaveResult[];
    chunk.forEach(({ index, write }, i) => {
      results[index] = toWriteResult(write.ref, saved[i] as WireSaveResult | undefined, api.crm, {
        fallbackId: write.remoteId,
        created: false,
      });
    });
  }

  for (const [field, group] of upserts) {
    if (group.length >= api.settings.bulkThreshold) {
      const bulk = await bulkUpsert(
        api,
        type,
        field,
        group.map((g) => g.write),
      );
      group.forEach(({ index }, i) => (results[index] = bulk[i]));
      continue;
    }
    for (const chunk of chunks(group, api.writeBatch)) {
      const records = chunk.map(({ write }) => ({
        ...bodyFields(write.fields),
        [field]: write.externalId?.value ?? null,
      }));
      const saved = (await api.conn.upsert(type, records, field, { allOrNone: false })) as SaveResult[];
      chunk.forEach(({ index, write }, i) => {
        results[index] = toWriteResult(write.ref, saved[i] as WireSaveResult | undefined, api.crm, {
          created: 'from_result',
        });
      });
    }
  }

  for (const chunk of chunks(creates, api.writeBatch)) {
    const records = chunk.map(({ write }) => bodyFields(write.fields));
    const saved = (await api.conn.create(type, records, { allOrNone: false })) as SaveResult[];
    chunk.forEach(({ index, write }, i) => {
      results[index] = toWriteResult(write.ref, saved[i] as WireSaveResult | undefined, api.crm, {
        created: true,
      });
    });
  }
  return results;
}

/**
 * Deletes by id (to the Recycle Bin), ≤ `writeBatch` per call. A record already deleted counts as
 * deleted: a retried delete must not turn into a failure. `ref` of each result is the remote id.
 */
export async function deleteRecords(
  api: SalesforceApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<WriteResult[]> {
  const type = SALESFORCE_OBJECTS[obj];
  const results: WriteResult[] = new Array<WriteResult>(remoteIds.length);
  const valid: { index: number; id: string }[] = [];
  remoteIds.forEach((id, index) => {
    // Ids travel in the URL (`?ids=…`): anything but an id could change the request.
    if (isRecordId(id)) valid.push({ index, id });
    else
      results[index] = {
        ref: id,
        ok: false,
        error: new CrmValidationError(`not a Salesforce record id: ${JSON.stringify(id)}`, {
          crm: api.crm,
          vendorCode: 'MALFORMED_ID',
        }),
      };
  });
  for (const chunk of chunks(valid, api.writeBatch)) {
    const saved = (await api.conn.destroy(
      type,
      chunk.map((c) => c.id),
      { allOrNone: false },
    )) as SaveResult[];
    chunk.forEach(({ index, id }, i) => {
      const result = saved[i] as WireSaveResult | undefined;
      const alreadyDeleted = result?.errors?.some((e) => e.statusCode === 'ENTITY_IS_DELETED') ?? false;
      results[index] = alreadyDeleted
        ? { ref: id, ok: true, remoteId: id, created: false }
        : toWriteResult(id, result, api.crm, { fallbackId: id, created: false });
    });
  }
  return results;
}
