import { CrmError } from '../../errors';
import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type CrmObject, type ExportOptions, type ExportPage } from '../types';
import { type ZohoApi } from './api-context';
import { ENDPOINT } from './declaration';
import { keysetPage } from './list';
import { readFieldList, recordsOf } from './records';
import { isRecordId, zohoRequest } from './request';
import { CRM, MAX_COQL_LIMIT, MAX_PER_PAGE, PAGE_TOKEN_CAP, PATHS } from './zoho.constants';
import { type ZohoPage } from './wire.types';

/**
 * A whole-module export for a first sync (docs/vendors/zoho.md "Connector: export"): the module list
 * sorted by id, 200 a page, continued by Zoho's `page_token` — made for a job that reads to the end.
 * A token reaches 100,000 records and expires: past the cap, or when Zoho refuses the token
 * (`EXPIRED_VALUE`, `PAGINATION_LIMIT_EXCEEDED`, a worker that resumed late), the export continues by
 * COQL keyset after the last id it delivered, so it never restarts. The total is known once the last
 * page is read.
 */

interface ExportCursor {
  /** Zoho's token for the next list page; absent: continue by keyset. */
  token?: string;
  /** The last id delivered (the keyset position). */
  last: string;
  seen: number;
}

const isExportCursor = (o: Record<string, unknown>): boolean =>
  typeof o.last === 'string' &&
  isRecordId(o.last) &&
  (o.token === undefined || (typeof o.token === 'string' && o.token.length <= 200)) &&
  typeof o.seen === 'number' &&
  Number.isSafeInteger(o.seen) &&
  o.seen >= 0;

/** Zoho's refusals of a page token that a keyset continuation gets around. */
const TOKEN_REFUSALS = new Set([
  'EXPIRED_VALUE',
  'PAGINATION_LIMIT_EXCEEDED',
  'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
]);

function page(items: ExportPage['items'], seen: number, next: Omit<ExportCursor, 'seen'> | null): ExportPage {
  return {
    items,
    nextCursor: next ? encodeConnectorCursor({ ...next, seen }) : null,
    total: next ? null : seen,
  };
}

export async function exportRecords(
  api: ZohoApi,
  obj: CrmObject,
  options: ExportOptions,
): Promise<ExportPage> {
  const state = options.cursor
    ? decodeConnectorCursor<ExportCursor>(CRM, options.cursor, isExportCursor)
    : null;
  const seen = state?.seen ?? 0;
  if (state && (!state.token || seen >= PAGE_TOKEN_CAP)) return byKeyset(api, obj, state.last, seen, options);
  const fields = await readFieldList(api, obj);
  let res: Partial<ZohoPage>;
  try {
    res = await zohoRequest<ZohoPage>(api, ENDPOINT.read, {
      method: 'GET',
      url: PATHS.module(obj),
      query: {
        fields: fields.join(','),
        // The caller's page size, the same on every page: a page_token is bound to its query.
        per_page: Math.max(1, Math.min(MAX_PER_PAGE, options.pageSize ?? MAX_PER_PAGE)),
        sort_by: 'id',
        sort_order: 'asc',
        ...(state?.token ? { page_token: state.token } : { page: 1 }),
      },
    });
  } catch (err) {
    if (state && err instanceof CrmError && err.vendorCode && TOKEN_REFUSALS.has(err.vendorCode))
      return byKeyset(api, obj, state.last, seen, options);
    throw err;
  }
  const items = await recordsOf(api, obj, res.data ?? []);
  const total = seen + items.length;
  const last = items.at(-1)?.remoteId ?? state?.last;
  if (res.info?.more_records !== true || !last) return page(items, total, null);
  const token = res.info.next_page_token ?? undefined;
  return page(items, total, { ...(token ? { token } : {}), last });
}

async function byKeyset(
  api: ZohoApi,
  obj: CrmObject,
  after: string,
  seen: number,
  options: ExportOptions,
): Promise<ExportPage> {
  const limit = Math.max(1, Math.min(MAX_COQL_LIMIT, options.pageSize ?? MAX_COQL_LIMIT));
  const { items, more } = await keysetPage(api, obj, after, limit);
  const total = seen + items.length;
  const last = items.at(-1)?.remoteId;
  return page(items, total, more && last ? { last } : null);
}
