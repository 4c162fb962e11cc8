import { type CrmObject, type NativeField, type NativeFieldType } from '../types';
import { type ZohoApi } from './api-context';
import { ENDPOINT } from './declaration';
import { MetadataCache } from './metadata-cache';
import { dealStatusOf } from './stages';
import { zohoRequest } from './request';
import { MODULES, PATHS, STANDARD } from './zoho.constants';
import { type ZohoField } from './wire.types';

/**
 * Field metadata (`GET /settings/fields?module=<Module>`, docs/vendors/zoho.md "Connector: fields and mapping"). Zoho names every field, custom ones included, by its API name (`Gateway_Key`): native names
 * are those names, no translation. Custom fields are the ones marked `custom_field: true`.
 */

/** One module's fields by API name, in metadata order. */
export type FieldDirectory = ReadonlyMap<string, ZohoField>;

/** How long a directory is trusted before the metadata is read again (a field added meanwhile). */
export const DIRECTORY_TTL_MS = 5 * 60 * 1000;
const cache = new MetadataCache<FieldDirectory>(DIRECTORY_TTL_MS);

const TYPES: Readonly<Record<string, NativeFieldType>> = {
  text: 'string',
  textarea: 'text',
  email: 'email',
  phone: 'phone',
  website: 'url',
  integer: 'integer',
  bigint: 'integer',
  double: 'decimal',
  decimal: 'decimal',
  currency: 'currency',
  percent: 'percent',
  boolean: 'boolean',
  date: 'date',
  datetime: 'datetime',
  picklist: 'picklist',
  multiselectpicklist: 'multipicklist',
  lookup: 'reference',
  ownerlookup: 'reference',
  userlookup: 'reference',
  autonumber: 'string',
};

async function readFields(api: ZohoApi, obj: CrmObject): Promise<FieldDirectory> {
  const res = await zohoRequest<{ fields: ZohoField[] }>(api, ENDPOINT.read, {
    method: 'GET',
    url: PATHS.fields,
    query: { module: MODULES[obj] },
  });
  const out = new Map<string, ZohoField>();
  for (const f of res.fields ?? [])
    if (typeof f.api_name === 'string' && f.api_name !== '') out.set(f.api_name, f);
  return out;
}

/** The module's directory, from this process's cache while it is fresh. */
export function fieldDirectory(api: ZohoApi, obj: CrmObject): Promise<FieldDirectory> {
  return cache.get(`${api.connectionId}:${obj}`, api.now(), () => readFields(api, obj));
}

/** Forgets a connection's directory (a record named a field the directory lacks: a new field). */
export function forgetDirectory(connectionId: string, obj: CrmObject): void {
  cache.forget(`${connectionId}:${obj}`);
}

/**
 * Zoho's `unique` on a field is an object of options (`{casesensitive: …}`) when the field refuses
 * duplicates, and empty or absent when it does not (docs/vendors/zoho.md "Connector: fields and mapping").
 */
export function isUnique(f: ZohoField): boolean {
  if (f.unique === true) return true;
  return !!f.unique && typeof f.unique === 'object' && Object.keys(f.unique).length > 0;
}

function picklist(f: ZohoField): { value: string; label: string }[] | undefined {
  const values = (f.pick_list_values ?? []).flatMap((v) =>
    typeof v.actual_value === 'string'
      ? [{ value: v.actual_value, label: v.display_value ?? v.actual_value }]
      : [],
  );
  return values.length > 0 ? values : undefined;
}

function describe(obj: CrmObject, f: ZohoField): NativeField {
  const name = f.api_name!;
  const standard = STANDARD[obj][name];
  const type = standard?.type ?? TYPES[f.data_type ?? ''] ?? 'unknown';
  const unique = isUnique(f);
  const values = picklist(f);
  const module = f.lookup?.module?.api_name;
  return {
    name,
    label: f.field_label ?? f.display_label ?? name,
    type,
    custom: f.custom_field === true,
    required: f.system_mandatory === true,
    readOnly: f.read_only === true || f.field_read_only === true || standard?.setBy === 'vendor',
    unique,
    // An upsert keys on a unique field through `duplicate_check_fields` (`writes.ts`).
    externalId: unique && f.custom_field === true,
    ...(values ? { picklistValues: values } : {}),
    ...(type === 'reference' && module ? { referenceTo: [module] } : {}),
  };
}

export async function describeFields(api: ZohoApi, obj: CrmObject): Promise<NativeField[]> {
  const directory = await fieldDirectory(api, obj);
  const out: NativeField[] = [];
  const seen = new Set<string>();
  for (const f of directory.values()) {
    seen.add(f.api_name!);
    out.push(describe(obj, f));
  }
  // The connector's own fields: the record id, and the derived ones.
  for (const [name, { type, setBy }] of Object.entries(STANDARD[obj])) {
    if (seen.has(name) || (setBy !== 'derived' && name !== 'id')) continue;
    out.push({
      name,
      label: name,
      type,
      custom: false,
      required: false,
      readOnly: true,
      unique: name === 'id',
      externalId: false,
      ...(name === 'Deal_Status'
        ? { picklistValues: ['open', 'won', 'lost'].map((v) => ({ value: v, label: v })) }
        : {}),
    });
  }
  return out;
}

/** The Stage field's values, for the derived `Deal_Status` (`stages.ts`). */
export function stageStatuses(
  directory: FieldDirectory,
): ReadonlyMap<string, ReturnType<typeof dealStatusOf>> {
  const out = new Map<string, ReturnType<typeof dealStatusOf>>();
  for (const v of directory.get('Stage')?.pick_list_values ?? [])
    if (typeof v.actual_value === 'string') out.set(v.actual_value, dealStatusOf(v));
  return out;
}
