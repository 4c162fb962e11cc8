// v2 cursor paging (docs/vendors/pipedrive.md "Persons"): `limit` (default 100, at most 500) and an
// opaque `next_cursor`, null on the last page. The cursor holds the sort position of the last row
// (value and id, so rows sharing a timestamp are neither skipped nor repeated) and the order it was
// made for; one made for another order or query is refused.
import { LIST } from './constants';
import { badRequest } from './errors';

export interface CursorPosition {
  /** Sort key of the last row returned. */
  v: number;
  id: number;
  /** The order the cursor belongs to, e.g. `update_time:asc`. */
  o: string;
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export function decodeCursor(cursor: string, order: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as Partial<CursorPosition> | undefined;
  if (!p || typeof p.v !== 'number' || typeof p.id !== 'number' || p.o !== order || cursor.length > 2048)
    throw badRequest('Validation failed: cursor: Invalid cursor');
  return p as CursorPosition;
}

export function parseLimit(
  raw: string | undefined,
  max: number = LIST.maxLimit,
  fallback: number = LIST.defaultLimit,
): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw badRequest(
      `Validation failed: limit: expected an integer from 1 to ${max}, got ${JSON.stringify(raw)}`,
    );
  return n;
}

/** One page of rows already filtered: sorted by (key, id) in the given direction, after the cursor. */
export function pageOf<T extends { id: number }>(
  rows: T[],
  key: (row: T) => number,
  direction: 'asc' | 'desc',
  limit: number,
  order: string,
  cursor: string | undefined,
): { page: T[]; nextCursor: string | null } {
  const sign = direction === 'asc' ? 1 : -1;
  const cmp = (a: { v: number; id: number }, b: { v: number; id: number }): number =>
    sign * (a.v - b.v || a.id - b.id);
  let sorted = rows.map((row) => ({ row, v: key(row), id: row.id })).sort(cmp);
  if (cursor) {
    const after = decodeCursor(cursor, order);
    sorted = sorted.filter((r) => cmp(r, after) > 0);
  }
  const page = sorted.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor =
    sorted.length > limit && last ? encodeCursor({ v: last.v, id: last.id, o: order }) : null;
  return { page: page.map((r) => r.row), nextCursor };
}
