// Records as the API shows them: v2 (docs/vendors/pipedrive.md "Persons", "Deals": RFC 3339 times,
// `is_deleted`, custom values under `custom_fields`) and v1 (space-separated UTC times, `active_flag`,
// owner/person as nested objects, custom values flattened to top-level keys).
import { v1CustomValues } from './fields';
import { type CompanyStore, type PdRecord } from './store';

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function v1Time(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

function timeOrNull(value: unknown, format: (ms: number) => string): string | null {
  return typeof value === 'number' ? format(value) : null;
}

/** The custom values to show: all the company's custom fields, or only the keys asked for. */
function customFields(store: CompanyStore, record: PdRecord, only?: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of store.fields[record.object]) {
    if (!field.custom || (only && !only.has(field.key))) continue;
    out[field.key] = record.custom[field.key] ?? null;
  }
  return out;
}

export function renderV2(store: CompanyStore, record: PdRecord, only?: Set<string>): Record<string, unknown> {
  const v = record.values;
  const common = {
    id: record.id,
    owner_id: v.owner_id ?? null,
    org_id: v.org_id ?? null,
    add_time: rfc3339(record.addTime),
    update_time: rfc3339(record.updateTime),
    is_deleted: record.deletedAt !== null,
    visible_to: v.visible_to ?? 3,
    label_ids: v.label_ids ?? [],
  };
  if (record.object === 'person') {
    return {
      ...common,
      name: v.name,
      first_name: v.first_name ?? null,
      last_name: v.last_name ?? null,
      emails: v.emails ?? [],
      phones: v.phones ?? [],
      picture_id: null,
      marketing_status: v.marketing_status ?? 'no_consent',
      custom_fields: customFields(store, record, only),
    };
  }
  return {
    ...common,
    title: v.title,
    person_id: v.person_id ?? null,
    pipeline_id: v.pipeline_id,
    stage_id: v.stage_id,
    value: v.value ?? 0,
    currency: v.currency ?? 'USD',
    status: v.status ?? 'open',
    stage_change_time: timeOrNull(v.stage_change_time, rfc3339),
    is_archived: false,
    probability: v.probability ?? null,
    lost_reason: v.lost_reason ?? null,
    close_time: timeOrNull(v.close_time, rfc3339),
    won_time: timeOrNull(v.won_time, rfc3339),
    lost_time: timeOrNull(v.lost_time, rfc3339),
    expected_close_date: v.expected_close_date ?? null,
    origin: 'API',
    origin_id: null,
    channel: null,
    channel_id: null,
    source_lead_id: null,
    arr: null,
    mrr: null,
    acv: null,
    custom_fields: customFields(store, record, only),
  };
}

export function userRef(store: CompanyStore, id: unknown): Record<string, unknown> | null {
  const user = store.users.find((u) => u.id === id);
  return user
    ? { id: user.id, name: user.name, email: user.email, has_pic: 0, active_flag: true, value: user.id }
    : null;
}

interface ContactPoint {
  value: string;
  primary: boolean;
  label: string;
}

export function renderV1(store: CompanyStore, record: PdRecord): Record<string, unknown> {
  const v = record.values;
  const deleted = record.deletedAt !== null;
  const owner = userRef(store, v.owner_id);
  const base = {
    id: record.id,
    company_id: store.companyId,
    owner_name: owner?.name ?? null,
    org_id: v.org_id ? { value: v.org_id, name: null } : null,
    org_name: null,
    add_time: v1Time(record.addTime),
    update_time: v1Time(record.updateTime),
    visible_to: String(v.visible_to ?? 3),
    label_ids: v.label_ids ?? [],
    ...v1CustomValues(store.fields[record.object], record.custom),
  };
  if (record.object === 'person') {
    const emails = (v.emails ?? []) as ContactPoint[];
    const phones = (v.phones ?? []) as ContactPoint[];
    const name = String(v.name);
    return {
      ...base,
      owner_id: owner,
      name,
      first_name: v.first_name ?? null,
      last_name: v.last_name ?? null,
      first_char: name.charAt(0).toLowerCase(),
      active_flag: !deleted,
      email: emails.length > 0 ? emails : [{ value: '', primary: true }],
      phone: phones.length > 0 ? phones : [{ value: '', primary: true }],
      picture_id: null,
    };
  }
  const person = typeof v.person_id === 'number' ? store.get('person', v.person_id) : undefined;
  return {
    ...base,
    user_id: owner,
    creator_user_id: owner,
    person_id: person
      ? {
          value: person.id,
          name: person.values.name,
          email: person.values.emails ?? [],
          phone: person.values.phones ?? [],
        }
      : null,
    person_name: person ? person.values.name : null,
    title: v.title,
    value: v.value ?? 0,
    currency: v.currency ?? 'USD',
    formatted_value: `${String(v.value ?? 0)} ${String(v.currency ?? 'USD')}`,
    pipeline_id: v.pipeline_id,
    stage_id: v.stage_id,
    status: deleted ? 'deleted' : (v.status ?? 'open'),
    active: !deleted && (v.status ?? 'open') === 'open',
    deleted,
    probability: v.probability ?? null,
    lost_reason: v.lost_reason ?? null,
    stage_change_time: timeOrNull(v.stage_change_time, v1Time),
    close_time: timeOrNull(v.close_time, v1Time),
    won_time: timeOrNull(v.won_time, v1Time),
    lost_time: timeOrNull(v.lost_time, v1Time),
    expected_close_date: v.expected_close_date ?? null,
  };
}
