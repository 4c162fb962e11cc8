import { type CrmObject, type NativeField, type NativeFieldType } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { ENTITIES, MAX_PAGE_SIZE, STANDARD, STANDARD_FIELDS } from './pipedrive.constants';
import { pdRequest } from './request';
import { dealStages } from './pipelines';
import { type PdField } from './wire.types';

/**
 * Field metadata (`/api/v2/personFields`, `/api/v2/dealFields`, cursor-paged) and the directory that
 * names custom fields. Pipedrive keys a custom field by a 40-character hash that differs per company
 * (docs/vendors/pipedrive.md "Connector: custom fields by name"); the gateway never shows it: each custom field gets a
 * native name made from its label (`Customer tier` → `customer_tier`), and reads and writes translate
 * through this directory. Enum and set options are read and written by their labels for the same reason.
 */

/** One custom field as the connector speaks of it. */
export interface CustomField {
  /** The native name the gateway uses (`[a-z0-9_]`, unique among the object's fields). */
  name: string;
  /** Pipedrive's key (the hash) under `custom_fields`. */
  key: string;
  label: string;
  fieldType: string;
  /** Option id → label, for `enum` and `set` fields. */
  options: ReadonlyMap<string, string>;
}

export interface FieldDirectory {
  byName: ReadonlyMap<string, CustomField>;
  byKey: ReadonlyMap<string, CustomField>;
}

/** How long a directory is trusted before the metadata is read again (a field added meanwhile). */
export const DIRECTORY_TTL_MS = 5 * 60 * 1000;
/** Directories this process keeps (then it forgets them all): one per connection and object. */
const MAX_CACHED = 2_000;
const cache = new Map<string, { at: number; directory: Promise<FieldDirectory> }>();

const CUSTOM_TYPES: Readonly<Record<string, NativeFieldType>> = {
  varchar: 'string',
  varchar_auto: 'string',
  varchar_options: 'string',
  text: 'text',
  double: 'decimal',
  int: 'integer',
  monetary: 'currency',
  enum: 'picklist',
  set: 'multipicklist',
  date: 'date',
  phone: 'phone',
  user: 'reference',
  org: 'reference',
  people: 'reference',
  address: 'string',
  boolean: 'boolean',
};

/** Types whose value a write can take as the gateway sends it (an upsert key among them). */
const TEXT_TYPES = new Set(['varchar', 'varchar_auto', 'text']);

/** A label as a native name: lower-case letters, digits and `_`, starting with a letter. */
export function nameOfLabel(label: string): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return /^[a-z]/.test(slug) ? slug : `cf_${slug}`.replace(/_+$/, '');
}

/**
 * The directory of one object's metadata: custom fields named from their labels, in metadata order. A
 * name another field already has (a standard one, or an earlier custom field with the same label) gets
 * the start of its key appended, so every name is unique and the same on every read.
 */
export function buildDirectory(obj: CrmObject, fields: readonly PdField[]): FieldDirectory {
  const taken = new Set(STANDARD_FIELDS[obj]);
  const byName = new Map<string, CustomField>();
  const byKey = new Map<string, CustomField>();
  for (const f of fields) {
    if (f.is_custom_field !== true || typeof f.field_code !== 'string' || f.field_code === '') continue;
    let name = nameOfLabel(f.field_name ?? f.field_code);
    if (taken.has(name)) name = `${name}_${f.field_code.slice(0, 8).toLowerCase()}`;
    if (taken.has(name)) continue;
    taken.add(name);
    if (f.field_type === 'monetary') taken.add(`${name}_currency`);
    const options = new Map<string, string>();
    for (const o of f.options ?? []) options.set(String(o.id), String(o.label));
    const field: CustomField = {
      name,
      key: f.field_code,
      label: f.field_name ?? name,
      fieldType: f.field_type ?? 'varchar',
      options,
    };
    byName.set(name, field);
    byKey.set(f.field_code, field);
  }
  return { byName, byKey };
}

async function readFieldMetadata(api: PipedriveApi, obj: CrmObject): Promise<PdField[]> {
  const out: PdField[] = [];
  let cursor: string | undefined;
  do {
    const page = await pdRequest<PdField[]>(api, ENDPOINT.list, {
      method: 'GET',
      url: ENTITIES[obj].fields,
      query: { limit: MAX_PAGE_SIZE, cursor },
    });
    out.push(...(page.data ?? []));
    cursor = page.additional_data?.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

/** The object's directory, from this process's cache while it is fresh. */
export function fieldDirectory(api: PipedriveApi, obj: CrmObject): Promise<FieldDirectory> {
  const key = `${api.connectionId}:${obj}`;
  const hit = cache.get(key);
  if (hit && api.now() - hit.at < DIRECTORY_TTL_MS) return hit.directory;
  if (cache.size >= MAX_CACHED) cache.clear();
  const directory = readFieldMetadata(api, obj).then((fields) => buildDirectory(obj, fields));
  cache.set(key, { at: api.now(), directory });
  // A failed read is not remembered: the next call asks again.
  directory.catch(() => {
    if (cache.get(key)?.directory === directory) cache.delete(key);
  });
  return directory;
}

/** Forgets a connection's directory (a record named a custom key the directory lacks: a new field). */
export function forgetDirectory(connectionId: string, obj: CrmObject): void {
  cache.delete(`${connectionId}:${obj}`);
}

function customField(f: CustomField): NativeField {
  const text = TEXT_TYPES.has(f.fieldType);
  return {
    name: f.name,
    label: f.label,
    type: CUSTOM_TYPES[f.fieldType] ?? 'unknown',
    custom: true,
    required: false,
    readOnly: false,
    unique: false,
    // Pipedrive has no upsert, but a text field can find a record again through the search API's exact
    // match: the write path upserts on one that way (`writes.ts`).
    externalId: text,
    ...(f.options.size > 0
      ? { picklistValues: [...f.options.values()].map((label) => ({ value: label, label })) }
      : {}),
  };
}

export async function describeFields(api: PipedriveApi, obj: CrmObject): Promise<NativeField[]> {
  // A deal's stage is one of its pipelines' stages: their ids are the field's values (two list calls).
  const [directory, stages] = await Promise.all([
    fieldDirectory(api, obj),
    obj === 'deal' ? dealStages(api) : Promise.resolve([]),
  ]);
  const stageValues = stages.map((s) => ({ value: s.stageId, label: `${s.pipelineLabel}: ${s.label}` }));
  const standard = Object.entries(STANDARD[obj]).map(([name, { type, setBy }]): NativeField => ({
    name,
    label: name,
    type,
    custom: false,
    required: (obj === 'contact' && name === 'name') || (obj === 'deal' && name === 'title'),
    // Offered to mappings as writable only where the app sets it (emails/phones: through email/phone).
    readOnly: setBy !== 'app',
    unique: name === 'id',
    externalId: false,
    ...(name === 'status'
      ? { picklistValues: ['open', 'won', 'lost'].map((v) => ({ value: v, label: v })) }
      : {}),
    ...(name === 'stage_id' ? { picklistValues: stageValues } : {}),
    ...(name === 'person_id' ? { referenceTo: ['person'] } : {}),
  }));
  const custom = [...directory.byName.values()].flatMap((f): NativeField[] =>
    f.fieldType === 'monetary'
      ? [
          customField(f),
          // The amount's currency, read and written beside it.
          { ...customField(f), name: `${f.name}_currency`, label: `${f.label} currency`, type: 'string' },
        ]
      : [customField(f)],
  );
  return [...standard, ...custom];
}
