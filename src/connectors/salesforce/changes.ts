import { BadUserInputError } from '../../errors';
import { assertWithinChangesWindow, DAY_MS } from '../changes-window';
import { type ChangesOptions, type CrmObject, type NativeChange, type Page } from '../types';
import { type SalesforceApi } from './api-context';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { toNativeRecord } from './mappers';
import { locatorOf, queryFirst, queryMore, selectClause } from './query';
import { isRecordId, parseSalesforceDateTime, soqlDateTime, soqlString } from './soql';
import { type WireRecord } from './wire.types';

/**
 * Changes since an instant: `queryAll` ordered by (SystemModstamp, Id), so modified and soft-deleted
 * records (IsDeleted = true, still in the Recycle Bin) come from one call per page, with the record.
 *
 * Pages are keyset pages: the cursor is the (SystemModstamp, Id) of the last record returned and the
 * next page asks for `SystemModstamp > t OR (SystemModstamp = t AND Id > id)`. Records sharing a
 * timestamp are therefore never lost (nor repeated) at a page boundary, however many share it — which
 * `SystemModstamp > t` alone would lose and `>=` would repeat without end when a page is all one
 * timestamp. The cursor needs no server state, so an interrupted sync resumes from it.
 *
 * Deleted records stay visible for 15 days (the Recycle Bin, and getDeleted's window); a `since`
 * older than that cannot be answered completely — deletions may have been purged — so the call fails
 * with CHANGES_WINDOW_EXCEEDED (src/connectors/changes-window.ts) and the caller reconciles in full (list everything, diff).
 */

/** How far back deletions stay visible (Recycle Bin retention, getDeleted's window: docs/vendors/salesforce.md "Replication (getUpdated and getDeleted)"). */
export const DELETED_RECORDS_WINDOW_MS = 15 * DAY_MS;
const MAX_CHANGES_PAGE = 2000;

interface ChangesCursor {
  /** SystemModstamp of the last record returned, as Salesforce wrote it. */
  t: string;
  /** Its Id. */
  i: string;
}

const isChangesCursor = (o: Record<string, unknown>): boolean =>
  typeof o.t === 'string' && typeof o.i === 'string' && isRecordId(o.i);

export async function listChanges(
  api: SalesforceApi,
  obj: CrmObject,
  options: ChangesOptions,
): Promise<Page<NativeChange>> {
  const pageSize = options.pageSize ?? MAX_CHANGES_PAGE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_CHANGES_PAGE) {
    throw new BadUserInputError(`pageSize must be an integer from 1 to ${MAX_CHANGES_PAGE}, got ${pageSize}`);
  }
  assertWithinChangesWindow(api.crm, obj, options.since, api.now(), {
    ms: DELETED_RECORDS_WINDOW_MS,
    why: 'Salesforce keeps deleted records for 15 days',
  });

  let where: string;
  if (options.cursor) {
    const c = decodeConnectorCursor<ChangesCursor>(api.crm, options.cursor, isChangesCursor);
    const t = soqlDateTime(parseSalesforceDateTime(c.t));
    where = `(SystemModstamp > ${t} OR (SystemModstamp = ${t} AND Id > ${soqlString(c.i)}))`;
  } else {
    // Whole seconds, rounded down: SOQL datetime literals have no documented fraction, and rounding
    // down can only add records from the second before (the sync dedupes them), never lose one.
    const since = new Date(Math.floor(options.since.getTime() / 1000) * 1000);
    where = `SystemModstamp > ${soqlDateTime(since)}`;
  }
  const soql = `${selectClause(api, obj)} WHERE ${where} ORDER BY SystemModstamp ASC, Id ASC LIMIT ${pageSize}`;

  // LIMIT ≤ the batch size asked for, so this is one call — unless Salesforce cuts the batch shorter
  // (its batch size is a hint), in which case the locator brings the rest of the page.
  let result = await queryFirst(api, soql, { all: true, pageSize });
  const records: WireRecord[] = [...result.records];
  for (let locator = locatorOf(result); locator && records.length < pageSize; locator = locatorOf(result)) {
    result = await queryMore(api, locator, pageSize);
    records.push(...result.records);
  }

  const items = records.map((record) => toChange(obj, record));
  const last = records[records.length - 1];
  const nextCursor =
    records.length >= pageSize && last
      ? encodeConnectorCursor({ t: String(last.SystemModstamp), i: String(last.Id) } satisfies ChangesCursor)
      : null;
  return { items, nextCursor };
}

function toChange(obj: CrmObject, record: WireRecord): NativeChange {
  const native = toNativeRecord(record);
  const stamp = record.SystemModstamp;
  if (typeof stamp !== 'string') throw new Error('Salesforce change without SystemModstamp');
  return {
    object: obj,
    remoteId: native.remoteId,
    // An undelete comes back as a live record; the sync tells RESTORED from its snapshot.
    kind: native.isDeleted ? 'DELETED' : 'UPSERTED',
    occurredAt: parseSalesforceDateTime(stamp).toISOString(),
    record: native,
  };
}
