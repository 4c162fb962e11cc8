import { type CrmObject } from '../connectors/types';
import { type CanonicalRecord, LazyCanonicalRecord } from './canonical';
import { type CursorBinding, type ListCursorSeal, type ListPosition } from './list-cursor';
import { type ListFilter, fingerprint, matcher, normalize, plan } from './list-filters';
import { type ConnectionReader } from './read-loaders';

export type { ListFilter } from './list-filters';

/**
 * Cursor pagination over a connector's list, with filters.
 *
 * Filters are pushed down to the vendor where the connector declares it can (`listFilters`), in native
 * field names translated through the connection's effective mapping: the vendor then returns (about)
 * only the matches, and finding one contact by email is one vendor call. The exact canonical filter is
 * applied after fetch as well — on top of a pushdown (a vendor may match more loosely: word tokens,
 * a modification stamp later than updatedAt) and alone where nothing could be pushed (a connector
 * without the capability, a field whose mapping transforms the value, a CRM that cannot search deleted records with includeDeleted).
 * A filtered page is filled from further vendor pages rather than returned short; when the scan limit
 * stops it first, the page says so (`scanLimitReached`).
 *
 * Cursors are sealed (`list-cursor.ts`) and bound to the tenant, connection, object and a fingerprint
 * of the filter (and of what was pushed down): a cursor is accepted only for the list it was issued
 * for, since it points into that list's vendor listing. A connector that gives per-record cursors
 * (`Page.itemCursors`, keyset paging) makes every edge cursor resume exactly after its record, whatever
 * `first` the next page asks for; otherwise a cursor names a vendor page and how much of it was
 * returned, and the next page re-reads that vendor page to skip it.
 */

/** Vendor pages one list call may read to fill a filtered page. */
export const MAX_SCAN_PAGES = 5;
/** Vendor page size while filtering after fetch: bigger pages, fewer calls per filled page. */
const FILTER_SCAN_PAGE_SIZE = 100;

export interface ListedPage {
  edges: { cursor: string; node: CanonicalRecord }[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** Records the vendor returned that the after-fetch filters dropped. */
  filteredOut: number;
  scanLimitReached: boolean;
}

export async function listPage(
  reader: ConnectionReader,
  object: CrmObject,
  args: { first: number; after?: string | null; filter?: ListFilter | null },
  seal: ListCursorSeal,
): Promise<ListedPage> {
  const normal = normalize(args.filter ?? {});
  const predicate = matcher(object, normal);
  // The filter and the cursor need only the stored mapping: a forged cursor is refused before even a
  // metadata call (the mapping fitted to the CRM's custom fields comes after).
  const { metadata, loaders } = reader;
  const pushdown = plan(metadata.connector.listFilters, metadata.storedMapping(object).mapping, normal);
  const binding: CursorBinding = {
    tenantId: reader.connection.tenantId,
    connectionId: reader.connection.id,
    object,
    filter: fingerprint(normal, pushdown.native),
  };
  // Opened before anything is read: a forged or foreign cursor (an empty one too) costs no vendor call.
  const resume = args.after != null ? seal.open(args.after, binding) : null;
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
  const { mapping } = await metadata.mapping(object);
  const connector = await metadata.reading(object);
  // Fully pushed down, the vendor's pages hold (about) only matches: ask for what the page needs.
  const wanted = predicate && !pushdown.complete ? Math.max(args.first, FILTER_SCAN_PAGE_SIZE) : args.first;
  // A position inside a vendor page re-reads that page at the size it was read with, to skip what was
  // returned; one right after a record (s = 0) reads at the size this page needs.
  let at: ListPosition = resume && resume.s > 0 ? resume : { v: resume?.v ?? null, s: 0, p: wanted };
  const ctx = await metadata.mappingContext(object);
  const sealed = (position: ListPosition): string => seal.seal(position, binding);
  const edges: ListedPage['edges'] = [];
  let filteredOut = 0;
  let next: ListPosition | null = null;
  let scanLimitReached = false;
  for (let pages = 1; ; pages += 1) {
    const page = await connector.listRecords(object, {
      pageSize: at.p,
      cursor: at.v,
      includeDeleted: normal.includeDeleted,
      ...(pushdown.native ? { filter: pushdown.native } : {}),
    });
    const read = at;
    const last = page.items.length - 1;
    // Where the list continues after item i; null after the last record of the list.
    const after = (i: number): ListPosition | null => {
      if (i === last && !page.nextCursor) return null;
      if (page.itemCursors) return { v: page.itemCursors[i]!, s: 0, p: read.p };
      return i < last ? { ...read, s: i + 1 } : { v: page.nextCursor, s: 0, p: read.p };
    };
    let filled = false;
    for (let i = read.s; i <= last; i += 1) {
      const record = new LazyCanonicalRecord(reader.connection.id, object, mapping, page.items[i]!, ctx);
      loaders.prime(record);
      if (predicate && !predicate(record)) {
        filteredOut += 1;
        continue;
      }
      // The last record's cursor resumes to an empty page: it must still name its own place.
      const position =
        after(i) ?? (page.itemCursors ? { v: page.itemCursors[i]!, s: 0, p: read.p } : { ...read, s: i + 1 });
      edges.push(lazyEdge(record, () => sealed(position)));
      if (edges.length >= args.first) {
        next = after(i);
        filled = true;
        break;
      }
    }
    if (filled || !page.nextCursor) break;
    at = { v: page.nextCursor, s: 0, p: read.p };
    if (pages >= MAX_SCAN_PAGES) {
      next = at;
      scanLimitReached = true;
      break;
    }
  }
  // Sealed when read, as the edges' cursors are: a query that selects no pageInfo seals nothing.
  let endCursor: string | null | undefined;
  return {
    edges,
    get endCursor() {
      if (endCursor === undefined)
        endCursor = next ? sealed(next) : (edges[edges.length - 1]?.cursor ?? null);
      return endCursor;
    },
    hasNextPage: next !== null,
    filteredOut,
    scanLimitReached,
  };
}

/** An edge whose cursor is sealed only when a client selects it (most pages ask for nodes alone). */
function lazyEdge(node: CanonicalRecord, cursor: () => string): ListedPage['edges'][number] {
  let value: string | undefined;
  return {
    node,
    get cursor() {
      return (value ??= cursor());
    },
  };
}
