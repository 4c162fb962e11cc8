import { CrmError } from '../../errors';
import { resolveFieldPath } from '../relationship-paths';
import { type CrmObject, type NativeRecord } from '../types';
import { type SalesforceApi } from './api-context';
import { METADATA_CACHE_TTL_MS } from './connection-cache';
import { describeFields, relationshipSupport } from './describe';
import { AUDIT_FIELDS, SALESFORCE_OBJECTS, type SalesforceSettings } from './objects';

/**
 * A selected field the org no longer has — deleted by an admin, or hidden from the integration user,
 * after a mapping named it — makes Salesforce refuse the whole query with INVALID_FIELD. One such field
 * must not fail every read of the object: on INVALID_FIELD the connector describes the object again,
 * resolves each selected field path hop by hop, drops the ones that no longer resolve, and runs the
 * read once more. Records read that way carry `refusedFields`, so the mapping layer reports each field
 * as an issue (the value reads null) while the rest of the record is served.
 *
 * What it learns is kept per connection and object for {@link METADATA_CACHE_TTL_MS}: later reads skip
 * the fields without failing first, and a field restored in the org is read again after that.
 * An INVALID_FIELD that no selected field explains (a filter, say) is the caller's error, unchanged.
 */

/** Fields every read needs: never dropped (the read fails instead). */
const ESSENTIAL: ReadonlySet<string> = new Set(AUDIT_FIELDS);

interface Learned {
  at: number;
  /** Native field path → Salesforce's reason. */
  fields: Readonly<Record<string, string>>;
}

const learned = new Map<string, Learned>();
const keyOf = (connectionId: string, obj: CrmObject): string => `${connectionId}\u0000${obj}`;

function known(connectionId: string, obj: CrmObject, now: number): Readonly<Record<string, string>> {
  const hit = learned.get(keyOf(connectionId, obj));
  if (!hit || now - hit.at >= METADATA_CACHE_TTL_MS) return {};
  return hit.fields;
}

function withoutFields(
  api: SalesforceApi,
  obj: CrmObject,
  refused: Readonly<Record<string, string>>,
): SalesforceApi {
  const drop = new Set(Object.keys(refused).map((f) => f.toLowerCase()));
  if (drop.size === 0) return api;
  const settings: SalesforceSettings = {
    ...api.settings,
    fields: {
      ...api.settings.fields,
      [obj]: api.settings.fields[obj].filter((f) => !drop.has(f.toLowerCase())),
    },
  };
  return { ...api, settings };
}

const isInvalidField = (err: unknown): err is CrmError =>
  err instanceof CrmError && err.vendorCode === 'INVALID_FIELD';

/** The selected fields of `obj` the org's metadata no longer resolves, each with why. */
async function unresolvedFields(api: SalesforceApi, obj: CrmObject): Promise<Record<string, string>> {
  const relationships = relationshipSupport(api);
  const root = {
    nativeObject: SALESFORCE_OBJECTS[obj],
    fields: await describeFields(api, obj),
  };
  const out: Record<string, string> = {};
  for (const path of api.settings.fields[obj]) {
    if (ESSENTIAL.has(path)) continue;
    const resolved = await resolveFieldPath(path, root, relationships);
    // Salesforce's own message quotes the query; the describe's answer names the field alone.
    if (!resolved.ok) out[path] = `Salesforce refused the field (INVALID_FIELD): ${resolved.problem}`;
  }
  return out;
}

export interface ReadOutcome<T> {
  result: T;
  /** Fields left out of the read, with Salesforce's reason; empty when every field was read. */
  refused: Readonly<Record<string, string>>;
}

/**
 * Runs `read` without the fields already known to be refused; on INVALID_FIELD finds which selected
 * fields the org refuses, remembers them and runs `read` once more without them.
 */
export async function readDroppingRefusedFields<T>(
  api: SalesforceApi,
  obj: CrmObject,
  read: (api: SalesforceApi) => Promise<T>,
): Promise<ReadOutcome<T>> {
  const before = known(api.connectionId, obj, api.now());
  const narrowed = withoutFields(api, obj, before);
  try {
    return { result: await read(narrowed), refused: before };
  } catch (err) {
    if (!isInvalidField(err)) throw err;
    const found = await unresolvedFields(narrowed, obj);
    if (Object.keys(found).length === 0) throw err;
    const refused = { ...before, ...found };
    learned.set(keyOf(api.connectionId, obj), { at: api.now(), fields: refused });
    return { result: await read(withoutFields(api, obj, refused)), refused };
  }
}

/** The records, each marked with the fields its read left out (records unchanged when none). */
export function markRefused<T extends NativeRecord | null>(
  records: readonly T[],
  refused: Readonly<Record<string, string>>,
): T[] {
  if (Object.keys(refused).length === 0) return [...records];
  return records.map((r) => (r === null ? r : ({ ...r, refusedFields: refused } as T)));
}

/** Forgets what was learned (one connection's, or all: between tests). */
export function forgetRefusedFields(connectionId?: string): void {
  if (connectionId === undefined) learned.clear();
  else for (const key of learned.keys()) if (key.startsWith(`${connectionId}\u0000`)) learned.delete(key);
}
