import { type CrmObject, type NativeField } from '../connectors/types';

/**
 * The field metadata reads fit the mapping to (custom fields read by default), kept in-process per
 * connection and object. A connector's `describeFields` always asks the CRM (mapping editors must see
 * a field created a moment ago); reads must not pay a metadata call per request, so they reuse an
 * answer for {@link READ_DESCRIBE_TTL_MS}, and every fresh describe (fieldMetadata, updateFieldMapping)
 * refreshes it. Field metadata is the account's, not a record: sharing it between requests of the
 * connection leaks nothing. A failed describe is not kept (the next read asks again).
 */

/** How long reads trust learned field metadata: a custom field created meanwhile is read after that. */
export const READ_DESCRIBE_TTL_MS = 15 * 60 * 1000;

interface Entry {
  at: number;
  fields: Promise<NativeField[]>;
  /** The answer once it arrived: what {@link describedNow} hands out without waiting. */
  settled?: NativeField[];
}

const entries = new Map<string, Entry>();
const keyOf = (connectionId: string, object: CrmObject): string => `${connectionId}\u0000${object}`;

/** The fresh answer for (connection, object), else `describe()`'s, kept from `now` once it succeeds. */
export function describedForReads(
  connectionId: string,
  object: CrmObject,
  describe: () => Promise<NativeField[]>,
  now: number = Date.now(),
): Promise<NativeField[]> {
  const hit = entries.get(keyOf(connectionId, object));
  if (hit && now - hit.at < READ_DESCRIBE_TTL_MS) return hit.fields;
  return rememberDescribed(connectionId, object, describe(), now);
}

/** Keeps a describe's answer (a fresh one obtained for another reason) for later reads. */
export function rememberDescribed(
  connectionId: string,
  object: CrmObject,
  fields: Promise<NativeField[]>,
  now: number = Date.now(),
): Promise<NativeField[]> {
  const key = keyOf(connectionId, object);
  const entry: Entry = { at: now, fields };
  entries.set(key, entry);
  fields.then(
    (value) => {
      entry.settled = value;
    },
    () => {
      if (entries.get(key)?.fields === fields) entries.delete(key);
    },
  );
  return fields;
}

/**
 * The answer {@link describedForReads} would give at once, without a call: undefined while none is
 * fresh or the one asked for has not arrived. What a request's connector is built with, so that a warm
 * connection is read through one connector (`read-metadata.ts`).
 */
export function describedNow(
  connectionId: string,
  object: CrmObject,
  now: number = Date.now(),
): NativeField[] | undefined {
  const hit = entries.get(keyOf(connectionId, object));
  return hit && now - hit.at < READ_DESCRIBE_TTL_MS ? hit.settled : undefined;
}

/** Forgets one connection's metadata, or all (between tests). */
export function forgetDescribedForReads(connectionId?: string): void {
  if (connectionId === undefined) entries.clear();
  else for (const key of entries.keys()) if (key.startsWith(`${connectionId}\u0000`)) entries.delete(key);
}
