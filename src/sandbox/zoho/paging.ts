// Paging of record lists (docs/vendors/zoho.md "Listing records"): `page` × `per_page` reaches the
// first 2,000 records; past them the client follows `next_page_token`, which is bound to the query it
// came from, expires, and stops at 100,000 records. A page token is an opaque handle on a position the
// sandbox keeps (last sort key and id, so rows sharing a timestamp are neither skipped nor repeated).
import { randomBytes } from 'node:crypto';
import { LIST } from './constants';
import { invalidData, ZohoError } from './errors';
import { compareIds } from './store';

export interface PagePosition {
  /** Sort key of the last row returned, and its id. */
  v: number;
  id: string;
  /** Rows returned so far through this chain of pages. */
  served: number;
  /** Page number the token leads to. */
  page: number;
}

interface TokenEntry extends PagePosition {
  /** The query the token is bound to (module, fields, sort, filters). */
  bound: string;
  expiresAt: number;
}

/** Every live page token of one org. */
export class PageTokens {
  private readonly tokens = new Map<string, TokenEntry>();

  issue(
    bound: string,
    position: PagePosition,
    now: number,
    ttlMs: number,
  ): { token: string; expiresAt: number } {
    this.sweep(now);
    const token = randomBytes(24).toString('hex');
    const expiresAt = now + ttlMs;
    this.tokens.set(token, { ...position, bound, expiresAt });
    return { token, expiresAt };
  }

  /** The position a token stands for; refused when unknown, bound to another query, or expired. */
  resolve(token: string, bound: string, now: number): PagePosition {
    const entry = token.length <= LIST.maxPageTokenLength ? this.tokens.get(token) : undefined;
    if (!entry || entry.bound !== bound)
      throw new ZohoError(
        400,
        'TOKEN_BOUND_DATA_MISMATCH',
        'The page_token given seems to be invalid or input param is added or altered or deleted',
        { param_name: 'page_token' },
      );
    if (entry.expiresAt <= now)
      throw new ZohoError(400, 'EXPIRED_VALUE', 'Page token expired', {
        api_name: 'page_token',
        json_path: '$.query.page_token',
      });
    return entry;
  }

  private sweep(now: number): void {
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
  }
}

export function intParam(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw invalidData(`invalid data for ${name}`, { param_name: name, minimum: min, maximum: max });
  return n;
}

export interface SortedRow<T> {
  row: T;
  v: number;
  id: string;
}

/** Rows sorted by (key, id) in a direction; `after` drops everything up to a position. */
export function sortRows<T extends { id: string }>(
  rows: T[],
  key: (row: T) => number,
  direction: 'asc' | 'desc',
  after?: { v: number; id: string },
): SortedRow<T>[] {
  const sign = direction === 'asc' ? 1 : -1;
  const cmp = (a: { v: number; id: string }, b: { v: number; id: string }): number =>
    sign * (a.v - b.v || compareIds(a.id, b.id));
  let sorted = rows.map((row) => ({ row, v: key(row), id: row.id })).sort(cmp);
  if (after) sorted = sorted.filter((r) => cmp(r, after) > 0);
  return sorted;
}
