import { type CrmObject, type NativeFieldType } from '../types';
import { API_ROOT } from './declaration';

/**
 * Pipedrive facts the connector's API areas share (docs/vendors/pipedrive.md "Connector: reads, lists and search"). The
 * API versions, hosts, batch sizes and budgets live in `declaration.ts`.
 */

export const CRM = 'pipedrive';

/** Canonical object → Pipedrive's entity: its v2 collection, field-metadata resource and webhook name. */
export const ENTITIES: Readonly<
  Record<CrmObject, { collection: string; fields: string; entity: 'person' | 'deal' }>
> = {
  contact: {
    collection: `${API_ROOT.v2}/persons`,
    fields: `${API_ROOT.v2}/personFields`,
    entity: 'person',
  },
  deal: { collection: `${API_ROOT.v2}/deals`, fields: `${API_ROOT.v2}/dealFields`, entity: 'deal' },
};

export const PATHS = {
  pipelines: `${API_ROOT.v2}/pipelines`,
  stages: `${API_ROOT.v2}/stages`,
  /** v1 only: changes of every kind of item since a time, deleted persons among them. */
  recents: `${API_ROOT.v1}/recents`,
  /** v1 only: the user the token acts as, and its company. */
  currentUser: `${API_ROOT.v1}/users/me`,
} as const;

/** The largest page a v2 list serves. */
export const MAX_PAGE_SIZE = 500;

/** Most ids one `ids=` list takes. */
export const MAX_IDS = 100;

/** Deleted persons and deals stay readable this long, then are purged for good. */
export const DELETED_KEPT_DAYS = 30;

/**
 * Who sets a standard field: the app through a write (`app`), Pipedrive alone (`vendor`), or the
 * connector, which writes the whole `emails`/`phones` arrays to set their primary entries but offers
 * them to no mapping (`connector`).
 */
type SetBy = 'app' | 'vendor' | 'connector';

/**
 * The fields of a record the connector reads on its own, beside the custom fields — the v2 wire names,
 * with `email` and `phone` derived from the primary entries of `emails`/`phones` — with their types and
 * who sets them: the one table the read, write and describe paths derive their lists from.
 */
export const STANDARD: Readonly<
  Record<CrmObject, Readonly<Record<string, { type: NativeFieldType; setBy: SetBy }>>>
> = {
  contact: {
    id: { type: 'id', setBy: 'vendor' },
    name: { type: 'string', setBy: 'app' },
    first_name: { type: 'string', setBy: 'app' },
    last_name: { type: 'string', setBy: 'app' },
    email: { type: 'email', setBy: 'app' },
    phone: { type: 'phone', setBy: 'app' },
    emails: { type: 'unknown', setBy: 'connector' },
    phones: { type: 'unknown', setBy: 'connector' },
    owner_id: { type: 'reference', setBy: 'app' },
    org_id: { type: 'reference', setBy: 'app' },
    job_title: { type: 'string', setBy: 'app' },
    add_time: { type: 'datetime', setBy: 'vendor' },
    update_time: { type: 'datetime', setBy: 'vendor' },
    is_deleted: { type: 'boolean', setBy: 'vendor' },
    visible_to: { type: 'integer', setBy: 'app' },
  },
  deal: {
    id: { type: 'id', setBy: 'vendor' },
    title: { type: 'string', setBy: 'app' },
    value: { type: 'currency', setBy: 'app' },
    currency: { type: 'string', setBy: 'app' },
    status: { type: 'picklist', setBy: 'app' },
    stage_id: { type: 'reference', setBy: 'app' },
    pipeline_id: { type: 'reference', setBy: 'app' },
    person_id: { type: 'reference', setBy: 'app' },
    org_id: { type: 'reference', setBy: 'app' },
    owner_id: { type: 'reference', setBy: 'app' },
    probability: { type: 'percent', setBy: 'app' },
    expected_close_date: { type: 'date', setBy: 'app' },
    close_time: { type: 'datetime', setBy: 'vendor' },
    won_time: { type: 'datetime', setBy: 'vendor' },
    lost_time: { type: 'datetime', setBy: 'vendor' },
    lost_reason: { type: 'string', setBy: 'app' },
    add_time: { type: 'datetime', setBy: 'vendor' },
    update_time: { type: 'datetime', setBy: 'vendor' },
    is_deleted: { type: 'boolean', setBy: 'vendor' },
    visible_to: { type: 'integer', setBy: 'app' },
  },
};

/** The standard fields' names, in table order. */
export const STANDARD_FIELDS: Readonly<Record<CrmObject, readonly string[]>> = {
  contact: Object.keys(STANDARD.contact),
  deal: Object.keys(STANDARD.deal),
};

/** Canonical deal status ↔ Pipedrive's `status` values a write may set. */
export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
