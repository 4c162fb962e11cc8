import { type CrmObject, type ExportOptions, type ExportPage } from '../types';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type HubSpotApi } from './api-context';
import { CRM, LIST_PAGE_MAX } from './hubspot.constants';
import { listPage } from './records';
import { search } from './search';

/**
 * A whole-object export for a connection's first sync (`CrmConnector.exportRecords`). HubSpot has no
 * bulk export an app can run per object, so this is the list endpoint's own paging (`records.ts`
 * listPage: `limit` ≤ 100, `after`, live records only — archived ones are a separate listing it is
 * never asked for), with the export's size from one search with `limit: 1`, whose `total` counts the
 * live records (docs/vendors/hubspot.md "Counting records"). The count is asked on the first page only
 * and carried in the cursor. Search lags writes by a few moments, so `total` is a progress figure, not
 * a promise: a record created just before the export may be exported without being counted.
 */

interface ExportState {
  /** Live records when the export began, by search. */
  t: number | null;
  /** `listPage`'s own cursor. */
  after?: string;
}

const isExportState = (o: Record<string, unknown>): boolean =>
  (o.t === null || typeof o.t === 'number') && (o.after === undefined || typeof o.after === 'string');

/** Live records of `obj` as search counts them: one search-budget call. */
async function countLive(api: HubSpotApi, obj: CrmObject): Promise<number> {
  const res = await search(api, obj, { filterGroups: [], sorts: [], properties: ['hs_object_id'], limit: 1 });
  return typeof res.total === 'number' ? res.total : 0;
}

export async function exportRecords(
  api: HubSpotApi,
  obj: CrmObject,
  options: ExportOptions,
  properties: () => Promise<readonly string[]>,
): Promise<ExportPage> {
  const state: ExportState = options.cursor
    ? decodeConnectorCursor<ExportState>(CRM, options.cursor, isExportState)
    : { t: await countLive(api, obj) };
  const page = await listPage(
    api,
    obj,
    { pageSize: options.pageSize ?? LIST_PAGE_MAX, cursor: state.after ?? null },
    await properties(),
  );
  const at = (after: string): string => encodeConnectorCursor({ t: state.t, after } satisfies ExportState);
  return {
    items: page.items,
    itemCursors: page.itemCursors?.map(at),
    nextCursor: page.nextCursor === null ? null : at(page.nextCursor),
    total: state.t,
  };
}
