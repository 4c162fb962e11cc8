import { createHash } from 'node:crypto';
import {
  type CrmObject,
  type ListFilterSupport,
  type NativeListFilter,
  WORD_PREFIX,
} from '../connectors/types';
import { type ConnectionReader } from '../loaders/read-loaders';
import { type ObjectMapping } from '../mapping/types';
import { type CanonicalRecord } from './canonical';
import { type CursorBinding, type ListCursorSeal, type ListPosition } from './list-cursor';

/**
 * Cursor pagination over a connector's list, with filters.
 *
 * Filters are pushed down to the vendor where the connector declares it can (`listFilters`), in native
 * field names translated through the connection's effective mapping: the vendor then returns (about)
 * only the matches, and finding one contact by email is one vendor call. The exact canonical filter is
 * applied after fetch as well — on top of a pushdown (a vendor may match more loosely: word tokens,
 * a modification stamp later than updatedAt) and alone where nothing could be pushed (a connector
 * without the capability, a field whose mapping transforms the value, HubSpot with includeDeleted).
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

export interface ListFilter {
  /** Exact, case-insensitive (contacts). */
  email?: string | null;
  /** Case-insensitive prefix of first name, last name or "first last" (contacts), of name (deals). */
  namePrefix?: string | null;
  /** updatedAt ≥ this. */
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
  const pushdown = plan(reader.connector.listFilters, reader.storedMapping(object).mapping, normal);
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
  const mapping = await reader.mapping(object);
  const connector = await reader.reading(object);
  // Fully pushed down, the vendor's pages hold (about) only matches: ask for what the page needs.
  const wanted = predicate && !pushdown.complete ? Math.max(args.first, FILTER_SCAN_PAGE_SIZE) : args.first;
  // A position inside a vendor page re-reads that page at the size it was read with, to skip what was
  // returned; one right after a record (s = 0) reads at the size this page needs.
  let at: ListPosition = resume && resume.s > 0 ? resume : { v: resume?.v ?? null, s: 0, p: wanted };
  const ctx = await reader.mappingContext(object);
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
      const record = reader.toRecord(object, mapping, page.items[i]!, ctx);
      reader.prime(record);
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
  return {
    edges,
    endCursor: next ? sealed(next) : (edges[edges.length - 1]?.cursor ?? null),
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

/** The filter as it is compared: trimmed, lower-cased, empty parts dropped. */
interface NormalFilter {
  email: string | null;
  prefix: string | null;
  since: Date | null;
  includeDeleted: boolean;
}

function normalize(f: ListFilter): NormalFilter {
  const email = f.email?.trim().toLowerCase();
  const prefix = f.namePrefix?.trim().toLowerCase();
  return {
    email: email || null,
    prefix: prefix || null,
    since: f.updatedSince ?? null,
    includeDeleted: f.includeDeleted ?? false,
  };
}

function matcher(object: CrmObject, f: NormalFilter): ((r: CanonicalRecord) => boolean) | null {
  const { email, prefix } = f;
  const since = f.since?.getTime();
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

/** What goes to the connector, and whether it is every part of the filter. */
interface Pushdown {
  native: NativeListFilter | null;
  /** Every filter part was pushed down (the after-fetch filter then only tightens vendor rules). */
  complete: boolean;
}

/**
 * The native filter the connector can apply, translated through the mapping. A canonical field pushes
 * down only when a plain `string` transform of a field on the object itself feeds it: a transformed
 * value cannot be compared natively. Each part either pushes down whole or not at all, so the vendor
 * never drops a record the canonical filter would keep.
 */
function plan(support: ListFilterSupport | undefined, mapping: ObjectMapping, f: NormalFilter): Pushdown {
  const wanted = Number(f.email !== null) + Number(f.prefix !== null) + Number(f.since !== null);
  if (!support || wanted === 0 || (f.includeDeleted && !support.withDeleted)) {
    return { native: null, complete: wanted === 0 };
  }
  const native: NativeListFilter = {};
  let pushed = 0;
  const emailField = f.email && support.equals ? plainNative(mapping, 'email') : null;
  if (f.email && emailField) {
    native.equals = [{ field: emailField, value: f.email }];
    pushed += 1;
  }
  const prefix = f.prefix ? prefixEntries(mapping, f.prefix) : null;
  if (prefix && prefixSupported(support.prefix, prefix)) {
    native.prefix = prefix;
    pushed += 1;
  }
  if (f.since && support.modifiedSince) {
    native.modifiedSince = f.since;
    pushed += 1;
  }
  return { native: pushed > 0 ? native : null, complete: pushed === wanted };
}

/** The native field behind `canonical` when it is read as is (a plain string, no relationship path). */
function plainNative(mapping: ObjectMapping, canonical: string): string | null {
  const entry = mapping.fields.find((e) => e.canonical === canonical);
  return entry && entry.transform.kind === 'string' && !entry.native.includes('.') ? entry.native : null;
}

/**
 * Native prefix entries (OR'd) covering every record the canonical prefix matches. Deals: the name.
 * Contacts: first name or last name starts with the prefix, or "first last" does — which, for a prefix
 * with a space, means the first name starts with its first word; so the first name takes that word
 * (a superset), the last name the whole prefix.
 */
function prefixEntries(mapping: ObjectMapping, prefix: string): NativeListFilter['prefix'] | null {
  if (mapping.object === 'deal') {
    const name = plainNative(mapping, 'name');
    return name ? [{ field: name, value: prefix }] : null;
  }
  const first = plainNative(mapping, 'firstName');
  const last = plainNative(mapping, 'lastName');
  if (!first || !last) return null;
  const firstWord = prefix.split(/\s/)[0]!;
  return [
    { field: first, value: firstWord },
    { field: last, value: prefix },
  ];
}

function prefixSupported(
  support: ListFilterSupport['prefix'],
  entries: NonNullable<NativeListFilter['prefix']>,
): boolean {
  if (support === 'any') return true;
  return support === 'word' && entries.every((e) => WORD_PREFIX.test(e.value));
}

/**
 * A short hash of what a cursor's listing depends on: the filter and what was pushed down (a mapping
 * change between pages changes the vendor listing too). Cursors are bound to it (`list-cursor.ts`).
 */
function fingerprint(f: NormalFilter, native: NativeListFilter | null): string {
  if (!f.email && !f.prefix && !f.since && !f.includeDeleted) return 'none';
  const key = JSON.stringify([f.email, f.prefix, f.since?.toISOString() ?? null, f.includeDeleted, native]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}
