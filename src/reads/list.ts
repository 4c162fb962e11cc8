import { type CrmObject } from '../connectors/types';
import { BadUserInputError } from '../errors';
import { type ConnectionReader } from '../loaders/read-loaders';
import { type CanonicalRecord } from './canonical';

/**
 * Cursor pagination over a connector's list, with the filters the connector interface cannot pass to
 * the vendor applied after fetch. A filtered page is filled from further vendor pages rather than
 * returned short; when the scan limit stops it first, the page says so (`scanLimitReached`).
 */

/** Vendor pages one list call may read to fill a filtered page. */
export const MAX_SCAN_PAGES = 5;
/** Vendor page size while filtering after fetch: bigger pages, fewer calls per filled page. */
const FILTER_SCAN_PAGE_SIZE = 100;

export interface ListFilter {
  /** Exact, case-insensitive (contacts). After fetch. */
  email?: string | null;
  /** Case-insensitive prefix of first name, last name or "first last" (contacts), of name (deals). After fetch. */
  namePrefix?: string | null;
  /** updatedAt ≥ this. After fetch. */
  updatedSince?: Date | null;
  /** Archived/soft-deleted records too. Applied by the vendor. */
  includeDeleted?: boolean | null;
}

export interface ListedPage {
  edges: { cursor: string; node: CanonicalRecord }[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** Records the vendor returned that the after-fetch filters dropped. */
  filteredOut: number;
  scanLimitReached: boolean;
}

/** Where to resume: the vendor cursor of a page, how many of its records were consumed, its size. */
interface Position {
  v: string | null;
  s: number;
  p: number;
}

export async function listPage(
  reader: ConnectionReader,
  object: CrmObject,
  args: { first: number; after?: string | null; filter?: ListFilter | null },
): Promise<ListedPage> {
  if (args.first === 0) {
    // Nothing asked, nothing fetched: the caller learns only where it stands.
    return {
      edges: [],
      endCursor: args.after ?? null,
      hasNextPage: true,
      filteredOut: 0,
      scanLimitReached: false,
    };
  }
  const filter = args.filter ?? {};
  const predicate = matcher(object, filter);
  const start = args.after
    ? decodePosition(args.after)
    : { v: null, s: 0, p: predicate ? Math.max(args.first, FILTER_SCAN_PAGE_SIZE) : args.first };
  const mapping = await reader.mapping(object);
  const ctx = await reader.mappingContext(object);
  const edges: ListedPage['edges'] = [];
  let filteredOut = 0;
  let at: Position = start;
  let next: Position | null = null;
  let scanLimitReached = false;
  for (let pages = 1; ; pages += 1) {
    const page = await reader.connector.listRecords(object, {
      pageSize: at.p,
      cursor: at.v,
      includeDeleted: filter.includeDeleted ?? false,
    });
    const after = (i: number): Position | null =>
      i < page.items.length
        ? { ...at, s: i }
        : page.nextCursor
          ? { v: page.nextCursor, s: 0, p: at.p }
          : null;
    let filled = false;
    for (let i = at.s; i < page.items.length; i += 1) {
      const record = reader.toRecord(object, mapping, page.items[i]!, ctx);
      reader.prime(record);
      if (predicate && !predicate(record)) {
        filteredOut += 1;
        continue;
      }
      const position = after(i + 1);
      edges.push({
        cursor: position ? encodePosition(position) : encodePosition({ ...at, s: i + 1 }),
        node: record,
      });
      if (edges.length >= args.first) {
        next = position;
        filled = true;
        break;
      }
    }
    if (filled) break;
    if (!page.nextCursor) break;
    at = { v: page.nextCursor, s: 0, p: at.p };
    if (pages >= MAX_SCAN_PAGES) {
      next = at;
      scanLimitReached = true;
      break;
    }
  }
  return {
    edges,
    endCursor: next ? encodePosition(next) : (edges[edges.length - 1]?.cursor ?? null),
    hasNextPage: next !== null,
    filteredOut,
    scanLimitReached,
  };
}

function matcher(object: CrmObject, f: ListFilter): ((r: CanonicalRecord) => boolean) | null {
  const email = f.email?.trim().toLowerCase();
  const prefix = f.namePrefix?.trim().toLowerCase();
  const since = f.updatedSince?.getTime();
  if (!email && !prefix && since === undefined) return null;
  const text = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');
  return (r) => {
    if (email && text(r.fields.email) !== email) return false;
    if (since !== undefined && (r.updatedAt?.getTime() ?? -Infinity) < since) return false;
    if (prefix) {
      const names =
        object === 'contact'
          ? [
              text(r.fields.firstName),
              text(r.fields.lastName),
              `${text(r.fields.firstName)} ${text(r.fields.lastName)}`,
            ]
          : [text(r.fields.name)];
      if (!names.some((n) => n.startsWith(prefix))) return false;
    }
    return true;
  };
}

function encodePosition(p: Position): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

function decodePosition(cursor: string): Position {
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
    if (
      (p.v === null || typeof p.v === 'string') &&
      Number.isInteger(p.s) &&
      (p.s as number) >= 0 &&
      Number.isInteger(p.p) &&
      (p.p as number) > 0
    ) {
      return { v: p.v, s: p.s as number, p: p.p as number };
    }
  } catch {
    // Falls through to the error below.
  }
  throw new BadUserInputError(
    `after must be an endCursor or edge cursor this API returned; got ${JSON.stringify(cursor.slice(0, 80))}`,
  );
}
