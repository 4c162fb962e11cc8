// v2 request bodies of persons and deals (docs/vendors/pipedrive.md "Persons", "Deals"): v2 validates
// strictly, so an unknown property or a wrong type is a 400 naming the field, never silently dropped.
import { badRequest } from './errors';
import { customValue, type PdObject } from './fields';
import { type CompanyStore, type PdRecord } from './store';

type Check = (value: unknown, store: CompanyStore) => unknown;

const fail = (field: string, expected: string, value: unknown): never => {
  throw badRequest(
    `Validation failed: ${field}: expected ${expected}, got ${JSON.stringify(value) ?? 'undefined'}`,
  );
};

const text =
  (field: string, max = 255): Check =>
  (v) =>
    typeof v === 'string' && v.length <= max ? v : fail(field, `a string of at most ${max} characters`, v);
const optionalText =
  (field: string): Check =>
  (v, s) =>
    v === null ? null : text(field)(v, s);
const positiveInt =
  (field: string): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) > 0 ? v : fail(field, 'a positive integer', v);
const nullableId =
  (field: string): Check =>
  (v, s) =>
    v === null ? null : positiveInt(field)(v, s);
const ownerId: Check = (v, s) =>
  s.users.some((u) => u.id === v)
    ? v
    : fail('owner_id', `a user id of this company (${s.users.map((u) => u.id).join(', ')})`, v);
const visibleTo: Check = (v) =>
  [1, 3, 5, 7].includes(v as number) ? v : fail('visible_to', 'one of 1, 3, 5, 7', v);
const labelIds: Check = (v) =>
  Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? v : fail('label_ids', 'an array of integers', v);

function contactPoints(field: string): Check {
  return (v) => {
    if (!Array.isArray(v) || v.length > 100) return fail(field, 'an array of {value, primary, label}', v);
    return v.map((item: unknown, i) => {
      const p = item as { value?: unknown; primary?: unknown; label?: unknown };
      if (typeof item !== 'object' || item === null || typeof p.value !== 'string')
        return fail(`${field}[${i}].value`, 'a string', p?.value);
      const extra = Object.keys(item).filter((k) => !['value', 'primary', 'label'].includes(k));
      if (extra.length > 0) return fail(`${field}[${i}]`, 'only value, primary and label', item);
      if (p.primary !== undefined && typeof p.primary !== 'boolean')
        return fail(`${field}[${i}].primary`, 'a boolean', p.primary);
      return {
        value: p.value,
        primary: p.primary ?? i === 0,
        label: typeof p.label === 'string' ? p.label : 'work',
      };
    });
  };
}

/** `add_time` of a create: an RFC 3339 or `YYYY-MM-DD HH:MM:SS` UTC time, kept as epoch ms. */
const addTime: Check = (v) => {
  const text = typeof v === 'string' ? v.replace(' ', 'T') : '';
  const ms = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(text) && !Number.isNaN(ms)
    ? ms
    : fail('add_time', 'an RFC 3339 date-time', v);
};

const date: Check = (v) =>
  v === null || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)))
    ? v
    : fail('expected_close_date', 'a date YYYY-MM-DD', v);

const PERSON: Record<string, Check> = {
  name: text('name'),
  first_name: optionalText('first_name'),
  last_name: optionalText('last_name'),
  owner_id: ownerId,
  org_id: nullableId('org_id'),
  emails: contactPoints('emails'),
  phones: contactPoints('phones'),
  visible_to: visibleTo,
  label_ids: labelIds,
  add_time: addTime,
  marketing_status: (v) =>
    ['no_consent', 'unsubscribed', 'subscribed', 'archived'].includes(v as string)
      ? v
      : fail('marketing_status', 'no_consent, unsubscribed, subscribed or archived', v),
};

const DEAL: Record<string, Check> = {
  title: text('title'),
  owner_id: ownerId,
  person_id: (v, s) =>
    v === null || s.get('person', v as number)?.deletedAt === null
      ? v
      : fail('person_id', 'an existing person id', v),
  org_id: nullableId('org_id'),
  pipeline_id: (v, s) =>
    s.pipelines.has(v as number) ? v : fail('pipeline_id', 'an existing pipeline id', v),
  stage_id: (v, s) => (s.stages.has(v as number) ? v : fail('stage_id', 'an existing stage id', v)),
  value: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : fail('value', 'a number', v)),
  currency: (v) =>
    typeof v === 'string' && /^[A-Z]{3}$/.test(v) ? v : fail('currency', 'an ISO 4217 code', v),
  status: (v) => (['open', 'won', 'lost'].includes(v as string) ? v : fail('status', 'open, won or lost', v)),
  probability: (v) =>
    v === null || (typeof v === 'number' && v >= 0 && v <= 100)
      ? v
      : fail('probability', 'a number 0..100', v),
  lost_reason: optionalText('lost_reason'),
  expected_close_date: date,
  visible_to: visibleTo,
  label_ids: labelIds,
  add_time: addTime,
};

const SCHEMAS: Record<PdObject, Record<string, Check>> = { person: PERSON, deal: DEAL };

export interface ParsedBody {
  values: Record<string, unknown>;
  custom: Record<string, unknown>;
}

/** Validates a create (`existing` undefined) or PATCH body; arrays such as `emails` replace the whole list. */
export function parseBody(
  store: CompanyStore,
  object: PdObject,
  body: unknown,
  existing?: PdRecord,
): ParsedBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('Validation failed: the body must be a JSON object');
  const schema = SCHEMAS[object];
  const values: Record<string, unknown> = {};
  const custom: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(body)) {
    if (key === 'custom_fields') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('custom_fields', 'an object keyed by field key', raw);
      for (const [fieldKey, value] of Object.entries(raw as Record<string, unknown>)) {
        const field = store.field(object, fieldKey);
        if (!field?.custom)
          throw badRequest(`Validation failed: custom_fields: unknown field key ${JSON.stringify(fieldKey)}`);
        custom[fieldKey] = customValue(field, value);
      }
      continue;
    }
    const check = schema[key];
    if (!check) throw badRequest(`Validation failed: ${JSON.stringify(key)} is not a property of ${object}`);
    values[key] = check(raw, store);
  }
  if (existing && 'add_time' in values)
    fail('add_time', 'no add_time on an update (it is set on create)', values.add_time);
  const required = object === 'person' ? 'name' : 'title';
  if (!existing && values[required] === undefined)
    throw badRequest(`Validation failed: ${required}: Parameter is required`);
  if (existing && required in values && values[required] === '') fail(required, 'a non-empty string', '');
  if (object === 'person') splitName(values);
  return { values, custom };
}

/**
 * A person's first and last name follow its `name`, which is what a write sets (docs/vendors/pipedrive.md
 * "Persons"): the first word, and the rest. Parts a body names itself are kept.
 */
function splitName(values: Record<string, unknown>): void {
  if (typeof values.name !== 'string') return;
  const [first, ...rest] = values.name.trim().split(/\s+/);
  if (values.first_name === undefined) values.first_name = first || null;
  if (values.last_name === undefined) values.last_name = rest.length > 0 ? rest.join(' ') : null;
}
