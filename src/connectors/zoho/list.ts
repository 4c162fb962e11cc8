import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import {
  type CrmObject,
  type ListOptions,
  type NativeListFilter,
  type NativeRecord,
  type Page,
} from '../types';
import { type ZohoApi } from './api-context';
import { coql, coqlTime } from './coql';
import { fieldDirectory } from './fields';
import { filterCriteria, joined } from './list-filter';
import { readFieldList, recordsOf } from './records';
import { isRecordId } from './request';
import { CRM, MAX_COQL_LIMIT, MAX_FIELDS, MODULES } from './zoho.constants';

/**
 * GraphQL lists (docs/vendors/zoho.md "Connector: reads and lists"): COQL pages by keyset on the record
 * id — `where id > '<last id>' order by id asc` — so a cursor names only the last id seen: stateless,
 * valid however long a client waits, and past the 2,000-record reach of `page` and the 100,000 of a
 * `page_token` (which also expires). Any record can be resumed after, so every item has its own cursor.
 * Zoho lists no deleted records (they are in the recycle bin): `includeDeleted` adds nothing. Filters
 * go into the same query (`list-filter.ts`); the read layer applies the exact filter on top.
 */

interface ListCursor {
  after: string;
}

const isListCursor = (o: Record<string, unknown>): boolean =>
  typeof o.after === 'string' && isRecordId(o.after);

const cursorAfter = (id: string): string => encodeConnectorCursor({ after: id });

/** One keyset page of `obj` after `after` (from the start when null), optionally modified since `sinceMs`. */
export async function keysetPage(
  api: ZohoApi,
  obj: CrmObject,
  after: string | null,
  limit: number,
  filter?: NativeListFilter,
): Promise<{ items: NativeRecord[]; more: boolean }> {
  const conditions = [after ? `id > '${after}'` : 'id is not null'];
  // Zoho stamps to the second: flooring keeps `>=` from dropping a record of the same second.
  const sinceMs = filter?.modifiedSince?.getTime();
  if (sinceMs !== undefined)
    conditions.push(`Modified_Time >= ${coqlTime(Math.floor(sinceMs / 1000) * 1000)}`);
  const [fields, directory] = await Promise.all([readFieldList(api, obj), fieldDirectory(api, obj)]);
  conditions.push(...filterCriteria(obj, filter, directory));
  const { rows, more } = await coql(api, {
    fields: ['id', ...fields].slice(0, MAX_FIELDS),
    module: MODULES[obj],
    where: joined(conditions, 'and'),
    orderBy: 'id asc',
    limit,
  });
  return { items: await recordsOf(api, obj, rows), more: more || rows.length >= limit };
}

export async function listRecords(
  api: ZohoApi,
  obj: CrmObject,
  options: ListOptions,
): Promise<Page<NativeRecord>> {
  const cursor = options.cursor ? decodeConnectorCursor<ListCursor>(CRM, options.cursor, isListCursor) : null;
  const limit = Math.max(1, Math.min(MAX_COQL_LIMIT, Math.floor(options.pageSize) || 1));
  const { items, more } = await keysetPage(api, obj, cursor?.after ?? null, limit, options.filter);
  const last = items.at(-1);
  return {
    items,
    nextCursor: more && last ? cursorAfter(last.remoteId) : null,
    itemCursors: items.map((r) => cursorAfter(r.remoteId)),
  };
}
