import { createHash } from 'node:crypto';
import {
  type CrmObject,
  type ListFilterSupport,
  type NativeListFilter,
  WORD_PREFIX,
} from '../connectors/types';
import { BadUserInputError } from '../errors';
import { type ConnectionReader } from '../loaders/read-loaders';
import { type ObjectMapping } from '../mapping/types';
import { type CanonicalRecord } from './canonical';

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
 * Cursors are opaque and carry a fingerprint of the filter (and of what was pushed down): a cursor is
 * accepted only with the filter it was issued for, since it points into that filter's vendor listing.
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

/** Where to resume: the vendor cursor of a page, how many of its records were consumed, its size. */
interface Position {
  v: string | null;
  s: number;
  p: number;
  /** Fingerprint of the filter; absent for an unfiltered list. */
  f?: string;
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
  const normal = normalize(filter);
  const predicate = matcher(object, normal);
  const mapping = await reader.mapping(object);
  const pushdown = plan(reader.connector.listFilters, mapping.mapping, normal);
  const f = fingerprint(normal, pushdown.native);
  const start = args.after
    ? decodePosition(args.after, f)
    : {
        v: null,
        s: 0,
        // Fully pushed down, the vendor's pages hold (about) only matches: ask for what the page needs.
        p: predicate && !pushdown.complete ? Math.max(args.first, FILTER_SCAN_PAGE_SIZE) : args.first,
        ...(f ? { f } : {}),
      };
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
      includeDeleted: normal.includeDeleted,
      ...(pushdown.native ? { filter: pushdown.native } : {}),
    });
    const after = (i: number): Position | null =>
      i < page.items.length ? { ...at, s: i } : page.nextCursor ? { ...at, v: page.nextCursor, s: 0 } : null;
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
    at = { ...at, v: page.nextCursor, s: 0 };
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
 * change between pages changes the vendor listing too). Undefined for a plain list, so its cursors stay
 * as they were.
 */
function fingerprint(f: NormalFilter, native: NativeListFilter | null): string | undefined {
  if (!f.email && !f.prefix && !f.since && !f.includeDeleted) return undefined;
  const key = JSON.stringify([f.email, f.prefix, f.since?.toISOString() ?? null, f.includeDeleted, native]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

function encodePosition(p: Position): string {
  return Buffer.from(JSON.stringify(p), 'utf8').toString('base64url');
}

function decodePosition(cursor: string, f: string | undefined): Position {
  let position: Position | null = null;
  try {
    const p = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
    if (
      (p.v === null || typeof p.v === 'string') &&
      Number.isInteger(p.s) &&
      (p.s as number) >= 0 &&
      Number.isInteger(p.p) &&
      (p.p as number) > 0 &&
      (p.f === undefined || typeof p.f === 'string')
    ) {
      position = { v: p.v, s: p.s as number, p: p.p as number, ...(p.f ? { f: p.f } : {}) };
    }
  } catch {
    // Falls through to the error below.
  }
  if (!position) {
    throw new BadUserInputError(
      `after must be an endCursor or edge cursor this API returned; got ${JSON.stringify(cursor.slice(0, 80))}`,
    );
  }
  if (position.f !== f) {
    throw new BadUserInputError(
      'after was issued for another filter (or before the connection’s field mapping changed): pass the ' +
        'filter it was issued with, or start again without after',
    );
  }
  return position;
}
