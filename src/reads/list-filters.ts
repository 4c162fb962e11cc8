import { createHash } from 'node:crypto';
import {
  type CrmObject,
  type ListFilterSupport,
  type NativeListFilter,
  WORD_PREFIX,
} from '../connectors/types';
import { type ObjectMapping } from '../mapping/types';
import { type CanonicalRecord } from './canonical';

/**
 * A list's filters: normalized, matched exactly against canonical records after fetch, and planned
 * for pushdown to the vendor in native field names (see `list.ts` for how a list uses them).
 */

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

/** The filter as it is compared: trimmed, lower-cased, empty parts dropped. */
export interface NormalFilter {
  email: string | null;
  prefix: string | null;
  since: Date | null;
  includeDeleted: boolean;
}

export function normalize(f: ListFilter): NormalFilter {
  const email = f.email?.trim().toLowerCase();
  const prefix = f.namePrefix?.trim().toLowerCase();
  return {
    email: email || null,
    prefix: prefix || null,
    since: f.updatedSince ?? null,
    includeDeleted: f.includeDeleted ?? false,
  };
}

export function matcher(object: CrmObject, f: NormalFilter): ((r: CanonicalRecord) => boolean) | null {
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
export interface Pushdown {
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
export function plan(
  support: ListFilterSupport | undefined,
  mapping: ObjectMapping,
  f: NormalFilter,
): Pushdown {
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
export function fingerprint(f: NormalFilter, native: NativeListFilter | null): string {
  if (!f.email && !f.prefix && !f.since && !f.includeDeleted) return 'none';
  const key = JSON.stringify([f.email, f.prefix, f.since?.toISOString() ?? null, f.includeDeleted, native]);
  return createHash('sha256').update(key).digest('base64url').slice(0, 22);
}
