import { CrmError, CrmNotFoundError, CrmUpstreamError, CrmValidationError } from '../../errors';
import { type CrmObject, type NativeRecord, type RecordWrite, type WriteResult } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { type FieldDirectory, fieldDirectory } from './fields';
import { needsCurrent, toWireBody } from './mappers';
import { CRM, ENTITIES } from './pipedrive.constants';
import { getOne, readByIds, recordsOf } from './records';
import { SEARCH_PAGE_MAX, searchIds } from './search';
import { isRecordId, pdRequest } from './request';
import { type PdRecord } from './wire.types';

/**
 * Writes, one record per call: Pipedrive has no batch or bulk write for persons or deals
 * (docs/vendors/pipedrive.md "Connector: writes and the gateway key"), so the declaration's write batch is 1 and the write
 * engine's budget planning spreads them. Each write:
 * - an update (`remoteId`): `PATCH /api/v2/<entity>/<id>`; when it sets the primary email or phone (or
 *   one half of a person's name), the record is read first, because a PATCH replaces the whole
 *   `emails`/`phones` array and the other entries must be kept;
 * - an upsert by a gateway key (`externalId`, a custom text field): the search API's exact match
 *   finds a record made by an earlier attempt, which is then updated; otherwise a create;
 * - a create: `POST /api/v2/<entity>`.
 * A refusal of the record itself (validation, not found, conflict) is that record's failed result; a
 * refusal of the call (rate limit, outage, credentials) is thrown, so the engine reschedules it whole.
 */

function refuse(message: string): CrmValidationError {
  return new CrmValidationError(message, { crm: CRM });
}

/** What a create or PATCH leaves: the record's id, and the record itself as its answer carries it. */
interface Written {
  remoteId: string;
  record: NativeRecord;
}

/**
 * A v2 create or PATCH answers with the whole record, in the shape a read returns it
 * (docs/vendors/pipedrive.md "Connector: writes and the gateway key"): translated as a read translates it, it is
 * the write's result record, so the engine reads nothing back.
 */
function writtenOf(
  api: PipedriveApi,
  obj: CrmObject,
  res: { data?: PdRecord | null },
  what: string,
  directory: FieldDirectory,
): Written {
  const data = res.data;
  if (!data || typeof data.id !== 'number')
    throw new CrmUpstreamError(`Pipedrive ${what} answered without the record's id`, { crm: CRM });
  const [record] = recordsOf(api, obj, [data], directory);
  return { remoteId: String(data.id), record: record! };
}

async function update(
  api: PipedriveApi,
  obj: CrmObject,
  id: string,
  write: RecordWrite,
  directory: FieldDirectory,
): Promise<Written> {
  if (!isRecordId(id))
    throw new CrmNotFoundError(`not a ${CRM} record id: ${JSON.stringify(id.slice(0, 40))}`, { crm: CRM });
  let current: PdRecord | null = null;
  if (needsCurrent(obj, write.fields)) {
    current = await getOne(api, obj, id);
    if (!current) throw new CrmNotFoundError(`${CRM} has no ${obj} ${id}`, { crm: CRM });
  }
  const body = toWireBody(obj, write.fields, directory, current);
  const res = await pdRequest<PdRecord>(api, ENDPOINT.update, {
    method: 'PATCH',
    url: `${ENTITIES[obj].collection}/${id}`,
    json: body,
    // Setting the same values twice leaves the record as once.
    idempotent: true,
  });
  return writtenOf(api, obj, res, 'update', directory);
}

async function create(
  api: PipedriveApi,
  obj: CrmObject,
  write: RecordWrite,
  directory: FieldDirectory,
): Promise<Written> {
  const body = toWireBody(obj, write.fields, directory, null);
  if (obj === 'contact' && typeof body.name !== 'string')
    throw refuse('a Pipedrive person needs a name (first_name, last_name or name)');
  if (obj === 'deal' && typeof body.title !== 'string') throw refuse('a Pipedrive deal needs a title');
  const res = await pdRequest<PdRecord>(api, ENDPOINT.create, {
    method: 'POST',
    url: ENTITIES[obj].collection,
    json: body,
  });
  return writtenOf(api, obj, res, 'create', directory);
}

/**
 * The record whose gateway-key field holds exactly `value`: the search API's exact match on custom
 * fields finds candidates (it ignores case and looks in every custom text field), then one read of
 * their ids keeps the record whose key field is `value` itself. Search has its own budget beside the
 * daily tokens; its index follows writes within moments, and a resend comes seconds later at the earliest.
 */
async function findByKey(
  api: PipedriveApi,
  obj: CrmObject,
  key: { field: string; value: string },
  directory: FieldDirectory,
): Promise<string | null> {
  const field = directory.byName.get(key.field);
  if (!field) {
    throw refuse(
      `the gateway key field ${JSON.stringify(key.field)} is not a custom field of Pipedrive ${obj}s`,
    );
  }
  if (key.value.trim() === '' || key.value.length > 255) {
    throw refuse('a gateway key value must have 1 to 255 characters');
  }
  const { ids } = await searchIds(api, obj, {
    term: key.value,
    fields: ['custom_fields'],
    exact: true,
    limit: SEARCH_PAGE_MAX,
  });
  if (ids.length === 0) return null;
  const candidates = await readByIds(api, obj, ids);
  const hit = candidates.find((r) => !r.isDeleted && r.fields[field.name] === key.value);
  return hit?.remoteId ?? null;
}

async function writeOne(
  api: PipedriveApi,
  obj: CrmObject,
  write: RecordWrite,
  directory: FieldDirectory,
): Promise<WriteResult> {
  const done = (w: Written, created: boolean): WriteResult => ({ ref: write.ref, ok: true, ...w, created });
  if (write.remoteId !== undefined)
    return done(await update(api, obj, write.remoteId, write, directory), false);
  if (write.externalId) {
    // A gateway-keyed create never sent before cannot have a record yet: create without the search
    // (20 tokens and the search API's own 10 per 2 s, where a create costs 5).
    const found = write.firstAttempt ? null : await findByKey(api, obj, write.externalId, directory);
    const fields = { ...write.fields, [write.externalId.field]: write.externalId.value };
    if (found) return done(await update(api, obj, found, { ...write, fields }, directory), false);
    return done(await create(api, obj, { ...write, fields }, directory), true);
  }
  return done(await create(api, obj, write, directory), true);
}

/** A failure of the record alone becomes its result; one of the call is thrown. */
function settle(ref: string, err: unknown): WriteResult {
  if (
    err instanceof CrmError &&
    !err.retryable &&
    (err.code === 'VALIDATION' || err.code === 'NOT_FOUND' || err.code === 'CONFLICT')
  ) {
    return { ref, ok: false, error: err };
  }
  throw err;
}

export async function upsertRecords(
  api: PipedriveApi,
  obj: CrmObject,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const directory = await fieldDirectory(api, obj);
  const results: WriteResult[] = [];
  // One at a time: each is its own call, and a call refused for budget must stop the rest.
  for (const write of writes)
    results.push(await writeOne(api, obj, write, directory).catch((err: unknown) => settle(write.ref, err)));
  return results;
}

/**
 * `DELETE /api/v2/<entity>/<id>` marks the record deleted (purged after 30 days). A record already
 * gone (404, 410) counts as deleted: the engine may resend.
 */
export async function deleteRecords(
  api: PipedriveApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const id of remoteIds) {
    if (!isRecordId(id)) {
      results.push({
        ref: id,
        ok: false,
        error: new CrmNotFoundError(`not a ${CRM} record id: ${JSON.stringify(id.slice(0, 40))}`, {
          crm: CRM,
        }),
      });
      continue;
    }
    try {
      await pdRequest<{ id?: number }>(api, ENDPOINT.delete, {
        method: 'DELETE',
        url: `${ENTITIES[obj].collection}/${id}`,
      });
      results.push({ ref: id, ok: true, remoteId: id, created: false });
    } catch (err) {
      if (err instanceof CrmNotFoundError) results.push({ ref: id, ok: true, remoteId: id, created: false });
      else results.push(settle(id, err));
    }
  }
  return results;
}
