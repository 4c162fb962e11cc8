import { type CrmObject, type ExportOptions, type ExportPage, type NativeFieldType } from '../types';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { memoizedDescribe, resolveFieldPath } from '../relationship-paths';
import { type SalesforceApi } from './api-context';
import { awaitQueryJob, createQueryJob, queryResults, type QueryJobRef } from './bulk-query';
import { ConnectionCache } from './connection-cache';
import { type ColumnTypes, csvRowToRecord } from './csv-records';
import { SALESFORCE_API_VERSION } from './declaration';
import { describeFields, relationshipSupport } from './describe';
import { SALESFORCE_OBJECTS } from './objects';
import { MAX_QUERY_BATCH, listRecords, queryFirst, selectClause } from './query';
import { isRecordId } from './soql';

/**
 * A whole-object export for a connection's first sync (`CrmConnector.exportRecords`). The first page
 * counts the object's live records in one call (`SELECT COUNT()`,
 * docs/vendors/salesforce.md "Counting records"), which is the export's `total` and picks the way:
 * - under `settings.exportBulkThreshold` (objects.ts says why 10,000), REST query pages keyset on Id,
 *   exactly as `listRecords` pages them (`query.ts`) — nothing lives at Salesforce between pages;
 * - from it up, one Bulk API 2.0 query job (`bulk-query.ts`), its results read one set per page by
 *   locator. The job keeps its results for seven days, so its id and the next locator are all a cursor
 *   needs to carry on in another process; once the job is complete, `total` is the job's own count.
 * Both read with `query`, never `queryAll`: soft-deleted records are not exported.
 *
 * A job still running when `bulkTimeoutMs` has passed yields an empty page whose cursor names the job:
 * the next call polls the same job instead of starting another.
 */

/**
 * The largest REST page: `listRecords` reads one record past the page (to know the last page without
 * another call) and a query batch holds at most 2,000, so 1,999 is the most one call serves — at 2,000
 * every page would take a second call for its one extra record.
 */
const REST_PAGE_MAX = MAX_QUERY_BATCH - 1;

/** Records per results set when the caller gives no page size: a few MB of CSV, parsed in one go. */
export const EXPORT_BULK_PAGE = 10_000;

interface RestState {
  m: 'rest';
  t: number;
  /** `listRecords`' own cursor: the page resumes after its record. */
  after?: string;
}

interface BulkState {
  m: 'bulk';
  t: number | null;
  /** The API version the job was created at, which reads its results (`bulk-query.ts`). Not `v`: the cursor format's own. */
  api: string;
  j: string;
  /** Locator of the next results set; absent: the first. */
  l?: string;
  /** The job was seen JobComplete: read on without polling. */
  ready?: true;
}

type ExportState = RestState | BulkState;

const VERSION = /^v\d{2,3}\.\d$/;
/** Locators are short opaque tokens (`MTAwMDA`); anything else did not come from Salesforce. */
const LOCATOR = /^[A-Za-z0-9+/=_.-]{1,256}$/;

function isExportState(o: Record<string, unknown>): boolean {
  if (o.m === 'rest')
    return typeof o.t === 'number' && (o.after === undefined || typeof o.after === 'string');
  return (
    o.m === 'bulk' &&
    (o.t === null || typeof o.t === 'number') &&
    typeof o.api === 'string' &&
    VERSION.test(o.api) &&
    typeof o.j === 'string' &&
    isRecordId(o.j) &&
    (o.l === undefined || (typeof o.l === 'string' && LOCATOR.test(o.l))) &&
    (o.ready === undefined || o.ready === true)
  );
}

const encode = (state: ExportState): string => encodeConnectorCursor(state);

/** One page of the export of `obj`; see the module comment. */
export async function exportRecords(
  api: SalesforceApi,
  obj: CrmObject,
  options: ExportOptions,
): Promise<ExportPage> {
  const state = options.cursor
    ? decodeConnectorCursor<ExportState>(api.crm, options.cursor, isExportState)
    : null;
  if (state?.m === 'rest') return restPage(api, obj, state, options.pageSize);
  if (state?.m === 'bulk') return bulkPage(api, obj, state, options.pageSize);

  const total = (await queryFirst(api, `SELECT COUNT() FROM ${SALESFORCE_OBJECTS[obj]}`)).totalSize;
  if (total < api.settings.exportBulkThreshold)
    return restPage(api, obj, { m: 'rest', t: total }, options.pageSize);
  // No ORDER BY: it would keep Salesforce from splitting a large job (docs/vendors/salesforce.md "Bulk API 2.0 query jobs").
  const job = await createQueryJob(api, selectClause(api, obj), SALESFORCE_API_VERSION.data);
  return bulkPage(api, obj, { m: 'bulk', t: total, api: job.version, j: job.jobId }, options.pageSize);
}

async function restPage(
  api: SalesforceApi,
  obj: CrmObject,
  state: RestState,
  pageSize: number | undefined,
): Promise<ExportPage> {
  const size = Math.max(1, Math.min(REST_PAGE_MAX, Math.floor(pageSize ?? REST_PAGE_MAX) || REST_PAGE_MAX));
  const page = await listRecords(api, obj, { pageSize: size, cursor: state.after ?? null });
  const at = (after: string): string => encode({ m: 'rest', t: state.t, after });
  return {
    items: page.items,
    itemCursors: page.itemCursors?.map(at),
    nextCursor: page.nextCursor === null ? null : at(page.nextCursor),
    total: state.t,
  };
}

async function bulkPage(
  api: SalesforceApi,
  obj: CrmObject,
  state: BulkState,
  pageSize: number | undefined,
): Promise<ExportPage> {
  const ref: QueryJobRef = { version: state.api, jobId: state.j };
  let current = state;
  if (!current.ready) {
    const job = await awaitQueryJob(api, ref);
    if (!job) return { items: [], nextCursor: encode(current), total: current.t };
    current = { ...current, ready: true, t: job.numberRecordsProcessed ?? current.t };
  }
  const maxRecords = Math.max(1, Math.floor(pageSize ?? EXPORT_BULK_PAGE) || EXPORT_BULK_PAGE);
  const set = await queryResults(api, ref, current.l ?? null, maxRecords);
  const first = set.rows[0];
  const types = first ? await columnTypes(api, obj, Object.keys(first)) : new Map<string, NativeFieldType>();
  const items = set.rows.map((row) => csvRowToRecord(row, types));
  const next: BulkState | null = set.next === null ? null : { ...current, l: set.next };
  return { items, nextCursor: next ? encode(next) : null, total: current.t };
}

/**
 * Column types of a results header, from the org's describe of the object and of the objects its
 * relationship paths walk through: once per connection, header and TTL (`connection-cache.ts`), not
 * once per page.
 */
const COLUMN_TYPES: Readonly<Record<CrmObject, ConnectionCache<ColumnTypes>>> = {
  contact: new ConnectionCache(),
  deal: new ConnectionCache(),
};

function columnTypes(api: SalesforceApi, obj: CrmObject, columns: readonly string[]): Promise<ColumnTypes> {
  const key = `${api.connectionId}\u0000${columns.join(',')}`;
  return COLUMN_TYPES[obj].get(key, api.now(), async () => {
    const root = { nativeObject: SALESFORCE_OBJECTS[obj], fields: await describeFields(api, obj) };
    const relationships = relationshipSupport(api);
    const describe = memoizedDescribe(relationships);
    const types = new Map<string, NativeFieldType>();
    for (const column of columns) {
      const resolved = await resolveFieldPath(column, root, relationships, describe);
      // A column the describe does not resolve stays text (`csv-records.ts`).
      if (resolved.ok) types.set(column.toLowerCase(), resolved.field.type);
    }
    return types;
  });
}

/** Forgets learned column types (between tests). */
export function forgetExportColumnTypes(): void {
  for (const cache of Object.values(COLUMN_TYPES)) cache.forget();
}
