import { decodeConnectorCursor, encodeConnectorCursor } from '../cursor';
import { type CrmObject, type ListOptions, type NativeRecord, type Page } from '../types';
import { type DynamicsApi } from './api-context';
import { readQuery } from './columns';
import { COUNT_CAP, CRM, MAX_PAGE_SIZE, TABLES } from './dynamics.constants';
import { listFilterQuery } from './list-filter';
import { rowToRecord } from './mappers';
import { webApiRequest } from './webapi';
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
  const filter = listFilterQuery(obj, options.filter);
  const res = await webApiRequest<WireCollection>(api, {
    method: 'GET',
    resource: TABLES[obj].set,
    query: {
      ...readQuery(api, obj),
      ...(filter ? { $filter: filter } : {}),
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
