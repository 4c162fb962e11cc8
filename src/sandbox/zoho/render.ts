// A record as the API returns it (docs/vendors/zoho.md "Records"): `id` always, then the requested
// fields by API name; users as `{name, id, email}`, lookups as `{name, id}`, datetimes in ISO 8601
// with an offset and whole seconds, unset fields as null.
import { type ModuleName } from './constants';
import { MODULE_FIELDS } from './fields';
import { type OrgStore, type ZohoRecord } from './store';

/** `2024-01-15T15:26:49+00:00`: Zoho's datetime form (the sandbox's users are all on UTC). */
export function zohoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

export function userRef(store: OrgStore, id: string): { name: string; id: string; email: string } | null {
  const user = store.user(id);
  return user ? { name: user.full_name, id: user.id, email: user.email } : null;
}

/** The name a record shows as (a lookup's `name`, a deleted record's `display_name`). */
export function displayName(record: ZohoRecord): string {
  const v = record.values;
  if (record.module === 'Deals') return String(v.Deal_Name ?? '');
  return [v.First_Name, v.Last_Name].filter((x) => typeof x === 'string' && x !== '').join(' ');
}

function lookupRef(store: OrgStore, value: unknown, target: ModuleName | 'Accounts' | undefined): unknown {
  if (!value || typeof value !== 'object') return null;
  const id = String((value as { id?: unknown }).id ?? '');
  if (target === 'Contacts' || target === 'Deals') {
    const linked = store.get(target, id);
    return linked ? { name: displayName(linked), id } : null;
  }
  return { name: (value as { name?: unknown }).name ?? null, id };
}

/** One field's API value. */
export function fieldValue(store: OrgStore, record: ZohoRecord, apiName: string): unknown {
  switch (apiName) {
    case 'id':
      return record.id;
    case 'Owner':
      return userRef(store, record.ownerId);
    case 'Created_By':
      return userRef(store, record.createdById);
    case 'Modified_By':
      return userRef(store, record.modifiedById);
    case 'Created_Time':
      return zohoTime(record.createdTime);
    case 'Modified_Time':
      return zohoTime(record.modifiedTime);
    case 'Full_Name':
      return record.module === 'Contacts' ? displayName(record) : null;
    default: {
      const def = MODULE_FIELDS[record.module].find((f) => f.api_name === apiName);
      const raw = record.values[apiName];
      if (def?.data_type === 'lookup') return lookupRef(store, raw, def.lookup);
      return raw === undefined ? null : raw;
    }
  }
}

/** The record with `id` and the given fields (every field when `fields` is undefined). */
export function renderRecord(
  store: OrgStore,
  record: ZohoRecord,
  fields?: readonly string[],
): Record<string, unknown> {
  const names = fields ?? MODULE_FIELDS[record.module].map((f) => f.api_name);
  const out: Record<string, unknown> = { id: record.id };
  for (const name of names) out[name] = fieldValue(store, record, name);
  return out;
}

/** What a write answers per record in `details` (docs/vendors/zoho.md "Writing records"). */
export function writeDetails(store: OrgStore, record: ZohoRecord): Record<string, unknown> {
  return {
    Modified_Time: zohoTime(record.modifiedTime),
    Modified_By: { name: store.user(record.modifiedById)?.full_name ?? null, id: record.modifiedById },
    Created_Time: zohoTime(record.createdTime),
    id: record.id,
    Created_By: { name: store.user(record.createdById)?.full_name ?? null, id: record.createdById },
  };
}
