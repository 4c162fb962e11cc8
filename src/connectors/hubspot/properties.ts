import { type CrmObject, type NativeField } from '../types';
import { type HubSpotApi } from './api-context';
import { PATHS, PROPERTY_CACHE_TTL_MS } from './hubspot.constants';
import { toNativeField } from './mappers';
import { type HsProperty } from './wire.types';

/**
 * Field metadata from the Properties API (docs/vendors/hubspot.md "Properties"). Reads name every property the portal defines, custom ones
 * included (HubSpot returns only a handful of defaults when a read names none), so the list is cached
 * in-process per connection for {@link PROPERTY_CACHE_TTL_MS}: one metadata call per connection and
 * object every few minutes, not one per request.
 *
 * Property names are flat: a read cannot follow a reference to another object's property (associations
 * are their own API), so the connector declares no `relationships` and a dotted native path in a field
 * mapping is refused before it is stored (`connectors/relationship-paths.ts`).
 */

interface CacheEntry {
  at: number;
  fields: Promise<NativeField[]>;
}

const cache = new Map<string, CacheEntry>();

export async function fetchProperties(api: HubSpotApi, obj: CrmObject): Promise<NativeField[]> {
  const res = await api.http.request<{ results: HsProperty[] }>({
    method: 'GET',
    url: PATHS.properties(obj),
  });
  return (res.body?.results ?? []).filter((p) => p.archived !== true).map(toNativeField);
}

/** The fields of `obj` for this connection, from cache when fresh; a failed read is not cached. */
export function cachedProperties(
  api: HubSpotApi,
  obj: CrmObject,
  now: number = Date.now(),
): Promise<NativeField[]> {
  const hit = cache.get(cacheKey(api.connectionId, obj));
  if (hit && now - hit.at < PROPERTY_CACHE_TTL_MS) return hit.fields;
  return freshProperties(api, obj, now);
}

/** Reads the fields of `obj` now and keeps them for later reads (describeFields: a property may be new). */
export function freshProperties(
  api: HubSpotApi,
  obj: CrmObject,
  now: number = Date.now(),
): Promise<NativeField[]> {
  const key = cacheKey(api.connectionId, obj);
  const fields = fetchProperties(api, obj);
  cache.set(key, { at: now, fields });
  fields.catch(() => {
    if (cache.get(key)?.fields === fields) cache.delete(key);
  });
  return fields;
}

function cacheKey(connectionId: string, obj: CrmObject): string {
  return `${connectionId}\u0000${obj}`;
}

/** Property names to request on reads of `obj`. */
export async function propertyNames(api: HubSpotApi, obj: CrmObject): Promise<string[]> {
  return (await cachedProperties(api, obj)).map((f) => f.name);
}

/** Forgets cached metadata (after a property is created, and between tests). */
export function forgetProperties(connectionId?: string): void {
  if (connectionId === undefined) cache.clear();
  else for (const key of cache.keys()) if (key.startsWith(`${connectionId}\u0000`)) cache.delete(key);
}
