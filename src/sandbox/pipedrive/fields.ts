// Field definitions of one company and the custom-field value shapes (docs/vendors/pipedrive.md "Custom fields").
// Custom field keys are 40-hex hashes that differ per company: derived from the org id, so two orgs
// of one sandbox never share a key and a connector that hard-codes one fails here as it would live.
import crypto from 'node:crypto';
import { badRequest } from './errors';

export type PdObject = 'person' | 'deal';

export type FieldType =
  | 'varchar'
  | 'text'
  | 'double'
  | 'int'
  | 'enum'
  | 'set'
  | 'monetary'
  | 'date'
  | 'user'
  | 'org'
  | 'people'
  | 'phone'
  | 'visible_to'
  | 'status'
  | 'stage';

export interface FieldOption {
  id: number;
  label: string;
}

export interface FieldDef {
  id: number;
  /** Standard fields: their API name; custom fields: the 40-hex hash. */
  key: string;
  name: string;
  type: FieldType;
  custom: boolean;
  options: FieldOption[] | null;
  mandatory: boolean;
}

interface CustomSpec {
  name: string;
  type: FieldType;
  options?: string[];
}

const STANDARD: Record<PdObject, [string, string, FieldType][]> = {
  person: [
    ['name', 'Name', 'varchar'],
    ['first_name', 'First name', 'varchar'],
    ['last_name', 'Last name', 'varchar'],
    ['owner_id', 'Owner', 'user'],
    ['org_id', 'Organization', 'org'],
    ['emails', 'Email', 'varchar'],
    ['phones', 'Phone', 'phone'],
    ['visible_to', 'Visible to', 'visible_to'],
  ],
  deal: [
    ['title', 'Title', 'varchar'],
    ['value', 'Value', 'monetary'],
    ['owner_id', 'Owner', 'user'],
    ['person_id', 'Contact person', 'people'],
    ['org_id', 'Organization', 'org'],
    ['pipeline_id', 'Pipeline', 'int'],
    ['stage_id', 'Stage', 'stage'],
    ['status', 'Status', 'status'],
    ['expected_close_date', 'Expected close date', 'date'],
    ['probability', 'Probability', 'double'],
    ['visible_to', 'Visible to', 'visible_to'],
  ],
};

const CUSTOM: Record<PdObject, CustomSpec[]> = {
  person: [
    { name: 'Tier', type: 'enum', options: ['Gold', 'Silver', 'Bronze'] },
    { name: 'Interests', type: 'set', options: ['Hardware', 'Software', 'Services', 'Training'] },
    { name: 'Birthday', type: 'date' },
    { name: 'Background', type: 'text' },
  ],
  deal: [
    { name: 'Contract value', type: 'monetary' },
    { name: 'Region', type: 'enum', options: ['EMEA', 'Americas', 'APAC'] },
    { name: 'Products', type: 'set', options: ['Basic', 'Pro', 'Enterprise'] },
    { name: 'Renewal date', type: 'date' },
    { name: 'Score', type: 'double' },
  ],
};

/** A company's custom field key: 40 hex characters, stable per (company, object, field). */
export function customFieldKey(companyId: number, object: PdObject, name: string): string {
  return crypto.createHash('sha1').update(`${companyId}:${object}:${name}`).digest('hex');
}

/** Every field of one object in one company; option ids are unique across the company, as Pipedrive's are. */
export function buildFields(companyId: number): Record<PdObject, FieldDef[]> {
  let optionId = 100;
  const out = {} as Record<PdObject, FieldDef[]>;
  for (const object of ['person', 'deal'] as const) {
    let id = object === 'person' ? 9000 : 12_000;
    const standard = STANDARD[object].map(([key, name, type]) => ({
      id: id++,
      key,
      name,
      type,
      custom: false,
      options: null,
      mandatory: key === 'name' || key === 'title',
    }));
    const custom = CUSTOM[object].map((spec) => ({
      id: id++,
      key: customFieldKey(companyId, object, spec.name),
      name: spec.name,
      type: spec.type,
      custom: true,
      options: spec.options ? spec.options.map((label) => ({ id: optionId++, label })) : null,
      mandatory: false,
    }));
    out[object] = [...standard, ...custom];
  }
  return out;
}

function optionIds(field: FieldDef): Set<number> {
  return new Set((field.options ?? []).map((o) => o.id));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Checks one v2 custom field value and returns what is stored (null clears). The shapes: enum = one
 * option id, set = an array of option ids (cleared with null; an empty array is refused — UNVERIFIED),
 * monetary = `{value, currency}`, date = `YYYY-MM-DD`, double = a number, text = a string.
 */
export function customValue(field: FieldDef, value: unknown): unknown {
  if (value === null) return null;
  const bad = (expected: string): never => {
    throw badRequest(
      `Validation failed: custom_fields.${field.key}: expected ${expected}, got ${JSON.stringify(value)}`,
    );
  };
  switch (field.type) {
    case 'enum':
      if (typeof value !== 'number' || !optionIds(field).has(value))
        bad(`one of the option ids ${[...optionIds(field)].join(', ')}`);
      return value;
    case 'set':
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        value.some((v) => typeof v !== 'number' || !optionIds(field).has(v))
      )
        bad(`a non-empty array of option ids from ${[...optionIds(field)].join(', ')} (null clears)`);
      return [...new Set(value as number[])];
    case 'monetary': {
      const m = value as { value?: unknown; currency?: unknown };
      if (
        typeof value !== 'object' ||
        Array.isArray(value) ||
        typeof m.value !== 'number' ||
        typeof m.currency !== 'string' ||
        !/^[A-Z]{3}$/.test(m.currency)
      )
        bad('{"value": number, "currency": "ISO 4217 code"}');
      return { value: m.value, currency: m.currency };
    }
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value)))
        bad('a date YYYY-MM-DD');
      return value;
    case 'double':
    case 'int':
      if (typeof value !== 'number' || !Number.isFinite(value)) bad('a number');
      return value;
    default:
      if (typeof value !== 'string') bad('a string');
      return value;
  }
}

/** v1 flattens custom values to top-level keys: enum/set as id strings, monetary as `<key>` + `<key>_currency`. */
export function v1CustomValues(fields: FieldDef[], custom: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!field.custom) continue;
    const value = custom[field.key] ?? null;
    if (field.type === 'monetary') {
      const m = value as { value: number; currency: string } | null;
      out[field.key] = m ? m.value : null;
      out[`${field.key}_currency`] = m ? m.currency : null;
    } else if (field.type === 'enum') out[field.key] = value === null ? null : String(value as number);
    else if (field.type === 'set') out[field.key] = value === null ? null : (value as number[]).join(',');
    else out[field.key] = value;
  }
  return out;
}
