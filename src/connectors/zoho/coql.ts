import { type ZohoApi } from './api-context';
import { coqlEndpoint } from './declaration';
import { zohoRequest } from './request';
import { PATHS } from './zoho.constants';
import { type ZohoPage, type ZohoRecord } from './wire.types';

/**
 * COQL (`POST /coql` with `{"select_query": …}`, docs/vendors/zoho.md "Connector: COQL"): what the
 * connector pages by keyset with (`where id > '<last>' order by id limit N`) and reads changes and a
 * contact's deals with. A query costs credits by its LIMIT (`declaration.ts`). Values enter a query
 * only through {@link quote} (a string literal) or as digits already checked.
 */

/** A COQL string literal: single quotes, with `\` and `'` escaped. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A COQL datetime literal: ISO-8601 to the second, UTC as `+00:00` (Zoho's form). */
export function coqlTime(ms: number): string {
  return quote(new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00'));
}

export interface CoqlSelect {
  fields: readonly string[];
  module: string;
  where: string;
  orderBy: string;
  limit: number;
}

export function selectQuery(q: CoqlSelect): string {
  return `select ${q.fields.join(', ')} from ${q.module} where ${q.where} order by ${q.orderBy} limit ${q.limit}`;
}

/** The rows of one query (none on 204), and whether more match past the limit. */
export async function coql(api: ZohoApi, q: CoqlSelect): Promise<{ rows: ZohoRecord[]; more: boolean }> {
  const page = await zohoRequest<ZohoPage>(api, coqlEndpoint(q.limit), {
    method: 'POST',
    url: PATHS.coql,
    json: { select_query: selectQuery(q) },
    // A query changes nothing.
    idempotent: true,
  });
  const rows = page.data ?? [];
  return { rows, more: page.info?.more_records === true };
}
