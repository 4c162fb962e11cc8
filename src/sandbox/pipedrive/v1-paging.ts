// v1 offset paging (docs/vendors/pipedrive.md "Envelopes"): `start` / `limit`, answered under
// `additional_data.pagination` with `more_items_in_collection` and, when there is more, `next_start`.
import { badRequest } from './errors';
import { parseLimit } from './paging';

export function parseStart(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0)
    throw badRequest(`start: expected a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function v1Page<T>(
  rows: T[],
  query: Record<string, string | undefined>,
): { data: T[]; additional_data: unknown } {
  const start = parseStart(query.start);
  const limit = parseLimit(query.limit);
  const data = rows.slice(start, start + limit);
  const more = start + limit < rows.length;
  return {
    data,
    additional_data: {
      pagination: {
        start,
        limit,
        more_items_in_collection: more,
        ...(more ? { next_start: start + limit } : {}),
      },
    },
  };
}
