import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import {
  type CrmObject,
  type ListFilterSupport,
  type ListOptions,
  type NativeListFilter,
  type NativeRecord,
  type Page,
} from '../types';
import { type DynamicsApi } from './api-context';
import { readQuery } from './columns';
import { COUNT_CAP, CRM, MAX_PAGE_SIZE, TABLES, TEXT_COLUMNS } from './dynamics.constants';
import { rowToRecord } from './mappers';
import { odataString, webApiRequest } from './webapi';
import { type WireCollection } from './wire.types';

/**
 * Lists pages with `Prefer: odata.maxpagesize` and the `$skiptoken` of `@odata.nextLink`
 * (docs/vendors/dynamics.md "Paging"). The cursor holds ONLY that token and the page size it was
 * issued for — never the link: the connector rebuilds the request (the environment from the
 * connection, the query from the object and filter), so a cursor cannot aim a call anywhere. Dataverse
 * wants the same page size with a token, so a cursor's own size wins over the caller's.
 */

interface ListCursor {
  /** The `$skiptoken` value, as Dataverse issued it. */
  s: string;
  /** The `odata.maxpagesize` the token was issued for. */
  n: number;
}

function decodeCursor(cursor: string): ListCursor {
  return decodeConnectorCursor<ListCursor>(
    CRM,
    cursor,
    (o) => typeof o.s === 'string' && o.s !== '' && Number.isInteger(o.n) && (o.n as number) > 0,
  );
}

/** `$skiptoken` of a next link, or null on the last page. */
export function skipTokenOf(nextLink: string | undefined): string | null {
  if (!nextLink) return null;
  return new URL(nextLink).searchParams.get('$skiptoken');
}

/**
 * Filters pushed to Dataverse (docs/vendors/dynamics.md "Querying"): the modification stamp
 * (`modifiedon ge <instant>`), and equality and prefix on the text columns the connector knows
 * ({@link TEXT_COLUMNS}) — `eq` and `startswith`, which Dataverse compares case-insensitively. A part
 * on another column is left to the read layer (equality parts one by one, since they AND; the prefix
 * part whole, since its entries OR). Dataverse has no soft deletion, so filters and `includeDeleted`
 * go together (there is nothing deleted to list).
 */
export const DYNAMICS_LIST_FILTERS: ListFilterSupport = {
  equals: true,
  prefix: 'any',
  modifiedSince: true,
  withDeleted: true,
};

/** The `$filter` of a list's filter, or undefined when no part can be pushed down. */
export function listFilter(obj: CrmObject, filter: NativeListFilter | undefined): string | undefined {
  if (!filter) return undefined;
  const text = TEXT_COLUMNS[obj];
  const parts: string[] = [];
  if (filter.modifiedSince) parts.push(`modifiedon ge ${filter.modifiedSince.toISOString()}`);
  for (const { field, value } of filter.equals ?? []) {
    if (text.has(field)) parts.push(`${field} eq ${odataString(value)}`);
  }
  const prefix = filter.prefix ?? [];
  if (prefix.length > 0 && prefix.every(({ field }) => text.has(field))) {
    const any = prefix.map(({ field, value }) => `startswith(${field},${odataString(value)})`);
    parts.push(any.length === 1 ? any[0] : `(${any.join(' or ')})`);
  }
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

export async function listRecords(
  api: DynamicsApi,
  obj: CrmObject,
  options: ListOptions,
): Promise<Page<NativeRecord>> {
  return (await listPage(api, obj, options, false)).page;
}

/**
 * One page, and with `count` the `@odata.count` of the whole listing (capped at 5,000 by Dataverse:
 * null when the cap was hit, docs/vendors/dynamics.md "Counting rows").
 */
export async function listPage(
  api: DynamicsApi,
  obj: CrmObject,
  options: ListOptions,
  count: boolean,
): Promise<{ page: Page<NativeRecord>; total: number | null }> {
  const state = options.cursor ? decodeCursor(options.cursor) : null;
  const pageSize = state?.n ?? Math.min(Math.max(1, Math.floor(options.pageSize)), MAX_PAGE_SIZE);
  const $filter = listFilter(obj, options.filter);
  const res = await webApiRequest<WireCollection>(api, {
    method: 'GET',
    resource: TABLES[obj].set,
    query: {
      ...readQuery(api, obj),
      ...($filter ? { $filter } : {}),
      ...(state ? { $skiptoken: state.s } : {}),
      ...(count ? { $count: 'true' } : {}),
    },
    prefer: [`odata.maxpagesize=${pageSize}`],
  });
  const items = (res.body?.value ?? []).map((row) => rowToRecord(obj, row));
  const token = skipTokenOf(res.body?.['@odata.nextLink']);
  const counted = res.body?.['@odata.count'];
  return {
    page: {
      items,
      nextCursor: token ? encodeConnectorCursor({ s: token, n: pageSize } satisfies ListCursor) : null,
    },
    total: typeof counted === 'number' && counted < COUNT_CAP ? counted : null,
  };
}
