import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type CrmObject, type ExportOptions, type ExportPage } from '../types';
import { type PipedriveApi } from './api-context';
import { listRecords } from './list';
import { CRM, MAX_PAGE_SIZE } from './pipedrive.constants';

/**
 * A whole-object export for a first sync (docs/vendors/pipedrive.md "Connector: export"): Pipedrive has
 * no bulk export for persons or deals, so the export is the v2 list in pages of 500 (the largest, so
 * the fewest list calls at 10 tokens each). No list answers a count either: the total is known once
 * the last page is read — the number of records the export delivered — and null before.
 */

interface ExportCursor {
  /** The list's own cursor. */
  list: string;
  /** Records delivered so far. */
  seen: number;
}

const isExportCursor = (o: Record<string, unknown>): boolean =>
  typeof o.list === 'string' && typeof o.seen === 'number' && Number.isSafeInteger(o.seen) && o.seen >= 0;

export async function exportRecords(
  api: PipedriveApi,
  obj: CrmObject,
  options: ExportOptions,
): Promise<ExportPage> {
  const state = options.cursor
    ? decodeConnectorCursor<ExportCursor>(CRM, options.cursor, isExportCursor)
    : undefined;
  const page = await listRecords(api, obj, {
    pageSize: Math.min(MAX_PAGE_SIZE, options.pageSize ?? MAX_PAGE_SIZE),
    cursor: state?.list,
  });
  const seen = (state?.seen ?? 0) + page.items.length;
  return {
    items: page.items,
    nextCursor: page.nextCursor ? encodeConnectorCursor({ list: page.nextCursor, seen }) : null,
    total: page.nextCursor ? null : seen,
  };
}
