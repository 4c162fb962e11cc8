import { BadUserInputError } from '../../errors';
import { type CrmObject, type ListOptions, type NativeRecord, type Page } from '../types';
import { type SalesforceApi, fieldsOf } from './api-context';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { toNativeRecord } from './mappers';
import { SALESFORCE_OBJECTS } from './objects';
import { isRecordId, soqlIdList, soqlString } from './soql';
import { soqlCondition } from './soql-filter';
import { type WireQueryResult, type WireRecord } from './wire.types';

/**
 * Reads: lists keyset-paged on Id (never OFFSET, which stops at 2,000 and re-scans; never a query
 * locator held between calls), and reads by id — sObject Collections POST retrieve when every field is on the object
 * itself, SOQL `Id IN (…)` when a field crosses a relationship (`Account.Name`), which retrieve
 * cannot select. A list filter (`ListOptions.filter`) becomes the query's WHERE (`soql-filter.ts`), with
 * deleted records through `/queryAll` as without one.
 */

/** `Sforce-Query-Options: batchSize` bounds (docs/vendors/salesforce.md "Query cursors"); Salesforce may still return fewer. */
const MIN_QUERY_BATCH = 200;
export const MAX_QUERY_BATCH = 2000;

/** A list resumes after the record with this Id (keyset on `ORDER BY Id`). */
interface ListCursor {
  a: string;
}

const isListCursor = (o: Record<string, unknown>): boolean => typeof o.a === 'string' && isRecordId(o.a);

export function selectClause(api: SalesforceApi, obj: CrmObject): string {
  return `SELECT ${fieldsOf(api, obj).join(', ')} FROM ${SALESFORCE_OBJECTS[obj]}`;
}

export function queryHeaders(pageSize: number): Record<string, string> {
  const batch = Math.min(MAX_QUERY_BATCH, Math.max(MIN_QUERY_BATCH, pageSize));
  return { 'Sforce-Query-Options': `batchSize=${batch}` };
}

/** Runs SOQL (`/queryAll` when `all`) and returns the first batch as Salesforce sent it. */
export async function queryFirst(
  api: SalesforceApi,
  soql: string,
  options: { all?: boolean; pageSize?: number } = {},
): Promise<WireQueryResult> {
  return (await api.conn.query(soql, {
    scanAll: options.all ?? false,
    headers: queryHeaders(options.pageSize ?? MAX_QUERY_BATCH),
  })) as WireQueryResult;
}

/** The batch behind a locator (the last path segment of `nextRecordsUrl`). */
export async function queryMore(
  api: SalesforceApi,
  locator: string,
  pageSize = MAX_QUERY_BATCH,
): Promise<WireQueryResult> {
  const options = {
    headers: queryHeaders(pageSize),
    maxFetch: MAX_QUERY_BATCH,
    autoFetch: false,
    scanAll: false,
    responseTarget: 'QueryResult',
  } as const;
  return (await api.conn.queryMore(locator, options)) as WireQueryResult;
}

export function locatorOf(result: WireQueryResult): string | null {
  if (result.done === true || !result.nextRecordsUrl) return null;
  return result.nextRecordsUrl.split('/').pop() ?? null;
}

/** Every record of a query, following locators to the end (association lookups, id reads). */
export async function queryAllPages(api: SalesforceApi, soql: string): Promise<WireRecord[]> {
  let result = await queryFirst(api, soql);
  const records = [...result.records];
  for (let locator = locatorOf(result); locator; locator = locatorOf(result)) {
    result = await queryMore(api, locator);
    records.push(...result.records);
  }
  return records;
}

/**
 * One page of `pageSize` records, keyset-paged on `ORDER BY Id`: the cursor is the Id of the last record
 * returned and the next page asks for `Id > it`. Nothing lives on Salesforce's side between pages, so a
 * cursor never expires and reads the same on any process; a query locator (which lives two days, and
 * whose re-reading is not documented: docs/vendors/salesforce.md, "Query cursors") is followed only
 * inside this one call, when Salesforce cuts a batch shorter than asked. One record more than the page
 * is read, so the last page is known as last without another call. Every record carries its own
 * cursor (`itemCursors`), so a page can end anywhere.
 */
export async function listRecords(
  api: SalesforceApi,
  obj: CrmObject,
  options: ListOptions,
): Promise<Page<NativeRecord>> {
  const { pageSize } = options;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_QUERY_BATCH) {
    throw new BadUserInputError(`pageSize must be an integer from 1 to ${MAX_QUERY_BATCH}, got ${pageSize}`);
  }
  const after = options.cursor
    ? decodeConnectorCursor<ListCursor>(api.crm, options.cursor, isListCursor).a
    : null;
  const conditions = [soqlCondition(options.filter), after ? `Id > ${soqlString(after)}` : null].filter(
    (c): c is string => c !== null,
  );
  const where = conditions.length > 0 ? ` WHERE ${conditions.map((c) => `(${c})`).join(' AND ')}` : '';
  const limit = pageSize + 1;
  const soql = `${selectClause(api, obj)}${where} ORDER BY Id ASC LIMIT ${limit}`;
  let result = await queryFirst(api, soql, { all: options.includeDeleted ?? false, pageSize: limit });
  const records = [...result.records];
  for (let locator = locatorOf(result); locator && records.length < limit; locator = locatorOf(result)) {
    result = await queryMore(api, locator, limit);
    records.push(...result.records);
  }
  const items = records.slice(0, pageSize).map(toNativeRecord);
  const itemCursors = items.map((r) => encodeConnectorCursor({ a: r.remoteId } satisfies ListCursor));
  return { items, itemCursors, nextCursor: records.length > pageSize ? itemCursors[pageSize - 1]! : null };
}

/** Salesforce answers with 18-character ids; callers may hold the 15-character form. */
const idKey = (id: string): string => id.slice(0, 15);

/**
 * Records by id, one entry per id in order, `null` for a miss (unknown, deleted, malformed). At most
 * `readBatch` ids go in one call; more are read in consecutive calls.
 */
export async function getRecords(
  api: SalesforceApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<(NativeRecord | null)[]> {
  const valid = [...new Set(remoteIds.filter(isRecordId))];
  const fields = fieldsOf(api, obj);
  const byId = new Map<string, NativeRecord>();
  for (let i = 0; i < valid.length; i += api.readBatch) {
    const chunk = valid.slice(i, i + api.readBatch);
    const records = fields.some((f) => f.includes('.'))
      ? await queryAllPages(api, `${selectClause(api, obj)} WHERE Id IN ${soqlIdList(chunk)}`)
      : await retrieve(api, obj, chunk, fields);
    for (const r of records) if (r) byId.set(idKey(String(r.Id)), toNativeRecord(r));
  }
  return remoteIds.map((id) => (isRecordId(id) ? (byId.get(idKey(id)) ?? null) : null));
}

/** sObject Collections retrieve by POST (docs/vendors/salesforce.md "sObject Collections"): ≤ 2,000 ids, results in request order, `null` for misses. */
async function retrieve(
  api: SalesforceApi,
  obj: CrmObject,
  ids: string[],
  fields: readonly string[],
): Promise<(WireRecord | null)[]> {
  const result = (await api.conn.retrieve(SALESFORCE_OBJECTS[obj], ids, { fields: [...fields] })) as unknown;
  return Array.isArray(result) ? (result as (WireRecord | null)[]) : [];
}
